// Binary backend: the gcloud-installed emulator (gateway_main) as a detached child process
// on free loopback ports. A state file per emulator name lets a later CLI process find and
// stop it again.
import { processGroupAlive, stopProcessGroup } from '../../extension/core/processGroup';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserFacingError } from '../../extension/core/errors';
import { preloadSpannerClient } from './client';
import { assertPortFree, freePort, waitForPort } from './ports';

export { freePort, waitForPort } from './ports';
import type { EmulatorSettings } from './settings';
import type { RunningEmulator } from './types';

/** Where state files and logs go; LUIGI_SPANNER_STATE_DIR moves it (tests use a scratch one). */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.LUIGI_SPANNER_STATE_DIR || path.join(env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state'), 'luigi-spanner');
}
const stateFile = (name: string) => path.join(stateDir(), `binary-emulator-${name}.json`);
/** The binary emulator's own log (stdout and stderr of gateway_main and emulator_main). */
export const binaryLogFile = (name = 'default') => path.join(stateDir(), `binary-emulator-${name}.log`);
/** @deprecated the log of the `default` emulator; use binaryLogFile(name). */
export const BINARY_LOG_FILE = binaryLogFile();

interface BinaryState {
  pgid: number;
  host: string;
  restPort: number;
  faultInjection: boolean;
  name: string;
}

/**
 * Where gateway_main lives. SPANNER_EMULATOR_DIR, when set, is the only place looked at
 * (an explicit choice is never silently bypassed); otherwise the Debian package, then gcloud.
 */
export function findEmulatorBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = env.SPANNER_EMULATOR_DIR
    ? [env.SPANNER_EMULATOR_DIR]
    : ['/usr/lib/google-cloud-sdk/bin/cloud_spanner_emulator', path.join(os.homedir(), 'google-cloud-sdk', 'bin', 'cloud_spanner_emulator')];
  for (const dir of candidates) {
    if (existsSync(path.join(dir, 'gateway_main')) && existsSync(path.join(dir, 'emulator_main'))) return path.join(dir, 'gateway_main');
  }
  if (env.SPANNER_EMULATOR_DIR) return undefined;
  try {
    const sdkRoot = execFileSync('gcloud', ['info', '--format=value(installation.sdk_root)'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5_000,
    }).trim();
    const dir = sdkRoot && path.join(sdkRoot, 'bin', 'cloud_spanner_emulator');
    if (dir && existsSync(path.join(dir, 'gateway_main')) && existsSync(path.join(dir, 'emulator_main'))) return path.join(dir, 'gateway_main');
  } catch {
    // gcloud missing: the fixed locations above were all we could try.
  }
  return undefined;
}

function readState(file: string): BinaryState | undefined {
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as BinaryState;
    return processGroupAlive(state.pgid) ? state : undefined;
  } catch {
    return undefined;
  }
}

function allStateFiles(): string[] {
  try {
    return readdirSync(stateDir())
      .filter((f) => /^binary-emulator-.+\.json$/.test(f))
      .map((f) => path.join(stateDir(), f));
  } catch {
    return [];
  }
}

/** Waits for the gateway's readiness line in the log, written after `offset`. */
async function waitForReadyLine(logFile: string, offset: number, pgid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const text = readFileSync(logFile).subarray(offset).toString('utf8');
    if (/Cloud Spanner emulator running\./.test(text)) return;
    if (!processGroupAlive(pgid)) throw new Error(`the emulator exited: ${text.trim().split('\n').slice(-3).join(' | ')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no readiness line after ${timeoutMs} ms`);
}

async function answers(host: string): Promise<boolean> {
  const [hostname, port] = host.split(':');
  try {
    await waitForPort(hostname!, Number(port), 500);
    return true;
  } catch {
    return false;
  }
}

const toRunning = (state: BinaryState, reused: boolean): RunningEmulator => ({
  backend: 'binary',
  host: state.host,
  restHost: `127.0.0.1:${state.restPort}`,
  handle: String(state.pgid),
  reused,
  faultInjection: state.faultInjection,
  name: state.name,
});

