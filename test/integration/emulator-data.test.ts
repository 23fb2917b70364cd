// Reset, seeds, queries and inspection on the suite's shared emulator (a database per test).
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Spanner } from '@google-cloud/spanner';
import { afterAll, describe, expect, it } from 'vitest';
import {
  assertEmulatorHost,
  dropDatabase,
  emulatorSpanner,
  inspectDatabase,
  listTables,
  provision,
  readMigrationLedger,
  resetEmulator,
  resolveSettings,
  runQuery,
  type Target,
} from '../../emulator/src';
import { emulatorHost, query, TEST_INSTANCE, TEST_PROJECT, uniqueDatabaseId } from '../support/emulator';

const SAMPLE_MIGRATIONS = path.resolve('samples/orders/migrations');
const created: Target[] = [];
const target = (prefix: string): Target => {
  const t = { host: emulatorHost(), projectId: TEST_PROJECT, instanceId: TEST_INSTANCE, databaseId: uniqueDatabaseId(prefix) };
  created.push(t);
  return t;
};

// The shared emulator holds at most 100 databases per instance: leave none behind.
afterAll(async () => {
  for (const t of created) await dropDatabase(t).catch(() => undefined);
});

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sql-'));
  for (const [name, sql] of Object.entries(files)) writeFileSync(path.join(dir, name), sql);
  return dir;
}

async function databaseExists(t: Target): Promise<boolean> {
  const spanner = emulatorSpanner(t.host, t.projectId);
  try {
    const [exists] = await spanner.instance(t.instanceId).database(t.databaseId).exists();
    return exists;
  } finally {
    spanner.close();
  }
}

const SEEDS = {
  '01_customers.sql': `-- two customers; a ';' inside a string must not split
INSERT INTO Customers (CustomerId, Name, Email, Country, LoadedAt) VALUES (1, 'Ann; the first', 'ann@example.com', 'DE', PENDING_COMMIT_TIMESTAMP());
INSERT INTO Customers (CustomerId, Name, Email, Country, LoadedAt) VALUES (2, 'Bob', NULL, 'FR', PENDING_COMMIT_TIMESTAMP());`,
  '02_orders.sql': `INSERT INTO Orders (OrderId, CustomerId, OrderDate, Amount, Status, Batch, LoadedAt)
VALUES (10, 1, DATE '2024-03-01', NUMERIC '12.50', 'completed', 'orders_2024-03-01.csv', PENDING_COMMIT_TIMESTAMP());`,
};

