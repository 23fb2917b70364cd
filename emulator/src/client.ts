// Spanner clients that can only ever reach an emulator: the endpoint is passed explicitly
// with insecure credentials, so no code path here can touch a real Cloud Spanner instance.
import { Spanner } from '@google-cloud/spanner';
import { grpc } from 'google-gax';

/**
 * The environment every client talking to the emulator needs. Emulator 1.5.28 has no
 * multiplexed sessions, which current clients (Node and Python) use by default.
 */
export function emulatorClientEnv(host: string): Record<string, string> {
  return {
    SPANNER_EMULATOR_HOST: host,
    GOOGLE_CLOUD_SPANNER_MULTIPLEXED_SESSIONS: 'false',
    GOOGLE_CLOUD_SPANNER_MULTIPLEXED_SESSIONS_FOR_RW: 'false',
    GOOGLE_CLOUD_SPANNER_MULTIPLEXED_SESSIONS_PARTITIONED_OPS: 'false',
  };
}

export function emulatorSpanner(host: string, projectId: string): Spanner {
  // The Node client reads these from process.env when sessions are created.
  for (const [key, value] of Object.entries(emulatorClientEnv(host))) {
    if (key !== 'SPANNER_EMULATOR_HOST') process.env[key] = value;
  }
  // google-auth otherwise probes the GCE metadata server (seconds of timeouts off GCP);
  // an emulator client never needs credentials.
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  const [servicePath, port] = splitHost(host);
  return new Spanner({ projectId, servicePath, port, sslCreds: grpc.credentials.createInsecure() });
}

export function splitHost(host: string): [string, number] {
  const match = /^([^:]+|\[[^\]]+\]):(\d+)$/.exec(host);
  if (!match) throw new Error(`Emulator host must be host:port without a scheme, got "${host}".`);
  return [match[1]!, Number(match[2])];
}

/** gRPC status codes the provisioning code branches on. */
export const GrpcCode = { NOT_FOUND: 5, ALREADY_EXISTS: 6, FAILED_PRECONDITION: 9, ABORTED: 10 } as const;

export function grpcCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}
