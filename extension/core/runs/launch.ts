// One run end to end: emulator, database, Luigi. Python's start-up (Luigi and the Spanner client
// load in ~1 s) overlaps with provisioning: the runner is spawned as soon as the database id is
// known and released once the database is ready. Old run databases are pruned after the run.
import { UserFacingError } from '../errors';
import { recordLastRun } from './lastRun';
import { startRun, type RunHandle, type RunRequest } from './runPipeline';
import { chooseRunTarget, provisionRunDatabase, pruneRunDatabases, type PreparedTarget, type RunTargetOptions } from './runTarget';

export interface LaunchRequest extends Omit<RunRequest, 'env' | 'awaitGo'>, RunTargetOptions {
  /** Extra environment for the pipeline, on top of the connection to the run's database. */
  env?: Record<string, string>;
}

export interface LaunchedRun {
  prepared: PreparedTarget;
  /** `done` settles after the run and the prune of old run databases. */
  handle: RunHandle;
}

export async function launchRun(request: LaunchRequest): Promise<LaunchedRun> {
  const { settings, migrationsDir, keepState, databaseId, onProgress, env, ...run } = request;
  const chosen = await chooseRunTarget({ settings, migrationsDir, keepState, databaseId, onProgress });
  // Inspect and Query (editor and CLI) read this run's database by default from now on.
  if (settings.workspace) {
    recordLastRun({ workspace: settings.workspace, databaseId: chosen.target.databaseId, task: run.task, emulator: { handle: chosen.emulator.handle, host: chosen.emulator.host, name: chosen.emulator.name } });
  }
  const handle = startRun({ ...run, env: { ...chosen.env, ...env }, awaitGo: true });
  // Settled below; this keeps an early failure (no Python) from counting as unhandled meanwhile.
  handle.done.catch(() => undefined);
  let provisioned: Awaited<ReturnType<typeof provisionRunDatabase>>;
  try {
    provisioned = await provisionRunDatabase(chosen, migrationsDir, onProgress);
  } catch (error) {
    handle.cancel();
    await handle.done.catch(() => undefined);
    throw error;
  }
  handle.release();
  const done = chosen.fresh ? handle.done.then(async (outcome) => (await pruneRunDatabases(chosen), outcome)) : handle.done;
  return {
    prepared: { emulator: chosen.emulator, target: chosen.target, env: chosen.env, migrationsDir, appliedMigrations: provisioned.applied, provisionedVia: provisioned.via },
    handle: { ...handle, done },
  };
}

/** Luigi's default central scheduler port (luigid --port). */
export const DEFAULT_SCHEDULER_PORT = 8082;

/**
 * A central scheduler (`luigid`) as `HOST:PORT`, `HOST` (port 8082) or `[IPv6]:PORT`, from the
 * `--scheduler` flag or the `luigiSpanner.run.scheduler` setting. Empty means the local scheduler.
 */
export function parseScheduler(value: string | undefined): { host: string; port: number } | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::(\d{1,5}))?$/.exec(text);
  const port = match?.[2] === undefined ? DEFAULT_SCHEDULER_PORT : Number(match[2]);
  if (!match || port < 1 || port > 65535) {
    throw new UserFacingError(
      `Scheduler "${text}" is not HOST:PORT.`,
      'Give the central luigid as host:port without a scheme, e.g. 127.0.0.1:8082 (start it with: luigid --port 8082), or leave it empty for the local scheduler.',
      'BAD_SCHEDULER',
    );
  }
  return { host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port };
}

