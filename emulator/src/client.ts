// Spanner clients that can only ever reach an emulator: the endpoint is passed explicitly
// with insecure credentials, so no code path here can touch a real Cloud Spanner instance.
import type { Database, Spanner } from '@google-cloud/spanner';
import { assertEmulatorHost, emulatorClientEnv, splitHost } from './env';

export { emulatorClientEnv, splitHost } from './env';

type SpannerModule = typeof import('@google-cloud/spanner');
type GaxModule = typeof import('google-gax');

/**
 * The client library, loaded on first use: it costs 0.4-1 s to load, and every module that
 * imports this toolkit (the CLI's start-up, the extension's activation) would pay it otherwise.
 * `require` exists in all our runtimes (the cjs bundles, vitest).
 */
export function spannerModule(): SpannerModule {
  return require('@google-cloud/spanner') as SpannerModule;
}

/** Loads the client library ahead of need (while an emulator boots); never throws. */
export function preloadSpannerClient(): void {
  try {
    spannerModule();
    require('google-gax');
  } catch {
    // Reported properly by the call that needs it.
  }
}

export function emulatorSpanner(host: string, projectId: string): Spanner {
  assertEmulatorHost(host);
  // The Node client reads these from process.env when sessions are created.
  for (const [key, value] of Object.entries(emulatorClientEnv(host))) {
    if (key !== 'SPANNER_EMULATOR_HOST') process.env[key] = value;
  }
  // google-auth otherwise probes the GCE metadata server (seconds of timeouts off GCP);
  // an emulator client never needs credentials.
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  const [servicePath, port] = splitHost(host);
  const { grpc } = require('google-gax') as GaxModule;
  return new (spannerModule().Spanner)({ projectId, servicePath, port, sslCreds: grpc.credentials.createInsecure() });
}

/** gRPC status codes the provisioning code branches on. */
export const GrpcCode = { INVALID_ARGUMENT: 3, NOT_FOUND: 5, ALREADY_EXISTS: 6, FAILED_PRECONDITION: 9, ABORTED: 10 } as const;

export function grpcCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * gax options for queries: no retry-request retries of streaming calls. Without them a query
 * the emulator rejects (a typo, a missing table) surfaces after about 7 s of backoff instead of
 * at once (googleapis/nodejs-spanner#2014). The client's own resume-on-UNAVAILABLE still applies.
 */
export const FAIL_FAST_QUERY = { retryRequestOptions: { noResponseRetries: 0, retries: 0 } };

/**
 * A Database handle that opens no session until it is used. The client's default pool creates
 * 25 sessions in the background as soon as a handle exists; in a short command those requests
 * outlive `spanner.close()` and surface as an unhandled "client has already been closed" error.
 */
export function databaseHandle(spanner: Spanner, instanceId: string, databaseId: string): Database {
  return spanner.instance(instanceId).database(databaseId, NO_PREFILL);
}

/** Session pool options for handles of short-lived commands (see databaseHandle). */
export const NO_PREFILL = { min: 0, incStep: 1, max: 10 };
