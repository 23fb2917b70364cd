// One run end to end: emulator, database, Luigi. Python's start-up (Luigi and the Spanner client
// load in ~1 s) overlaps with provisioning: the runner is spawned as soon as the database id is
// known and released once the database is ready. Old run databases are pruned after the run.
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
