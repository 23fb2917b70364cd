// Provisioning through the admin APIs: instance, database, versioned migrations with a ledger.
import type { Database, Instance, Spanner } from '@google-cloud/spanner';
import { UserFacingError } from '../../extension/core/errors';
import { databaseHandle, emulatorSpanner, FAIL_FAST_QUERY, grpcCode, GrpcCode, NO_PREFILL, spannerModule } from './client';
import { loadMigrations, loadSeeds, type Migration, type SeedFile } from './migrations';
import { LEDGER_ADD_WORKSPACE_DDL, LEDGER_DDL, LEDGER_TABLE, otherOwner, ownedBy, ownedElsewhereError, type LedgerRow } from './ledger';
import { validateIds } from './settings';

export { LEDGER_TABLE, type LedgerRow } from './ledger';

export interface Target {
  host: string;
  projectId: string;
  instanceId: string;
  databaseId: string;
  /** The completion-marker table the pipelines write there (default DEFAULT_MARKER_TABLE). */
  markerTable?: string;
}

export interface ProvisionOptions extends Target {
  migrationsDir?: string;
  /** Seed DML files (`*.sql`), applied after the migrations when the database is created. */
  seedsDir?: string;
  /** Drop the database first when it exists: a clean slate for a run or a test. */
  fresh?: boolean;
  /**
   * The workspace asking (absolute folder), recorded in the ledger. A database another existing
   * workspace migrated is refused, for migrating and for `fresh` alike.
   */
  workspace?: string;
}

export interface ProvisionResult {
  created: boolean;
  applied: string[];
  alreadyApplied: string[];
  /** Seed files applied (only when the database was created by this call). */
  seeded: string[];
  /** True when an existing database was dropped first (fresh). */
  dropped: boolean;
  millis: number;
}

export async function ensureInstance(spanner: Spanner, target: Target): Promise<Instance> {
  const instance = spanner.instance(target.instanceId);
  try {
    const [, operation] = await spanner.createInstance(target.instanceId, {
      config: 'emulator-config',
      nodes: 1,
      displayName: target.instanceId,
    });
    await operation.promise();
  } catch (error) {
    if (grpcCode(error) !== GrpcCode.ALREADY_EXISTS) throw error;
  }
  return instance;
}

async function databaseExists(instance: Instance, databaseId: string): Promise<boolean> {
  const [exists] = await instance.database(databaseId, NO_PREFILL).exists();
  return exists;
}

/**
 * Makes `target` exist with every migration applied, recording each in the ledger.
 * A migration whose file changed after it was applied is a drift error naming the file.
 * When the database is created by this call and a migration fails, it is dropped again.
 */
export async function provision(options: ProvisionOptions): Promise<ProvisionResult> {
  validateIds(options);
  const started = performance.now();
  const migrations = options.migrationsDir ? loadMigrations(options.migrationsDir) : [];
  const seeds = options.seedsDir ? loadSeeds(options.seedsDir) : [];
  const spanner = emulatorSpanner(options.host, options.projectId);
  try {
    // Before the first request that writes (CreateInstance): the host check alone cannot prove
    // that what answers is an emulator.
    await assertIsEmulator(spanner, options.host);
    const instance = await ensureInstance(spanner, options);
    let exists = await databaseExists(instance, options.databaseId);
    let dropped = false;
    if (exists && options.fresh) {
      await refuseOtherWorkspace(instance.database(options.databaseId, NO_PREFILL), options);
      await instance.database(options.databaseId, NO_PREFILL).delete();
      exists = false;
      dropped = true;
    }
    if (!exists) {
      const database = await createWithMigrations(instance, options.databaseId, migrations, options.workspace);
      try {
        await applySeeds(database, seeds);
      } catch (error) {
        await database.close();
        await dropQuietly(instance, options.databaseId);
        throw error;
      }
      await database.close();
      return {
        created: true,
        applied: migrations.map((m) => m.name),
        alreadyApplied: [],
        seeded: seeds.map((f) => f.name),
        dropped,
        millis: performance.now() - started,
      };
    }
    const database = instance.database(options.databaseId, NO_PREFILL);
    try {
      const ledger = await readLedger(database);
      const owner = otherOwner(ledger.rows, options.workspace);
      if (owner) throw ownedElsewhereError(options.databaseId, owner, options.workspace!);
      const { pending, done } = planMigrations(migrations, ledger, { databaseId: options.databaseId, workspace: options.workspace });
      if (!ledger.tableExists) await updateSchema(database, [LEDGER_DDL], undefined);
      else if (!ledger.hasWorkspaceColumn) await updateSchema(database, [LEDGER_ADD_WORKSPACE_DDL], undefined);
      for (const migration of pending) await applyMigration(database, migration, false, options.workspace);
      // Rows of an old ledger (or of a workspace that is gone) matched this workspace's files: they are its now.
      if (options.workspace && ledger.rows.some((r) => r.workspace !== options.workspace)) await claimLedger(database, options.workspace);
      return {
        created: false,
        applied: pending.map((m) => m.name),
        alreadyApplied: done.map((m) => m.name),
        seeded: [],
        dropped: false,
        millis: performance.now() - started,
      };
    } finally {
      await database.close();
    }
  } finally {
    spanner.close();
  }
}