export async function startBinaryEmulator(settings: EmulatorSettings): Promise<RunningEmulator> {
  let existing = readState(stateFile(settings.name));
  // A recycled process id after a reboot looks alive: trust the state only if its port answers.
  if (existing && !(await answers(existing.host))) {
    rmSync(stateFile(settings.name), { force: true });
    existing = undefined;
  }
  if (existing) {
    if (existing.faultInjection === settings.faultInjection) return toRunning(existing, true);
    throw new UserFacingError(
      `The emulator "${settings.name}" already runs ${existing.faultInjection ? 'with' : 'without'} fault injection.`,
      `Stop it first (luigi-spanner emulator stop --name ${settings.name}), or give this one another name (--name).`,
      'EMULATOR_CONFLICT',
    );
  }
  const gateway = findEmulatorBinary();
  if (!gateway) {
    throw new UserFacingError(
      process.env.SPANNER_EMULATOR_DIR
        ? `SPANNER_EMULATOR_DIR=${process.env.SPANNER_EMULATOR_DIR} holds no gateway_main and emulator_main.`
        : 'The Spanner emulator binary is not installed.',
      'Install it (gcloud components install cloud-spanner-emulator, or apt-get install google-cloud-cli-spanner-emulator), ' +
        'set SPANNER_EMULATOR_DIR to the folder holding gateway_main, or use the docker backend.',
      'NO_BINARY',
    );
  }
  await assertPortFree(settings.grpcPort);
  const grpcPort = settings.grpcPort || (await freePort());
  const restPort = await freePort();
  mkdirSync(stateDir(), { recursive: true });
  const logFile = binaryLogFile(settings.name);
  const logOffset = existsSync(logFile) ? statSync(logFile).size : 0;
  const log = openSync(logFile, 'a');
  const args = ['--hostname', '127.0.0.1', '--grpc_port', String(grpcPort), '--http_port', String(restPort)];
  if (settings.faultInjection) args.push('--enable_fault_injection');
  // Own process group: gateway_main leaves emulator_main behind when only it is signalled.
  const child = spawn(gateway, args, { cwd: path.dirname(gateway), detached: true, stdio: ['ignore', log, log] });
  child.unref();
  const pgid = child.pid;
  if (pgid === undefined) throw new UserFacingError(`Could not start ${gateway}.`, `Check that ${gateway} is executable.`, 'NOT_READY');
  // A new emulator is empty and gets provisioned next: load the gRPC client while it boots.
  const preload = setTimeout(preloadSpannerClient, 20);
  try {
    await waitForPort('127.0.0.1', grpcPort, 20_000);
    await waitForReadyLine(logFile, logOffset, pgid, 20_000);
  } catch (error) {
    clearTimeout(preload);
    await stopProcessGroup(pgid, { graceMs: 5_000 });
    const busy = /address already in use|bind/i.test(readFileSync(logFile).subarray(logOffset).toString('utf8'));
    throw new UserFacingError(
      `The emulator binary did not become ready: ${(error as Error).message}.`,
      busy ? `A port it needs is busy (${grpcPort} or ${restPort}); pick another with --port.` : `Read its log at ${logFile}.`,
      busy ? 'PORT_BUSY' : 'NOT_READY',
    );
  }
  const state: BinaryState = { pgid, host: `127.0.0.1:${grpcPort}`, restPort, faultInjection: settings.faultInjection, name: settings.name };
  writeFileSync(stateFile(settings.name), JSON.stringify(state));
  return toRunning(state, false);
}


/** Running binary emulators of this tool, all names unless `name` is given. */
export function findBinaryEmulators(name?: string): RunningEmulator[] {
  const files = name === undefined ? allStateFiles() : [stateFile(name)];
  return files.flatMap((file) => {
    const state = readState(file);
    return state ? [toRunning(state, true)] : [];
  });
}

export async function stopBinaryEmulators(name?: string): Promise<string[]> {
  const files = name === undefined ? allStateFiles() : [stateFile(name)];
  const stopped: string[] = [];
  for (const file of files) {
    const state = readState(file);
    rmSync(file, { force: true });
    if (!state) continue;
    await stopProcessGroup(state.pgid, { graceMs: 5_000 });
    stopped.push(String(state.pgid));
  }
  return stopped;
}
