// Workspace settings end to end, through the real CLI against the suite's emulator (reached as an
// external one): luigi-spanner.json reaches `run` as it reaches `emulator`, and a workspace's own
// completion-marker table is what inspect, the run history, the debugger and --force use.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDatabase, emulatorSpanner, loadMigrations, type Target } from '../../emulator/src';
import { workspaceDatabaseId } from '../../extension/core/settings';
import { SpannerReader } from '../../extension/core/debugger/database';
import { markerRowCounts } from '../../extension/core/runs/history';
import { buildCli } from '../support/cli';
import { emulatorHost, query, TEST_INSTANCE, TEST_PROJECT, uniqueDatabaseId } from '../support/emulator';
import { REPO_ROOT, testPython } from '../support/python';

// Bundled into <tmp>/dist/cli.js beside a link to extension/: the CLI finds the runner as in a real install.
const toolRoot = mkdtempSync(path.join(os.tmpdir(), 'luigi-spanner-settings-cli-'));
const cli = path.join(toolRoot, 'dist', 'cli.js');
const CUSTOM_MARKERS = path.join(REPO_ROOT, 'test', 'fixtures', 'custom-markers');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      { env: { ...process.env, NODE_PATH: path.join(REPO_ROOT, 'node_modules'), SPANNER_EMULATOR_HOST: emulatorHost(), ...env }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The JSON events `run --json` printed; a run that printed none fails with what it said instead. */
function events(result: CliResult): Array<Record<string, unknown> & { type: string }> {
  const lines = result.stdout.trim().split('\n').filter((line) => line.startsWith('{'));
  if (lines.length === 0) throw new Error(`the run printed no events (exit ${result.code}):\n${result.stderr}`);
  return lines.map((line) => JSON.parse(line) as Record<string, unknown> & { type: string });
}

const databases: string[] = [];
function databaseFor(prefix: string): string {
  const id = uniqueDatabaseId(prefix);
  databases.push(id);
  return id;
}

/** A copy of `fixture` (or an empty folder) with a luigi-spanner.json pointing at the suite's emulator. */
function workspace(config: Record<string, unknown>, fixture?: string): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ws-'));
  if (fixture) cpSync(fixture, root, { recursive: true });
  writeFileSync(path.join(root, 'luigi-spanner.json'), JSON.stringify({ projectId: TEST_PROJECT, instanceId: TEST_INSTANCE, backend: 'external', ...config }, null, 2));
  return root;
}

beforeAll(async () => {
  mkdirSync(path.join(toolRoot, 'dist'));
  symlinkSync(path.join(REPO_ROOT, 'extension'), path.join(toolRoot, 'extension'));
  await buildCli(path.join(toolRoot, 'dist'));
});

afterAll(async () => {
  for (const id of databases) await dropDatabase({ host: emulatorHost(), projectId: TEST_PROJECT, instanceId: TEST_INSTANCE, databaseId: id }).catch(() => undefined);
});

describe('luigi-spanner.json reaches every command', () => {
  it('run --keep-state writes to the database the file names, where emulator query finds the rows', async () => {
    const databaseId = databaseFor('fromjson');
    const root = workspace({ databaseId, migrationsDir: path.join(REPO_ROOT, 'samples', 'orders', 'migrations') });
    const result = await run(['run', path.join(REPO_ROOT, 'samples', 'orders', 'pipeline.py'), 'LoadCustomers', '--keep-state', '--root', root, '--python', testPython(), '--json']);
    expect(result.stderr).toMatch(new RegExp(`in database ${databaseId}`));
    expect(events(result).at(-1)).toMatchObject({ type: 'summary', success: true });
    const counted = await run(['emulator', 'query', 'SELECT COUNT(*) AS n FROM Customers', '--root', root, '--json']);
    expect(JSON.parse(counted.stdout).rows[0][0]).toBeGreaterThan(0);
  });
});