/**
 * The server-side half of "only ever an emulator": the emulator has exactly one instance
 * configuration, `emulator-config`; a real Spanner project has regional ones.
 */
export async function assertIsEmulator(spanner: Spanner, host: string): Promise<void> {
  const [configs] = await spanner.getInstanceConfigs();
  const names = configs.map((c) => String(c.name ?? '').split('/').pop());
  if (names.length !== 1 || names[0] !== 'emulator-config') {
    throw new UserFacingError(
      `${host} does not answer like the Spanner emulator (instance configs: ${names.slice(0, 5).join(', ') || 'none'}): refusing a destructive action.`,
      'Point SPANNER_EMULATOR_HOST at the local emulator (luigi-spanner emulator start prints it).',
      'NOT_EMULATOR',
    );
  }
}

/**
 * Seeds run in one read-write transaction per file; a rejected statement rolls its file back
 * and the caller drops the database, so a failed seed never leaves a half-seeded database.
 */
async function applySeeds(database: Database, seeds: SeedFile[]): Promise<void> {
  for (const seed of seeds) {
    if (seed.statements.length === 0) continue;
    try {
      await database.runTransactionAsync(async (transaction) => {
        await transaction.batchUpdate(seed.statements);
        await transaction.commit();
      });
    } catch (error) {
      // batchUpdate reports the counts of the statements that ran before the failing one.
      const done = (error as { rowCounts?: number[] }).rowCounts?.length ?? 0;
      const statement = seed.statements[done] ?? '';
      throw new UserFacingError(
        `Seed ${seed.name} failed at statement ${done + 1} of ${seed.statements.length}: ${(error as Error).message}\n  statement: ${statement.split('\n').join('\n             ')}`,
        `Fix the statement in ${seed.file}; the database was not created.`,
        'SEED_FAILED',
      );
    }
  }
}

/**
 * Fast path: one CreateDatabase carrying every statement (about 30 ms on the emulator).
 * When it fails, the database is rebuilt file by file to name the migration and statement at fault.
 */
async function createWithMigrations(instance: Instance, databaseId: string, migrations: Migration[], workspace: string | undefined): Promise<Database> {
  const allStatements = [LEDGER_DDL, ...migrations.flatMap((m) => m.statements)];
  try {
    const [database, operation] = await instance.createDatabase(databaseId, { extraStatements: allStatements });
    await operation.promise();
    await recordApplied(database, migrations, workspace);
    return database;
  } catch (error) {
    await dropQuietly(instance, databaseId);
    if (migrations.length === 0) throw error;
  }
  // Slow path, only to attribute the failure.
  const [database, operation] = await instance.createDatabase(databaseId, { extraStatements: [LEDGER_DDL] });
  await operation.promise();
  try {
    for (const migration of migrations) await applyMigration(database, migration, true, workspace);
  } catch (error) {
    await database.close();
    await dropQuietly(instance, databaseId);
    throw error;
  }
  throw new UserFacingError(
    'Creating the database with all migrations failed, but applying them one by one succeeded.',
    'Run the command again; if it repeats, report it with the migrations folder.',
  );
}

