import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dropDatabase, emulatorSpanner, provision, readMigrationLedger, resolveSettings, startEmulator, type Target } from '../../emulator/src';
import { emulatorHost, query, TEST_INSTANCE, TEST_PROJECT, uniqueDatabaseId } from '../support/emulator';

function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
  for (const [name, sql] of Object.entries(files)) writeFileSync(path.join(dir, name), sql);
  return dir;
}

const created: Target[] = [];
const target = (prefix = 'prov'): Target => {
  const t = { host: emulatorHost(), projectId: TEST_PROJECT, instanceId: TEST_INSTANCE, databaseId: uniqueDatabaseId(prefix) };
  created.push(t);
  return t;
};

// The shared emulator holds at most 100 databases per instance: leave none behind.
afterAll(async () => {
  for (const t of created) await dropDatabase(t).catch(() => undefined);
});

describe('emulator provisioning (real emulator)', () => {
  it('finds the running emulator again instead of starting another', async () => {
    const again = await startEmulator(resolveSettings({ backend: 'docker' }));
    expect(again.reused).toBe(true);
    expect(again.host).toBe(emulatorHost());
  });

  it('applies migrations in version order and records each with its checksum', async () => {
    const dir = migrationsDir({
      '0002_orders.sql': 'CREATE TABLE Orders (OrderId INT64 NOT NULL, CustomerId INT64 NOT NULL) PRIMARY KEY (OrderId);\nCREATE INDEX OrdersByCustomer ON Orders(CustomerId);',
      '0001_customers.sql': '-- customers first\nCREATE TABLE Customers (CustomerId INT64 NOT NULL, Name STRING(MAX)) PRIMARY KEY (CustomerId);',
    });
    const t = target();
    const result = await provision({ ...t, migrationsDir: dir });
    expect(result).toMatchObject({ created: true, applied: ['0001_customers.sql', '0002_orders.sql'] });
    const ledger = await readMigrationLedger(t);
    expect(ledger.map((r) => [r.version, r.name])).toEqual([
      [1, '0001_customers.sql'],
      [2, '0002_orders.sql'],
    ]);
    expect(ledger.every((r) => /^[0-9a-f]{64}$/.test(r.checksum))).toBe(true);
    const tables = await query<{ t: string }>(t, "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = '' ORDER BY t");
    expect(tables.map((r) => r.t)).toEqual(['Customers', 'LuigiSpannerMigrations', 'Orders']);

    // A new file applies alone; the applied ones are left as they are.
    writeFileSync(path.join(dir, '0003_notes.sql'), 'ALTER TABLE Orders ADD COLUMN Note STRING(MAX);');
    const second = await provision({ ...t, migrationsDir: dir });
    expect(second).toMatchObject({ created: false, applied: ['0003_notes.sql'], alreadyApplied: ['0001_customers.sql', '0002_orders.sql'] });
  });

  it('reports drift naming the changed file', async () => {
    const dir = migrationsDir({ '0001_a.sql': 'CREATE TABLE A (Id INT64 NOT NULL) PRIMARY KEY (Id);' });
    const t = target();
    await provision({ ...t, migrationsDir: dir });
    writeFileSync(path.join(dir, '0001_a.sql'), 'CREATE TABLE A (Id INT64 NOT NULL, X INT64) PRIMARY KEY (Id);');
    await expect(provision({ ...t, migrationsDir: dir })).rejects.toThrow(/drift: .*0001_a\.sql changed after it was applied/);
  });

  it('names the file and statement the emulator rejects, and leaves no database behind', async () => {
    const dir = migrationsDir({
      '0001_ok.sql': 'CREATE TABLE A (Id INT64 NOT NULL) PRIMARY KEY (Id);',
      '0002_bad.sql': 'CREATE TABLE B (Id INT64 NOT NULL) PRIMARY KEY (Id);\nCREATE TABLE C (Id INT64 NOT NULL, Broken NOSUCHTYPE) PRIMARY KEY (Id);',
    });
    const t = target();
    const error = (await provision({ ...t, migrationsDir: dir }).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error & { fix?: string };
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(/Migration 0002_bad\.sql failed at statement 2 of 2/);
    expect(error.message).toMatch(/NOSUCHTYPE/);
    expect(error.fix).toMatch(/0002_bad\.sql/);
    expect(await databaseExists(t)).toBe(false);
    // The instance still answers: the failure left nothing in a broken state.
    await expect(provision(target('after'))).resolves.toMatchObject({ created: true });
  });
});

async function databaseExists(t: Target): Promise<boolean> {
  const spanner = emulatorSpanner(t.host, t.projectId);
  try {
    const [exists] = await spanner.instance(t.instanceId).database(t.databaseId).exists();
    return exists;
  } finally {
    spanner.close();
  }
}