describe("inspect and query read the last run's database by default", () => {
  it('after a run in a fresh database, inspect and query name it and read it; --database overrides', async () => {
    const databaseId = databaseFor('lastrunws');
    const root = workspace({ databaseId, migrationsDir: path.join(REPO_ROOT, 'samples', 'orders', 'migrations') });
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'state-'));
    // The workspace's own database exists too (empty): the default must still be the run's.
    expect((await run(['emulator', 'migrate', '--root', root])).code).toBe(0);
    const result = await run(['run', path.join(REPO_ROOT, 'samples', 'orders', 'pipeline.py'), 'LoadCustomers', '--root', root, '--python', testPython(), '--json'], { LUIGI_SPANNER_STATE_DIR: stateDir });
    expect(events(result).at(-1)).toMatchObject({ type: 'summary', success: true });
    const runDatabase = /in database (run(?:-[0-9a-z]+){2,3})/.exec(result.stderr)?.[1];
    expect(runDatabase, result.stderr).toBeDefined();
    databases.push(runDatabase!);

    const inspected = JSON.parse((await run(['emulator', 'inspect', '--root', root, '--json'], { LUIGI_SPANNER_STATE_DIR: stateDir })).stdout);
    expect(inspected).toMatchObject({ database: runDatabase, databaseSource: 'lastRun' });
    expect(inspected.tables.find((t: { name: string }) => t.name === 'Customers').rowCount).toBeGreaterThan(0);
    const text = (await run(['emulator', 'inspect', '--root', root], { LUIGI_SPANNER_STATE_DIR: stateDir })).stdout;
    expect(text).toContain(`Database ${runDatabase} (last run: LoadCustomers, `);
    const counted = await run(['emulator', 'query', 'SELECT COUNT(*) FROM Customers', '--root', root], { LUIGI_SPANNER_STATE_DIR: stateDir });
    expect(counted.stderr).toContain(`Database ${runDatabase} (last run: LoadCustomers`);

    const own = JSON.parse((await run(['emulator', 'inspect', '--root', root, '--database', databaseId, '--json'], { LUIGI_SPANNER_STATE_DIR: stateDir })).stdout);
    expect(own).toMatchObject({ database: databaseId, databaseSource: 'explicit' });
    expect(own.tables.find((t: { name: string }) => t.name === 'Customers').rowCount).toBe(0);
  });
});

describe('a custom completion-marker table', () => {
  async function runNotes(root: string, extra: string[] = []) {
    const result = await run(['run', path.join(root, 'pipeline.py'), 'Notes', '--keep-state', '--root', root, '--python', testPython(), '--json', ...extra]);
    const all = events(result);
    expect(all.at(-1), result.stderr).toMatchObject({ type: 'summary', success: true });
    return all;
  }

  it('named in luigi.cfg: inspect, the run history, the debugger and --force all use it', async () => {
    const databaseId = databaseFor('cfgmarks');
    const root = workspace({ databaseId }, CUSTOM_MARKERS);
    const first = await runNotes(root);
    const runId = String(first[0]!.runId);
    const target: Target = { host: emulatorHost(), projectId: TEST_PROJECT, instanceId: TEST_INSTANCE, databaseId, markerTable: 'AuditMarkers' };
    expect(await query(target, 'SELECT TaskFamily, RowCount, RunId FROM AuditMarkers')).toEqual([{ TaskFamily: 'Notes', RowCount: 2, RunId: runId }]);

    // inspect
    const inspected = JSON.parse((await run(['emulator', 'inspect', '--root', root, '--json'])).stdout);
    expect(inspected.markers).toMatchObject({ table: 'AuditMarkers', present: true, rows: [{ TaskFamily: 'Notes', TargetTable: 'Notes', RowCount: 2, RunId: runId }] });
    const text = (await run(['emulator', 'inspect', '--root', root])).stdout;
    expect(text).toMatch(/Newest completion markers \(AuditMarkers\):/);

    // the run history's rows per task
    const taskId = String(first.find((e) => e.type === 'succeeded')!.id);
    expect(await markerRowCounts(target, runId)).toEqual(new Map([[taskId, 2]]));

    // the debugger's reader
    const reader = new SpannerReader(target);
    try {
      expect((await reader.markers({ targetTable: 'Notes' })).map((m) => [m.TaskFamily, m.RowCount, m.RunId])).toEqual([['Notes', 2, runId]]);
    } finally {
      await reader.close();
    }

    // Force rerun deletes the marker from the workspace's table, and the task runs again.
    const forced = await runNotes(root, ['--force']);
    expect(forced.find((e) => e.type === 'forced')).toMatchObject({ deleted: [{ table: 'AuditMarkers', existed: true }] });
    expect(forced.some((e) => e.type === 'succeeded')).toBe(true);
    const markers = await query<{ RunId: string }>(target, 'SELECT RunId FROM AuditMarkers');
    expect(markers.map((m) => m.RunId)).toEqual([String(forced[0]!.runId)]);
  });

  it('named in luigi-spanner.json: runs are told through LUIGI_SPANNER_MARKER_TABLE, and inspect reads it', async () => {
    const databaseId = databaseFor('jsonmarks');
    const root = workspace({ databaseId, markerTable: 'AuditMarkers' }, CUSTOM_MARKERS);
    rmSync(path.join(root, 'luigi.cfg'));
    const first = await runNotes(root);
    const target: Target = { host: emulatorHost(), projectId: TEST_PROJECT, instanceId: TEST_INSTANCE, databaseId };
    expect(await query(target, 'SELECT TaskFamily, RunId FROM AuditMarkers')).toEqual([{ TaskFamily: 'Notes', RunId: first[0]!.runId }]);
    const inspected = JSON.parse((await run(['emulator', 'inspect', '--root', root, '--json'])).stdout);
    expect(inspected.markers).toMatchObject({ table: 'AuditMarkers', present: true, rows: [{ TaskFamily: 'Notes' }] });
    const forced = await runNotes(root, ['--force']);
    expect(forced.find((e) => e.type === 'forced')).toMatchObject({ deleted: [{ table: 'AuditMarkers', existed: true }] });
  });
});

