// Light helpers (no gRPC client loaded): the environment emulator clients need, host parsing,
// and the guard every destructive action passes before it touches a database.
import { UserFacingError } from '../../extension/core/errors';

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

export function splitHost(host: string): [string, number] {
  const match = /^([^:/]+|\[[^\]]+\]):(\d+)$/.exec(host);
  if (!match) throw new Error(`Emulator host must be host:port without a scheme, got "${host}".`);
  return [match[1]!, Number(match[2])];
}

/**
 * Refuses anything that could be a real Spanner endpoint. Emulator hosts are plain
 * `host:port` pairs reached without TLS; Google's endpoints are named *.googleapis.com.
 * (The emulator check that talks to the server is in provision.ts: only `emulator-config`.)
 */
export function assertEmulatorHost(host: string | undefined): asserts host is string {
  const fix = 'Destructive actions only run against the local emulator: start it (luigi-spanner emulator start) or set SPANNER_EMULATOR_HOST=127.0.0.1:9010.';
  if (!host) throw new UserFacingError('No emulator host: refusing to touch a database.', fix, 'NOT_EMULATOR');
  let hostname: string;
  try {
    [hostname] = splitHost(host);
  } catch (error) {
    throw new UserFacingError((error as Error).message, 'Give the emulator as host:port, for example 127.0.0.1:9010.', 'NOT_EMULATOR');
  }
  if (/(^|\.)googleapis\.com$/i.test(hostname) || /(^|\.)google\.com$/i.test(hostname)) {
    throw new UserFacingError(`${host} is a Google endpoint, not an emulator: refusing.`, fix, 'NOT_EMULATOR');
  }
}
