// Light helpers (no gRPC client loaded): the environment emulator clients need, host parsing,
// and the guard every destructive action passes before it touches a database.
import { UserFacingError } from '../../extension/core/errors';
import { ENV } from '../../extension/shared/contract';

/**
 * The environment every client talking to the emulator needs. Emulator 1.5.28 has no
 * multiplexed sessions, which current clients (Node and Python) use by default.
 */
export function emulatorClientEnv(host: string): Record<string, string> {
  return { [ENV.emulatorHost]: host, ...Object.fromEntries(ENV.multiplexedSessionSwitches.map((name) => [name, 'false'])) };
}

export function splitHost(host: string): [string, number] {
  const match = /^([^:/]+|\[[^\]]+\]):(\d+)$/.exec(host);
  if (!match) throw new Error(`Emulator host must be host:port without a scheme, got "${host}".`);
  return [match[1]!, Number(match[2])];
}

/** Names the user declares as emulators (comma-separated host or host:port): the only way past the address rule. */
export const ALLOW_EMULATOR_HOST_ENV = 'LUIGI_SPANNER_ALLOW_EMULATOR_HOST';

/**
 * Refuses anything that could be a real Spanner endpoint. Emulator hosts are plain `host:port`
 * pairs reached without TLS. Accepted without asking: `localhost` and IP literals that cannot
 * leave this machine or its private network (loopback, RFC 1918, IPv6 unique-local). Any other
 * name (a compose service such as `spanner-emulator`, a LAN host) must be named in
 * LUIGI_SPANNER_ALLOW_EMULATOR_HOST: a name resolves to whatever DNS says, and a public address
 * may be Google's own (199.36.153.8 is private.googleapis.com). Google's domains are refused even
 * when named. Case and a trailing dot (`SPANNER.GoogleApis.com.`) do not change a name.
 * (The check that talks to the server is in provision.ts: only `emulator-config`.)
 */
export function assertEmulatorHost(host: string | undefined, env: NodeJS.ProcessEnv = process.env): asserts host is string {
  const fix = 'Destructive actions only run against the local emulator: start it (luigi-spanner emulator start) or set SPANNER_EMULATOR_HOST=127.0.0.1:9010.';
  if (!host) throw new UserFacingError('No emulator host: refusing to touch a database.', fix, 'NOT_EMULATOR');
  let hostname: string;
  try {
    [hostname] = splitHost(host);
  } catch (error) {
    throw new UserFacingError((error as Error).message, 'Give the emulator as host:port, for example 127.0.0.1:9010.', 'NOT_EMULATOR');
  }
  const name = canonicalHostname(hostname);
  if (/(^|\.)(googleapis|google)\.com$/.test(name)) {
    throw new UserFacingError(`${host} is a Google endpoint, not an emulator: refusing.`, fix, 'NOT_EMULATOR');
  }
  if (name === 'localhost' || isLocalAddress(name)) return;
  const allowed = (env[ALLOW_EMULATOR_HOST_ENV] ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  const port = host.slice(host.lastIndexOf(':') + 1);
  if (allowed.some((entry) => entry.toLowerCase() === `${name}:${port}` || canonicalHostname(entry) === name)) return;
  throw new UserFacingError(
    `${host} is neither this machine nor a private address: refusing to treat it as the emulator.`,
    `Use the emulator's loopback or private address (e.g. 127.0.0.1:9010), or, if ${hostname} really is an emulator (a compose service, a LAN host), name it: ${ALLOW_EMULATOR_HOST_ENV}=${hostname}.`,
    'NOT_EMULATOR',
  );
}

/** Lower case, without IPv6 brackets or the trailing dot(s) of a fully qualified name. */
function canonicalHostname(hostname: string): string {
  return hostname.trim().toLowerCase().replace(/^\[|\]$/g, '').replace(/\.+$/, '');
}

/**
 * IP literals that stay on this machine or its private network. Only literals: a name is never
 * resolved here (what it resolves to may change between this check and the connection).
 */
export function isLocalAddress(address: string): boolean {
  const v4 = ipv4(address) ?? ipv4(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address)?.[1] ?? '');
  if (v4) {
    const [a = -1, b = -1] = v4;
    // 0.0.0.0 as a destination is this machine; 169.254/16 (link-local) is left out: it holds cloud metadata servers.
    return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 0 && v4.every((x) => x === 0));
  }
  if (!address.includes(':') || !/^[0-9a-f:]+$/.test(address)) return false;
  const groups = expandIpv6(address);
  if (!groups) return false;
  // `::1` loopback, `::` (like 0.0.0.0) this machine, fc00::/7 unique-local.
  const loopbackOrUnspecified = groups.slice(0, 7).every((g) => g === 0) && (groups[7] === 1 || groups[7] === 0);
  const uniqueLocal = (groups[0]! & 0xfe00) === 0xfc00;
  return loopbackOrUnspecified || uniqueLocal;
}

function ipv4(text: string): number[] | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!match) return undefined;
  const parts = match.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts : undefined;
}

function expandIpv6(address: string): number[] | undefined {
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string) => (part ? part.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)) : []);
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  return groups.some(Number.isNaN) ? undefined : groups;
}