describe('projects on one emulator', () => {
  const ORDERS = { 'migrations/0001_customers_and_orders.sql': 'CREATE TABLE Customers (Id INT64 NOT NULL, Name STRING(MAX)) PRIMARY KEY (Id);' };
  const SHOP = { 'migrations/0001_init.sql': 'CREATE TABLE Products (Sku STRING(64) NOT NULL) PRIMARY KEY (Sku);' };

  /** A workspace folder named `name` with `files`, and a luigi-spanner.json unless `config` is null. */
  function project(name: string, files: Record<string, string>, config: Record<string, unknown> | null): string {
    const root = path.join(mkdtempSync(path.join(os.tmpdir(), 'proj-')), name);
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), text);
    }
    if (config) writeFileSync(path.join(root, 'luigi-spanner.json'), JSON.stringify({ projectId: TEST_PROJECT, instanceId: TEST_INSTANCE, backend: 'external', ...config }));
    return root;
  }

  it('each workspace gets a database of its own by default', async () => {
    const orders = project('orders', ORDERS, {});
    const shop = project('shop', SHOP, {});
    const started = await Promise.all([orders, shop].map(async (root) => JSON.parse((await run(['emulator', 'migrate', '--root', root, '--json'])).stdout)));
    databases.push(...started.map((s) => s.databaseId));
    expect(started.map((s) => s.databaseId)).toEqual([workspaceDatabaseId(orders), workspaceDatabaseId(shop)]);
    expect(started[0].databaseId).toMatch(/^orders-[0-9a-f]{6}$/);
    expect(started.map((s) => s.applied)).toEqual([['0001_customers_and_orders.sql'], ['0001_init.sql']]);
  });

  it("a database another workspace migrated is refused by name, for migrate, run and reset alike, and keeps its data", async () => {
    const databaseId = databaseFor('shared');
    const orders = project('orders', ORDERS, { databaseId });
    const shop = project('shop', { ...SHOP, 'pipeline.py': 'import luigi\n\nclass Nothing(luigi.WrapperTask):\n    pass\n' }, { databaseId });
    expect((await run(['emulator', 'migrate', '--root', orders])).code).toBe(0);
    await run(['emulator', 'query', "INSERT INTO Customers (Id, Name) VALUES (1, 'kept')", '--write', '--root', orders]);

    for (const args of [
      ['emulator', 'migrate', '--root', shop],
      ['emulator', 'start', '--root', shop],
      ['emulator', 'reset', '--root', shop],
      ['run', path.join(shop, 'pipeline.py'), 'Nothing', '--keep-state', '--root', shop, '--python', testPython()],
    ]) {
      const refused = await run(args);
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.stderr).toContain(`error: Database ${databaseId} belongs to another workspace: ${orders} migrated it, not ${shop}.`);
      expect(refused.stderr).toMatch(/fix: {3}Give this workspace a database of its own/);
      expect(refused.stderr).not.toMatch(/reset/i);
    }
    const kept = await run(['emulator', 'query', 'SELECT Name FROM Customers', '--root', orders, '--json']);
    expect(JSON.parse(kept.stdout).rows).toEqual([['kept']]);
    const inspected = JSON.parse((await run(['emulator', 'inspect', '--root', orders, '--json'])).stdout);
    expect(inspected.ledger).toMatchObject([{ name: '0001_customers_and_orders.sql', workspace: orders }]);
  });

  it('a ledger from before workspaces were recorded keeps its rows, gains the column and is claimed by the workspace whose files match', async () => {
    const databaseId = databaseFor('oldledger');
    const orders = project('orders', { ...ORDERS, 'migrations/0002_notes.sql': 'CREATE TABLE Notes (Id INT64 NOT NULL) PRIMARY KEY (Id);' }, { databaseId });
    const [first] = loadMigrations(path.join(orders, 'migrations'));
    // The ledger as earlier versions wrote it: no Workspace column.
    const spanner = emulatorSpanner(emulatorHost(), TEST_PROJECT);
    try {
      const [database, operation] = await spanner.instance(TEST_INSTANCE).createDatabase(databaseId, {
        extraStatements: [
          'CREATE TABLE LuigiSpannerMigrations (Version INT64 NOT NULL, Name STRING(MAX) NOT NULL, Checksum STRING(64) NOT NULL, AppliedAt TIMESTAMP NOT NULL OPTIONS (allow_commit_timestamp = true)) PRIMARY KEY (Version)',
          ...first!.statements,
        ],
      });
      await operation.promise();
      await database.table('LuigiSpannerMigrations').insert([{ Version: 1, Name: first!.name, Checksum: first!.checksum, AppliedAt: '2025-06-01T00:00:00Z' }]);
      await database.close();
    } finally {
      spanner.close();
    }
    const migrated = JSON.parse((await run(['emulator', 'migrate', '--root', orders, '--json'])).stdout);
    expect(migrated).toMatchObject({ applied: ['0002_notes.sql'], alreadyApplied: ['0001_customers_and_orders.sql'] });
    const inspected = JSON.parse((await run(['emulator', 'inspect', '--root', orders, '--json'])).stdout);
    expect(inspected.ledger).toMatchObject([
      { version: 1, name: '0001_customers_and_orders.sql', appliedAt: '2025-06-01T00:00:00.000Z', workspace: orders },
      { version: 2, name: '0002_notes.sql', workspace: orders },
    ]);
    // Another workspace with the same files is now refused by name.
    const twin = project('orders-copy', { ...ORDERS, 'migrations/0002_notes.sql': 'CREATE TABLE Notes (Id INT64 NOT NULL) PRIMARY KEY (Id);' }, { databaseId });
    expect((await run(['emulator', 'migrate', '--root', twin])).stderr).toContain(`belongs to another workspace: ${orders} migrated it`);
  });

  it('a database whose workspace folder is gone is taken over by the next workspace that migrates it', async () => {
    const databaseId = databaseFor('moved');
    const before = project('orders', ORDERS, { databaseId });
    expect((await run(['emulator', 'migrate', '--root', before])).code).toBe(0);
    const after = project('orders', ORDERS, { databaseId });
    rmSync(path.dirname(before), { recursive: true });
    const migrated = await run(['emulator', 'migrate', '--root', after, '--json']);
    expect(JSON.parse(migrated.stdout)).toMatchObject({ applied: [], alreadyApplied: ['0001_customers_and_orders.sql'] });
    const inspected = JSON.parse((await run(['emulator', 'inspect', '--root', after, '--json'])).stdout);
    expect(inspected.ledger).toMatchObject([{ workspace: after }]);
  });

  it('migrations from another folder are named as such, not as drift, where no workspace was recorded', async () => {
    const databaseId = databaseFor('nameclash');
    const orders = project('orders', ORDERS, { databaseId });
    expect((await run(['emulator', 'migrate', '--root', orders])).code).toBe(0);
    rmSync(path.dirname(orders), { recursive: true });
    const shop = project('shop', SHOP, { databaseId });
    const refused = await run(['emulator', 'migrate', '--root', shop]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/error: Migration 1 of database \S+ is 0001_customers_and_orders\.sql .*but this workspace's migration 1 is 0001_init\.sql/);
    expect(refused.stderr).not.toMatch(/drift|reset/i);
  });
});