describe('reset and seeds (real emulator)', () => {
  it('applies seeds after the migrations when it creates the database', async () => {
    const t = target('seed');
    const result = await provision({ ...t, migrationsDir: SAMPLE_MIGRATIONS, seedsDir: folder(SEEDS) });
    expect(result).toMatchObject({ created: true, seeded: ['01_customers.sql', '02_orders.sql'] });
    expect(await query(t, 'SELECT CustomerId, Name FROM Customers ORDER BY CustomerId')).toEqual([
      { CustomerId: 1, Name: 'Ann; the first' },
      { CustomerId: 2, Name: 'Bob' },
    ]);
    // Seeds run once: migrating an existing database does not insert them again.
    const again = await provision({ ...t, migrationsDir: SAMPLE_MIGRATIONS, seedsDir: folder(SEEDS) });
    expect(again).toMatchObject({ created: false, seeded: [] });
    expect(await query(t, 'SELECT COUNT(*) AS n FROM Customers')).toEqual([{ n: 2 }]);
  });

  it('names the seed file and statement the emulator rejects, and leaves no database behind', async () => {
    const t = target('badseed');
    const seeds = folder({
      '01_ok.sql': "INSERT INTO Customers (CustomerId, Name, LoadedAt) VALUES (1, 'Ann', PENDING_COMMIT_TIMESTAMP());",
      '02_bad.sql': "INSERT INTO Customers (CustomerId, Name, LoadedAt) VALUES (2, 'Bob', PENDING_COMMIT_TIMESTAMP());\nINSERT INTO NoSuchTable (Id) VALUES (1);",
    });
    const error = (await provision({ ...t, migrationsDir: SAMPLE_MIGRATIONS, seedsDir: seeds }).catch((e: unknown) => e)) as Error & { fix: string; code: string };
    expect(error.code).toBe('SEED_FAILED');
    expect(error.message).toMatch(/Seed 02_bad\.sql failed at statement 2 of 2/);
    expect(error.message).toMatch(/NoSuchTable/);
    expect(error.fix).toContain(path.join(seeds, '02_bad.sql'));
    expect(await databaseExists(t)).toBe(false);
  });

  it('a fresh reset isolates runs: rows of the previous run are gone, migrations and ledger are back', async () => {
    const settings = resolveSettings({
      backend: 'external',
      projectId: TEST_PROJECT,
      instanceId: TEST_INSTANCE,
      databaseId: target('reset').databaseId,
      migrationsDir: SAMPLE_MIGRATIONS,
      seedsDir: folder({ '01.sql': SEEDS['01_customers.sql'] }),
    });
    const env = { ...process.env, SPANNER_EMULATOR_HOST: emulatorHost() };
    const t: Target = { host: emulatorHost(), projectId: settings.projectId, instanceId: settings.instanceId, databaseId: settings.databaseId };
    const first = await resetEmulator(settings, {}, env);
    expect(first.database).toMatchObject({ created: true, dropped: false, seeded: ['01.sql'] });
    await runQuery(t, "INSERT INTO Customers (CustomerId, Name, LoadedAt) VALUES (99, 'left over', PENDING_COMMIT_TIMESTAMP())", { allowWrites: true });
    expect(await query(t, 'SELECT COUNT(*) AS n FROM Customers')).toEqual([{ n: 3 }]);

    const second = await resetEmulator(settings, {}, env);
    expect(second).toMatchObject({ restarted: false, database: { created: true, dropped: true } });
    expect(second.database.millis).toBeLessThan(5_000);
    expect(await query(t, 'SELECT CustomerId FROM Customers ORDER BY CustomerId')).toEqual([{ CustomerId: 1 }, { CustomerId: 2 }]);
    expect((await readMigrationLedger(t)).map((r) => r.name)).toEqual(['0001_customers_and_orders.sql', '0002_daily_revenue_and_markers.sql']);
  });

  it('a full reset refuses an external emulator it does not own', async () => {
    const settings = resolveSettings({ backend: 'external', projectId: TEST_PROJECT, instanceId: TEST_INSTANCE, databaseId: 'nope' });
    await expect(resetEmulator(settings, { full: true }, { ...process.env, SPANNER_EMULATOR_HOST: emulatorHost() })).rejects.toMatchObject({ code: 'NOT_OURS' });
  });

  it('refuses destructive actions against anything but an emulator host', async () => {
    expect(() => assertEmulatorHost('spanner.googleapis.com:443')).toThrow(/not an emulator/);
    expect(() => assertEmulatorHost('https://127.0.0.1:9010')).toThrow(/host:port/);
    await expect(dropDatabase({ host: 'spanner.googleapis.com:443', projectId: TEST_PROJECT, instanceId: TEST_INSTANCE, databaseId: 'x1' })).rejects.toMatchObject({
      code: 'NOT_EMULATOR',
    });
    const settings = resolveSettings({ backend: 'external', projectId: TEST_PROJECT, instanceId: TEST_INSTANCE, databaseId: 'x1' });
    await expect(resetEmulator(settings, {}, { ...process.env, SPANNER_EMULATOR_HOST: 'spanner.googleapis.com:443' })).rejects.toMatchObject({ code: 'NOT_EMULATOR' });
  });

  it('names the database when an invalid id is given, before anything is created', async () => {
    const error = (await provision({ ...target('x'), databaseId: 'Bad_DB' }).catch((e: unknown) => e)) as { code: string; message: string; fix: string };
    expect(error).toMatchObject({ code: 'INVALID_ID' });
    expect(error.message).toContain('"Bad_DB"');
    expect(error.fix).toMatch(/lowercase/);
  });
});

