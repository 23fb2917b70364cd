// The emulator toolkit's entry: pick a backend, start or find an emulator, stop it, report status.
import { UserFacingError } from '../../extension/core/errors';
import { findBinaryEmulators, findEmulatorBinary, startBinaryEmulator, stopBinaryEmulators } from './binary';
import { findDockerEmulators, isDockerAvailable, startDockerEmulator, stopDockerEmulators } from './docker';
import type { BackendKind, EmulatorSettings } from './settings';
import type { EmulatorStatus, RunningEmulator } from './types';

export * from './settings';
export * from './types';
export { emulatorClientEnv, emulatorSpanner } from './client';
export { provision, readMigrationLedger, dropDatabase, LEDGER_TABLE, type Target, type ProvisionResult } from './provision';
export { loadMigrations, splitStatements } from './migrations';

/** `auto`: docker when an engine answers, else the installed binary, else a message naming both fixes. */
export async function chooseBackend(settings: EmulatorSettings, env: NodeJS.ProcessEnv = process.env): Promise<BackendKind> {
  if (settings.backend !== 'auto') return settings.backend;
  if (env.SPANNER_EMULATOR_HOST) return 'external';
  if (await isDockerAvailable()) return 'docker';
  if (findEmulatorBinary(env)) return 'binary';
  throw new UserFacingError(
    'No way to run the Spanner emulator: no Docker engine answers and the emulator binary is not installed.',
    'Start Docker (Docker Desktop, or sudo apt-get install docker.io && sudo dockerd &), ' +
      'or install the binary (gcloud components install cloud-spanner-emulator).',
    'NO_BACKEND',
  );
}

export async function startEmulator(settings: EmulatorSettings, env: NodeJS.ProcessEnv = process.env): Promise<RunningEmulator> {
  const backend = await chooseBackend(settings, env);
  switch (backend) {
    case 'docker':
      return startDockerEmulator(settings);
    case 'binary':
      return startBinaryEmulator(settings);
    case 'external': {
      const host = env.SPANNER_EMULATOR_HOST;
      if (!host) {
        throw new UserFacingError('Backend "external" needs SPANNER_EMULATOR_HOST.', 'Set SPANNER_EMULATOR_HOST=127.0.0.1:9010 (host:port, no scheme).', 'NO_EXTERNAL');
      }
      return { backend: 'external', host, handle: host, reused: true, faultInjection: false };
    }
  }
}

export async function emulatorStatus(): Promise<EmulatorStatus> {
  const docker = (await isDockerAvailable()) ? await findDockerEmulators() : [];
  const emulators = [...docker, ...findBinaryEmulators()];
  return { state: emulators.length > 0 ? 'running' : 'stopped', emulators };
}

/** Stops every emulator this tool started (containers by label, the binary by its state file). */
export async function stopEmulators(): Promise<string[]> {
  const stopped = (await isDockerAvailable()) ? await stopDockerEmulators() : [];
  return [...stopped, ...(await stopBinaryEmulators())];
}