async function dropQuietly(instance: Instance, databaseId: string): Promise<void> {
  try {
    await instance.database(databaseId, NO_PREFILL).delete();
  } catch {
    // Never created: nothing to clean.
  }
}

/**
 * `oneByOne` sends each statement alone so that a rejected one is named exactly; used when
 * the database is scratch (created by this call and dropped on failure). On an existing
 * database the file goes in one request, and the culprit comes from the operation's metadata.
 */
async function applyMigration(database: Database, migration: Migration, oneByOne: boolean, workspace: string | undefined): Promise<void> {
  const batches = oneByOne ? migration.statements.map((s, i) => ({ statements: [s], offset: i })) : [{ statements: migration.statements, offset: 0 }];
  for (const batch of batches) {
    if (batch.statements.length > 0) await updateSchema(database, batch.statements, migration, batch.offset);
  }
  await recordApplied(database, [migration], workspace);
}

async function updateSchema(database: Database, statements: string[], migration: Migration | undefined, offset = 0): Promise<void> {
  let operation: { metadata?: unknown; promise(): Promise<unknown> } | undefined;
  try {
    [operation] = await database.updateSchema(statements);
    await operation.promise();
  } catch (error) {
    if (!migration) throw error;
    // Statements before the failing one have committed; their count points at the culprit.
    const metadata = operation?.metadata as { commitTimestamps?: unknown[] } | undefined;
    const known = statements.length === 1 || metadata?.commitTimestamps !== undefined;
    const index = offset + Math.min(metadata?.commitTimestamps?.length ?? 0, statements.length - 1);
    const total = migration.statements.length;
    const where = known ? `at statement ${index + 1} of ${total}` : `in one of its ${total} statements`;
    const statement = known ? `\n  statement: ${(migration.statements[index] ?? '').split('\n').join('\n             ')}` : '';
    throw new UserFacingError(
      `Migration ${migration.name} failed ${where}: ${(error as Error).message}${statement}`,
      `Fix the statement in ${migration.file}.` + (known && index > 0 ? ` Statements 1-${index} of it may have been applied; reset the database (luigi-spanner emulator reset) before migrating again.` : ''),
      'MIGRATION_FAILED',
    );
  }
}

async function recordApplied(database: Database, migrations: Migration[], workspace: string | undefined): Promise<void> {
  if (migrations.length === 0) return;
  await database.table(LEDGER_TABLE).insert(
    migrations.map((m) => ({ Version: m.version, Name: m.name, Checksum: m.checksum, AppliedAt: spannerModule().Spanner.COMMIT_TIMESTAMP, Workspace: workspace ?? null })),
  );
}

async function claimLedger(database: Database, workspace: string): Promise<void> {
  await database.runTransactionAsync(async (transaction) => {
    await transaction.runUpdate({ sql: `UPDATE ${LEDGER_TABLE} SET Workspace = @workspace WHERE Workspace IS NULL OR Workspace != @workspace`, params: { workspace } });
    await transaction.commit();
  });
}

/** Before `fresh` drops a database: never one that another workspace migrated. */
async function refuseOtherWorkspace(database: Database, options: ProvisionOptions): Promise<void> {
  if (!options.workspace) return;
  try {
    const owner = otherOwner((await readLedger(database)).rows, options.workspace);
    if (owner) throw ownedElsewhereError(options.databaseId, owner, options.workspace);
  } finally {
    await database.close();
  }
}

export interface Ledger {
  tableExists: boolean;
  /** False for ledgers written before workspaces were recorded (provision adds the column). */
  hasWorkspaceColumn: boolean;
  rows: LedgerRow[];
}

