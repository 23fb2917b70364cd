// Pick a backend, start or find an emulator, make the database ready, stop, report status.
// Light on purpose: the gRPC client and Testcontainers load only on the paths that need them.
import { UserFacingError } from '../../extension/core/errors';
import { findBinaryEmulators, findEmulatorBinary, startBinaryEmulator, stopBinaryEmulators } from './binary';
import { findDockerEmulators, isDockerAvailable, startDockerEmulator, stopDockerEmulators } from './docker';
import { assertEmulatorHost, splitHost } from './env';
import { loadMigrations } from './migrations';
import { waitForPort } from './ports';
import type { ProvisionResult } from './provision';
import { createDatabaseViaRest, isProvisionedViaRest } from './rest';
import type { BackendKind, EmulatorSettings } from './settings';
import type { EmulatorStatus, RunningEmulator } from './types';

/** `auto`: docker when an engine answers, else the installed binary, else a message naming both fixes. */
export async function chooseBackend(settings: EmulatorSettings, env: NodeJS.ProcessEnv = process.env): Promise<BackendKind> {
  if (settings.backend !== 'auto') return settings.backend;
  if (env.SPANNER_EMULATOR_HOST) return 'external';
  if (await isDockerAvailable(env)) return 'docker';
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
      if (!(await isDockerAvailable(env))) {
        throw new UserFacingError(
          'No Docker engine answers.',
          'Start Docker (Docker Desktop, or on Debian/Ubuntu: sudo apt-get install docker.io && sudo dockerd &), ' +
            'or use the emulator binary: --backend binary (gcloud components install cloud-spanner-emulator).',
          'NO_DOCKER',
        );
      }
      return settings.backend === 'auto' ? startDockerOrBinary(settings, env) : startDockerEmulator(settings);
    case 'binary':
      return startBinaryEmulator(settings);
    case 'external':
      return externalEmulator(env);
  }
}

/**
 * `auto` with Docker up: the container, unless its image is neither on this machine nor pullable
 * (an offline laptop, an air-gapped site) and the emulator binary is installed: then the binary,
 * with a notice that says so and how to get the image. Once the binary emulator runs, later starts
 * find it again (no pull attempted each time, no second notice).
 */
async function startDockerOrBinary(settings: EmulatorSettings, env: NodeJS.ProcessEnv): Promise<RunningEmulator> {
  const inDocker = await findDockerEmulators(settings.name);
  if (inDocker.length === 0) {
    const binary = findBinaryEmulators(settings.name).find((e) => e.faultInjection === settings.faultInjection);
    if (binary) return { ...binary, reused: true };
  }
  try {
    return await startDockerEmulator(settings);
  } catch (error) {
    const binary = findEmulatorBinary(env);
    if ((error as { code?: string }).code !== 'IMAGE_MISSING' || !binary) throw error;
    const running = await startBinaryEmulator(settings);
    return {
      ...running,
      notice:
        `The emulator image ${settings.image} is not on this machine and could not be pulled, so the installed emulator binary runs instead (${binary}). ` +
        `To use Docker: docker pull ${settings.image} when online, or build the image from the binary (emulator/build-image.sh).`,
    };
  }
}

async function externalEmulator(env: NodeJS.ProcessEnv): Promise<RunningEmulator> {
  const host = env.SPANNER_EMULATOR_HOST;
  if (!host) {
    throw new UserFacingError('Backend "external" needs SPANNER_EMULATOR_HOST.', 'Set SPANNER_EMULATOR_HOST=127.0.0.1:9010 (host:port, no scheme).', 'NO_EXTERNAL');
  }
  assertEmulatorHost(host);
  const [hostname, port] = splitHost(host);
  try {
    await waitForPort(hostname.replace(/^\[|\]$/g, ''), port, 2_000);
  } catch {
    throw new UserFacingError(
      `Nothing answers at SPANNER_EMULATOR_HOST=${host}.`,
      'Start that emulator, or unset SPANNER_EMULATOR_HOST and let luigi-spanner start one (--backend docker or binary).',
      'NO_EXTERNAL',
    );
  }
  return { backend: 'external', host, handle: host, reused: true, faultInjection: false, name: 'external' };
}

