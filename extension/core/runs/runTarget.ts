// Where a run writes: a fresh database per run (default) or the workspace's database (--keep-state).
import { databaseHandle, emulatorClientEnv, emulatorSpanner, ensureDatabase, startEmulator, validateIds, type EmulatorSettings, type RunningEmulator, type Target } from '../../../emulator/src';
import { assertIsEmulator } from '../../../emulator/src/provision';
import { dropDatabaseViaRest, listDatabasesViaRest } from '../../../emulator/src/rest';
import { ENV, MARKER_TABLE } from '../../shared/contract';

/** The emulator caps databases per instance (100); old run databases are dropped beyond this many. */
const KEEP_RUN_DATABASES = 8;
// run-<workspace tag>-<time>-<random>; without the tag from runs outside a workspace and from older versions.
const RUN_DATABASE = /^run-(?:([0-9a-f]{6})-)?([0-9a-z]+)-([0-9a-z]+)$/;

export interface PreparedTarget {
  emulator: RunningEmulator;
  target: Target;
  /** Environment for the pipeline process: connection, ids, emulator client switches. */
  env: Record<string, string>;
  migrationsDir?: string;
  appliedMigrations: string[];
  /** How the database was made ready: the emulator's REST gateway, or the Spanner client. */
  provisionedVia: ProvisionPath;
}

export type ProvisionPath = 'rest' | 'client';

import { workspaceTag } from '../settings';

export { findMigrationsDir } from '../settings';

/** A database a run created (`run-<tag>-<time>-<random>`): the tool's own scratch, dropped by later runs' prune. */
export function isRunDatabase(databaseId: string): boolean {
  return RUN_DATABASE.test(databaseId);
}

/** A fresh run database id; tagged with the workspace so that its prune leaves other workspaces' runs alone. */
export function runDatabaseId(now = Date.now(), workspace?: string): string {
  return `run-${workspace ? `${workspaceTag(workspace)}-` : ''}${now.toString(36)}-${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
}

export interface RunTargetOptions {
  settings: EmulatorSettings;
  migrationsDir?: string;
  keepState?: boolean;
  /** Continue in this database (e.g. rerun the failed tasks of an earlier run); implies keeping state. */
  databaseId?: string;
  onProgress?: (message: string) => void;
}

/** The emulator (started or found) and the database a run will use; nothing is provisioned yet. */
export interface ChosenTarget {
  emulator: RunningEmulator;
  target: Target;
  /** The settings, pointing at the run's database. */
  settings: EmulatorSettings;
  /** A new database for this run (the default), as opposed to kept state. */
  fresh: boolean;
  /** Environment for the pipeline process: connection, ids, emulator client switches. */
  env: Record<string, string>;
}

export async function chooseRunTarget(options: RunTargetOptions): Promise<ChosenTarget> {
  const progress = options.onProgress ?? (() => {});
  progress('Starting the Spanner emulator ...');
  const emulator = await startEmulator(options.settings);
  progress(`Emulator ${emulator.reused ? 'reused' : 'started'} (${emulator.backend}) at ${emulator.host}`);
  if (emulator.notice) progress(`note: ${emulator.notice}`);
  const target: Target = {
    host: emulator.host,
    projectId: options.settings.projectId,
    instanceId: options.settings.instanceId,
    databaseId: options.databaseId ?? (options.keepState ? options.settings.databaseId : runDatabaseId(Date.now(), options.settings.workspace)),
    markerTable: options.settings.markerTable,
  };
  validateIds(target);
  return { emulator, target, settings: { ...options.settings, databaseId: target.databaseId }, fresh: !options.keepState && !options.databaseId, env: runEnv(target) };
}

/**
 * What the pipeline process needs to reach `target`: the same variables real Cloud Spanner takes,
 * plus the emulator's, plus the marker table when the workspace names its own (otherwise the
 * pipeline's luigi.cfg stays in charge).
 */
export function runEnv(target: Target): Record<string, string> {
  return {
    ...emulatorClientEnv(target.host),
    [ENV.project]: target.projectId,
    [ENV.instance]: target.instanceId,
    [ENV.database]: target.databaseId,
    ...(target.markerTable && target.markerTable !== MARKER_TABLE ? { [ENV.markerTable]: target.markerTable } : {}),
  };
}

/** Makes the run's database ready (see ensureDatabase: over REST when it can) and returns the migrations applied. */
export async function provisionRunDatabase(
  chosen: ChosenTarget,
  migrationsDir: string | undefined,
  onProgress?: (message: string) => void,
): Promise<{ applied: string[]; via: ProvisionPath }> {
  const { target, fresh } = chosen;
  onProgress?.(fresh ? `Creating fresh database ${target.databaseId} ...` : `Migrating database ${target.databaseId} (state kept) ...`);
  // Run databases take migrations only: seeds belong to the workspace's own database.
  const result = await ensureDatabase(chosen.emulator, { ...chosen.settings, migrationsDir, seedsDir: undefined });
  return { applied: result.applied, via: result.fastPath ? 'rest' : 'client' };
}

/** Starts or finds the emulator and provisions the run's database (callers that run later, e.g. reproduce). */
export async function prepareRunTarget(options: RunTargetOptions): Promise<PreparedTarget> {
  const chosen = await chooseRunTarget(options);
  const { applied, via } = await provisionRunDatabase(chosen, options.migrationsDir, options.onProgress);
  if (chosen.fresh) await pruneRunDatabases(chosen);
  return { emulator: chosen.emulator, target: chosen.target, env: chosen.env, migrationsDir: options.migrationsDir, appliedMigrations: applied, provisionedVia: via };
}

/**
 * The emulator caps databases per instance, so run databases beyond the newest few are dropped.
 * Only `run-*` ids, only on the emulator the run used; best effort (a failed prune never fails a run).
 */
export async function pruneRunDatabases(chosen: Pick<ChosenTarget, 'emulator' | 'target'>): Promise<void> {
  const { emulator, target } = chosen;
  try {
    const rest = emulator.restHost ? { ...target, restHost: emulator.restHost } : undefined;
    const ids = rest ? await listDatabasesViaRest(rest) : undefined;
    if (rest && ids) {
      for (const id of oldRunDatabases(ids, target.databaseId)) await dropDatabaseViaRest({ ...rest, databaseId: id });
      return;
    }
    const spanner = emulatorSpanner(target.host, target.projectId);
    try {
      await assertIsEmulator(spanner, target.host);
      const [databases] = await spanner.instance(target.instanceId).getDatabases();
      const all = databases.map((d) => d.formattedName_.split('/').pop()!);
      for (const id of oldRunDatabases(all, target.databaseId)) await databaseHandle(spanner, target.instanceId, id).delete();
    } finally {
      spanner.close();
    }
  } catch {
    // Left for the next run's prune.
  }
}

/**
 * Run database ids beyond the newest KEEP_RUN_DATABASES (the current one counts), oldest last: those
 * of the current run's workspace, and untagged ones (older versions) that nobody else would prune.
 * Other workspaces' run databases on a shared emulator are theirs to prune.
 */
export function oldRunDatabases(ids: string[], current: string): string[] {
  const tag = RUN_DATABASE.exec(current)?.[1];
  return ids
    .map((id) => ({ id, match: RUN_DATABASE.exec(id) }))
    .filter(({ id, match }) => match && id !== current && (match[1] === undefined || match[1] === tag))
    .sort((a, b) => parseInt(b.match![2]!, 36) - parseInt(a.match![2]!, 36))
    .slice(KEEP_RUN_DATABASES - 1)
    .map(({ id }) => id);
}