async function readLedger(database: Database): Promise<Ledger> {
  try {
    const [columns] = await database.run({
      sql: "SELECT column_name FROM information_schema.columns WHERE table_schema = '' AND table_name = @table",
      params: { table: LEDGER_TABLE },
      json: true,
      gaxOptions: FAIL_FAST_QUERY,
    });
    const names = new Set((columns as Array<{ column_name: string }>).map((c) => c.column_name));
    if (names.size === 0) return { tableExists: false, hasWorkspaceColumn: false, rows: [] };
    const hasWorkspaceColumn = names.has('Workspace');
    const [rows] = await database.run({
      sql: `SELECT Version, Name, Checksum, AppliedAt${hasWorkspaceColumn ? ', Workspace' : ''} FROM ${LEDGER_TABLE} ORDER BY Version`,
      json: true,
      gaxOptions: FAIL_FAST_QUERY,
    });
    return {
      tableExists: true,
      hasWorkspaceColumn,
      rows: (rows as Array<{ Version: number; Name: string; Checksum: string; AppliedAt: Date; Workspace?: string | null }>).map((r) => ({
        version: Number(r.Version),
        name: r.Name,
        checksum: r.Checksum,
        appliedAt: new Date(r.AppliedAt).toISOString(),
        workspace: r.Workspace ?? null,
      })),
    };
  } catch (error) {
    // NOT_FOUND: no such database; the caller's next request says so.
    if (grpcCode(error) === GrpcCode.NOT_FOUND) return { tableExists: false, hasWorkspaceColumn: false, rows: [] };
    throw error;
  }
}

export interface PlanContext {
  databaseId?: string;
  /** The workspace migrating: only a database it migrated itself gets "reset" proposed as a way out. */
  workspace?: string;
}

export function planMigrations(migrations: Migration[], ledger: Pick<Ledger, 'rows'> & Partial<Ledger>, context: PlanContext = {}): { pending: Migration[]; done: Migration[] } {
  const ours = ownedBy(ledger.rows, context.workspace);
  const database = context.databaseId ? `database ${context.databaseId}` : 'the database';
  const byVersion = new Map(ledger.rows.map((r) => [r.version, r]));
  const pending: Migration[] = [];
  const done: Migration[] = [];
  for (const migration of migrations) {
    const row = byVersion.get(migration.version);
    if (!row) {
      pending.push(migration);
    } else if (row.name !== migration.name) {
      // Not a changed file: another migrations folder (another project) made this database.
      throw new UserFacingError(
        `Migration ${migration.version} of ${database} is ${row.name} (applied ${row.appliedAt}${row.workspace ? ` by ${row.workspace}` : ''}), ` +
          `but this workspace's migration ${migration.version} is ${migration.name}: the database was migrated from other migration files.`,
        'Give this workspace a database of its own: drop the shared id where it is set (luigi-spanner.json "databaseId", --database, ' +
          'SPANNER_DATABASE or the editor setting luigiSpanner.spanner.databaseId; without one each workspace gets its own), or set another id there.',
        'MIGRATIONS_OF_ANOTHER_FOLDER',
      );
    } else if (row.checksum !== migration.checksum) {
      throw new UserFacingError(
        `Migration drift: ${migration.file} changed after it was applied to ${database} (at ${row.appliedAt}).`,
        'Revert the file and put the change in a new migration with a higher version' +
          (ours ? ', or start this workspace\'s database over (luigi-spanner emulator reset).' : '.'),
        'MIGRATION_DRIFT',
      );
    } else {
      done.push(migration);
    }
  }
  const lastApplied = Math.max(0, ...ledger.rows.map((r) => r.version));
  const late = pending.filter((m) => m.version < lastApplied);
  if (late.length > 0) {
    throw new UserFacingError(
      `Migration ${late[0]!.name} has a lower version than the last applied one (${lastApplied}).`,
      'Give it a version above the last applied migration' + (ours ? ', or start this workspace\'s database over (luigi-spanner emulator reset).' : '.'),
      'MIGRATION_OUT_OF_ORDER',
    );
  }
  return { pending, done };
}

export async function readMigrationLedger(target: Target): Promise<LedgerRow[]> {
  const spanner = emulatorSpanner(target.host, target.projectId);
  const database = databaseHandle(spanner, target.instanceId, target.databaseId);
  try {
    return (await readLedger(database)).rows;
  } finally {
    await database.close();
    spanner.close();
  }
}

/** Deletes a database; refuses unless the host answers like the emulator. */
export async function dropDatabase(target: Target): Promise<boolean> {
  const spanner = emulatorSpanner(target.host, target.projectId);
  try {
    await assertIsEmulator(spanner, target.host);
    const database = databaseHandle(spanner, target.instanceId, target.databaseId);
    const [exists] = await database.exists();
    if (exists) await database.delete();
    return exists;
  } finally {
    spanner.close();
  }
}