export interface DatabaseOptions {
  /** Drop and recreate the database (with migrations and seeds): a clean slate. */
  fresh?: boolean;
}

export interface EnsureDatabaseResult extends ProvisionResult {
  /** True when the REST check proved the database ready and the gRPC client was never loaded. */
  fastPath: boolean;
}

/**
 * Makes the configured database exist with every migration applied (and seeds, when it is
 * created). Through the emulator's REST gateway when it can (a few milliseconds: a ledger that
 * already matches, or a new database without seeds); anything else goes through provision() and
 * the Spanner client (about a second to load), which also names what failed.
 */
export async function ensureDatabase(running: RunningEmulator, settings: EmulatorSettings, options: DatabaseOptions = {}): Promise<EnsureDatabaseResult> {
  const started = performance.now();
  const target = { host: running.host, projectId: settings.projectId, instanceId: settings.instanceId, databaseId: settings.databaseId };
  if (!options.fresh && running.restHost) {
    const migrations = settings.migrationsDir ? loadMigrations(settings.migrationsDir) : [];
    const rest = { ...target, restHost: running.restHost };
    const fast = { seeded: [], dropped: false, fastPath: true };
    if (await isProvisionedViaRest(rest, migrations, settings.workspace)) {
      return { ...fast, created: false, applied: [], alreadyApplied: migrations.map((m) => m.name), millis: performance.now() - started };
    }
    // A database that does not exist yet and has no seeds (DML) to take: one CreateDatabase over REST.
    if (!settings.seedsDir && (await createDatabaseViaRest(rest, migrations, settings.workspace))) {
      return { ...fast, created: true, applied: migrations.map((m) => m.name), alreadyApplied: [], millis: performance.now() - started };
    }
  }
  const { provision } = await import('./provision');
  const result = await provision({ ...target, migrationsDir: settings.migrationsDir, seedsDir: settings.seedsDir, fresh: options.fresh, workspace: settings.workspace });
  return { ...result, fastPath: false };
}

/** Every emulator of this tool that runs (docker and binary), all names unless `name` is given. */
export async function emulatorStatus(name?: string): Promise<EmulatorStatus> {
  const docker = (await isDockerAvailable()) ? await findDockerEmulators(name) : [];
  const emulators = [...docker, ...findBinaryEmulators(name)];
  return { state: emulators.length > 0 ? 'running' : 'stopped', emulators };
}

/** Stops every emulator this tool started (containers by label, binaries by state file), or those named `name`. */
export async function stopEmulators(name?: string): Promise<string[]> {
  const stopped = (await isDockerAvailable()) ? await stopDockerEmulators(name) : [];
  return [...stopped, ...(await stopBinaryEmulators(name))];
}

export interface ResetResult {
  emulator: RunningEmulator;
  database: EnsureDatabaseResult;
  /** True when the emulator itself was restarted (full reset). */
  restarted: boolean;
}

/**
 * `fresh` (default): drop and recreate the database with its migrations, no restart.
 * `full`: stop the emulator and start a new one (every database gone), then provision.
 * Both refuse unless the target is an emulator (host check here, server check in provision).
 */
export async function resetEmulator(settings: EmulatorSettings, options: { full?: boolean } = {}, env: NodeJS.ProcessEnv = process.env): Promise<ResetResult> {
  const backend = await chooseBackend(settings, env);
  if (options.full) {
    if (backend === 'external') {
      throw new UserFacingError(
        'A full reset restarts the emulator, but this one is external (SPANNER_EMULATOR_HOST): luigi-spanner does not own it.',
        'Restart it where it runs, or reset only the database (luigi-spanner emulator reset without --full).',
        'NOT_OURS',
      );
    }
    await stopEmulators(settings.name);
    const emulator = await startEmulator(settings, env);
    const database = await ensureDatabase(emulator, settings, { fresh: true });
    return { emulator, database, restarted: true };
  }
  const emulator = await startEmulator(settings, env);
  assertEmulatorHost(emulator.host);
  const database = await ensureDatabase(emulator, settings, { fresh: true });
  return { emulator, database, restarted: false };
}
