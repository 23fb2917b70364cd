// Binary backend: the gcloud-installed emulator (gateway_main) as a detached child process
// on free loopback ports. A state file lets a later CLI process find and stop it again.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { UserFacingError } from '../../extension/core/errors';
import type { EmulatorSettings } from './settings';
import type { RunningEmulator } from './types';

const STATE_DIR = path.join(process.env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state'), 'luigi-spanner');
const STATE_FILE = path.join(STATE_DIR, 'binary-emulator.json');
export const BINARY_LOG_FILE = path.join(STATE_DIR, 'binary-emulator.log');

interface BinaryState {
  pgid: number;
  host: string;
  restPort: number;
  faultInjection: boolean;
}

/** Where gateway_main lives: $SPANNER_EMULATOR_DIR, the Debian package, or a gcloud SDK install. */
export function findEmulatorBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [
    env.SPANNER_EMULATOR_DIR,
    '/usr/lib/google-cloud-sdk/bin/cloud_spanner_emulator',
    path.join(os.homedir(), 'google-cloud-sdk', 'bin', 'cloud_spanner_emulator'),
  ];
  try {
    const sdkRoot = execFileSync('gcloud', ['info', '--format=value(installation.sdk_root)'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5_000,
    }).trim();
    if (sdkRoot) candidates.push(path.join(sdkRoot, 'bin', 'cloud_spanner_emulator'));
  } catch {
    // gcloud missing: the fixed locations above are all we can try.
  }
  for (const dir of candidates) {
    if (dir && existsSync(path.join(dir, 'gateway_main')) && existsSync(path.join(dir, 'emulator_main'))) {
      return path.join(dir, 'gateway_main');
    }
  }
  return undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function isAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function readState(): BinaryState | undefined {
  try {
    const state = JSON.parse(readFileSync(STATE_FILE, 'utf8')) as BinaryState;
    return isAlive(state.pgid) ? state : undefined;
  } catch {
    return undefined;
  }
}

export function waitForPort(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = net.connect({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`));
        else setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}

export async function startBinaryEmulator(settings: EmulatorSettings): Promise<RunningEmulator> {
  const existing = readState();
  if (existing && existing.faultInjection === settings.faultInjection) {
    return { backend: 'binary', host: existing.host, handle: String(existing.pgid), reused: true, faultInjection: existing.faultInjection };
  }
  const gateway = findEmulatorBinary();
  if (!gateway) {
    throw new UserFacingError(
      'The Spanner emulator binary is not installed.',
      'Install it (gcloud components install cloud-spanner-emulator, or apt-get install google-cloud-cli-spanner-emulator), ' +
        'set SPANNER_EMULATOR_DIR to the folder holding gateway_main, or use the docker backend.',
      'NO_BINARY',
    );
  }
  const [grpcPort, restPort] = [await freePort(), await freePort()];
  mkdirSync(STATE_DIR, { recursive: true });
  const log = openSync(BINARY_LOG_FILE, 'a');
  const args = ['--hostname', '127.0.0.1', '--grpc_port', String(grpcPort), '--http_port', String(restPort)];
  if (settings.faultInjection) args.push('--enable_fault_injection');
  // Own process group: gateway_main leaves emulator_main behind when only it is signalled.
  const child = spawn(gateway, args, { cwd: path.dirname(gateway), detached: true, stdio: ['ignore', log, log] });
  child.unref();
  const pgid = child.pid;
  if (pgid === undefined) throw new UserFacingError(`Could not start ${gateway}.`, `Check that ${gateway} is executable.`, 'NOT_READY');
  try {
    await waitForPort('127.0.0.1', grpcPort, 20_000);
  } catch (error) {
    stopProcessGroup(pgid);
    throw new UserFacingError(
      `The emulator binary did not become ready: ${(error as Error).message}.`,
      `Read its log at ${BINARY_LOG_FILE}.`,
      'NOT_READY',
    );
  }
  const state: BinaryState = { pgid, host: `127.0.0.1:${grpcPort}`, restPort, faultInjection: settings.faultInjection };
  writeFileSync(STATE_FILE, JSON.stringify(state));
  return { backend: 'binary', host: state.host, handle: String(pgid), reused: false, faultInjection: settings.faultInjection };
}

function stopProcessGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {
    // Already gone.
  }
}

export function findBinaryEmulators(): RunningEmulator[] {
  const state = readState();
  return state ? [{ backend: 'binary', host: state.host, handle: String(state.pgid), reused: true, faultInjection: state.faultInjection }] : [];
}

export async function stopBinaryEmulators(): Promise<string[]> {
  const state = readState();
  rmSync(STATE_FILE, { force: true });
  if (!state) return [];
  stopProcessGroup(state.pgid);
  const deadline = Date.now() + 5_000;
  while (isAlive(state.pgid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (isAlive(state.pgid)) process.kill(-state.pgid, 'SIGKILL');
  return [String(state.pgid)];
}