describe('queries and inspection (real emulator)', () => {
  it('returns typed columns and plain JSON values, big INT64 as a string', async () => {
    const t = target('q');
    await provision(t);
    const result = await runQuery(
      t,
      `SELECT 1 AS one, NUMERIC '12345678901234567890.123456789' AS amount, DATE '2024-01-02' AS day, TIMESTAMP '2024-01-02T03:04:05.123456Z' AS ts,
        [1, 2] AS list, b'ab' AS raw, ARRAY(SELECT AS STRUCT 1 AS x, 'y' AS z) AS pairs, JSON '{"k": [1]}' AS doc, 9007199254740993 AS big,
        CAST(NULL AS STRING) AS nothing, 1.5 AS ratio, TRUE AS flag`,
    );
    expect(result.kind).toBe('query');
    expect(result.columns).toEqual([
      { name: 'one', type: 'INT64' },
      { name: 'amount', type: 'NUMERIC' },
      { name: 'day', type: 'DATE' },
      { name: 'ts', type: 'TIMESTAMP' },
      { name: 'list', type: 'ARRAY<INT64>' },
      { name: 'raw', type: 'BYTES' },
      { name: 'pairs', type: 'ARRAY<STRUCT<x INT64, z STRING>>' },
      { name: 'doc', type: 'JSON' },
      { name: 'big', type: 'INT64' },
      { name: 'nothing', type: 'STRING' },
      { name: 'ratio', type: 'FLOAT64' },
      { name: 'flag', type: 'BOOL' },
    ]);
    expect(result.rows).toEqual([
      [1, '12345678901234567890.123456789', '2024-01-02', expect.stringMatching(/^2024-01-02T03:04:05\.123456(000)?Z$/), [1, 2], 'YWI=', [{ x: 1, z: 'y' }], { k: [1] }, '9007199254740993', null, 1.5, true],
    ]);
    expect(JSON.parse(JSON.stringify(result.rows))).toEqual(result.rows);
  });

  it('runs DML in a transaction only when allowed, caps the rows kept, and refuses DDL and several statements', async () => {
    const t = target('dml');
    await provision({ ...t, migrationsDir: folder({ '0001_t.sql': 'CREATE TABLE T (Id INT64 NOT NULL, Name STRING(MAX)) PRIMARY KEY (Id);' }) });
    await expect(runQuery(t, "/* load */ @{LOCK_SCANNED_RANGES=exclusive} INSERT INTO T (Id, Name) VALUES (9, 'z')")).rejects.toMatchObject({ code: 'WRITE_NOT_CONFIRMED' });
    expect((await runQuery(t, 'SELECT COUNT(*) FROM T')).rows).toEqual([[0]]);
    const insert = await runQuery(t, "INSERT INTO T (Id, Name) VALUES (1, 'a'), (2, 'b'), (3, 'c')", { allowWrites: true });
    expect(insert).toMatchObject({ kind: 'dml', rowCount: 3 });
    const capped = await runQuery(t, 'SELECT Id FROM T ORDER BY Id', { maxRows: 2 });
    expect(capped).toMatchObject({ rowCount: 3, truncated: true, rows: [[1], [2]] });
    await expect(runQuery(t, 'DROP TABLE T')).rejects.toMatchObject({ code: 'BAD_QUERY' });
    await expect(runQuery(t, 'SELECT 1; SELECT 2')).rejects.toMatchObject({ code: 'BAD_QUERY' });
    // A rejected query fails at once (no 7 s of stream retries, nodejs-spanner#2014).
    const started = performance.now();
    await expect(runQuery(t, 'SELECT * FROM Missing')).rejects.toMatchObject({ code: 3 });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('lists tables with row counts, the ledger and the newest completion markers', async () => {
    const t = target('insp');
    await provision({ ...t, migrationsDir: SAMPLE_MIGRATIONS, seedsDir: folder(SEEDS) });
    const spanner = emulatorSpanner(t.host, t.projectId);
    const database = spanner.instance(t.instanceId).database(t.databaseId);
    try {
      await database.table('LuigiTaskMarkers').insert([
        { UpdateId: 'LoadOrders_2024', TaskId: 'LoadOrders(date=2024-03-01)', TaskFamily: 'LoadOrders', TargetTable: 'Orders', RowCount: 1, RunId: 'run-1', CommittedAt: Spanner.COMMIT_TIMESTAMP },
      ]);
    } finally {
      await database.close();
      spanner.close();
    }
    const tables = await listTables(t);
    expect(tables.map((x) => [x.name, x.rowCount])).toEqual([
      ['Customers', 2],
      ['DailyRevenue', 0],
      ['LuigiSpannerMigrations', 2],
      ['LuigiTaskMarkers', 1],
      ['Orders', 1],
    ]);
    const inspection = await inspectDatabase(t);
    expect(inspection.ledger.map((r) => r.version)).toEqual([1, 2]);
    expect(inspection.markers.present).toBe(true);
    expect(inspection.markers.rows).toEqual([
      { UpdateId: 'LoadOrders_2024', TaskFamily: 'LoadOrders', TargetTable: 'Orders', RowCount: 1, RunId: 'run-1', CommittedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
    ]);
  });

  it('reports a database without a marker table as such', async () => {
    const t = target('nomark');
    await provision(t);
    const inspection = await inspectDatabase(t);
    expect(inspection).toEqual({ tables: [{ name: 'LuigiSpannerMigrations', parent: null, rowCount: 0 }], ledger: [], markers: { table: 'LuigiTaskMarkers', present: false, rows: [] } });
  });

  it('says which database is missing and how to create it', async () => {
    await expect(listTables(target('missing'))).rejects.toMatchObject({ code: 'NO_DATABASE' });
  });
});
