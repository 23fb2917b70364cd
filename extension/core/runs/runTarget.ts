// Where a run writes: a fresh database per run (default) or the workspace's database (--keep-state).
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { databaseHandle, emulatorClientEnv, emulatorSpanner, provision, startEmulator, type EmulatorSettings, type RunningEmulator, type Target } from '../../../emulator/src';

/** The emulator caps databases per instance (100); old run databases are dropped beyond this many. */
const KEEP_RUN_DATABASES = 8;
const RUN_DATABASE = /^run-[0-9a-z]+-[0-9a-z]+$/;

export interface PreparedTarget {
  emulator: RunningEmulator;
  target: Target;
  /** Environment for the pipeline process: connection, ids, emulator client switches. */
  env: Record<string, string>;
  migrationsDir?: string;
  appliedMigrations: string[];
}

/** The nearest `migrations/` folder at or above the pipeline file, not above `root`. */
export function findMigrationsDir(pipelineFile: string, root: string): string | undefined {
  let dir = path.dirname(path.resolve(pipelineFile));
  const stop = path.resolve(root);
  for (;;) {
    const candidate = path.join(dir, 'migrations');
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
    if (dir === stop || path.dirname(dir) === dir || !dir.startsWith(stop)) return undefined;
    dir = path.dirname(dir);
  }
}

export function runDatabaseId(now = Date.now()): string {
  return `run-${now.toString(36)}-${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
}

export async function prepareRunTarget(options: {
  settings: EmulatorSettings;
  migrationsDir?: string;
  keepState?: boolean;
  /** Continue in this database (e.g. rerun the failed tasks of an earlier run); implies keeping state. */
  databaseId?: string;
  onProgress?: (message: string) => void;
}): Promise<PreparedTarget> {
  const progress = options.onProgress ?? (() => {});
  progress('Starting the Spanner emulator ...');
  const emulator = await startEmulator(options.settings);
  progress(`Emulator ${emulator.reused ? 'reused' : 'started'} (${emulator.backend}) at ${emulator.host}`);
  const target: Target = {
    host: emulator.host,
    projectId: options.settings.projectId,
    instanceId: options.settings.instanceId,
    databaseId: options.databaseId ?? (options.keepState ? options.settings.databaseId : runDatabaseId()),
  };
  const fresh = !options.keepState && !options.databaseId;
  progress(fresh ? `Creating fresh database ${target.databaseId} ...` : `Migrating database ${target.databaseId} (state kept) ...`);
  const result = await provision({ ...target, migrationsDir: options.migrationsDir });
  if (fresh) await pruneRunDatabases(target);
  return {
    emulator,
    target,
    migrationsDir: options.migrationsDir,
    appliedMigrations: result.applied,
    env: {
      ...emulatorClientEnv(target.host),
      GOOGLE_CLOUD_PROJECT: target.projectId,
      SPANNER_INSTANCE: target.instanceId,
      SPANNER_DATABASE: target.databaseId,
    },
  };
}

async function pruneRunDatabases(target: Target): Promise<void> {
  const spanner = emulatorSpanner(target.host, target.projectId);
  try {
    const [databases] = await spanner.instance(target.instanceId).getDatabases();
    const runs = databases
      .map((d) => d.formattedName_.split('/').pop()!)
      .filter((id) => RUN_DATABASE.test(id) && id !== target.databaseId)
      .sort()
      .reverse();
    for (const id of runs.slice(KEEP_RUN_DATABASES - 1)) await databaseHandle(spanner, target.instanceId, id).delete();
  } finally {
    spanner.close();
  }
}
