import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMigrations, splitStatements } from '../../../emulator/src/migrations';
import { planMigrations } from '../../../emulator/src/provision';
import { resolveSettings } from '../../../emulator/src/settings';
import { otherOwner, ownedBy } from '../../../emulator/src/ledger';

describe('splitStatements', () => {
  it('splits on semicolons outside strings and comments', () => {
    const sql = `-- orders; with a comment
CREATE TABLE A (Id INT64, Note STRING(MAX) DEFAULT ("a;b")) PRIMARY KEY (Id);
/* block; comment */ CREATE INDEX AByNote ON A(Note);
# hash comment; here
CREATE TABLE B (Id INT64, T STRING(MAX) DEFAULT ('''x;
y''')) PRIMARY KEY (Id)`;
    expect(splitStatements(sql)).toEqual([
      'CREATE TABLE A (Id INT64, Note STRING(MAX) DEFAULT ("a;b")) PRIMARY KEY (Id)',
      'CREATE INDEX AByNote ON A(Note)',
      "CREATE TABLE B (Id INT64, T STRING(MAX) DEFAULT ('''x;\ny''')) PRIMARY KEY (Id)",
    ]);
  });

  it('drops comment-only and empty statements', () => {
    expect(splitStatements('-- nothing\n;;  ;\n/* x */')).toEqual([]);
  });

  it('keeps escaped quotes inside strings', () => {
    expect(splitStatements(`INSERT INTO A (S) VALUES ('it\\'s; fine'); SELECT 1`)).toEqual([`INSERT INTO A (S) VALUES ('it\\'s; fine')`, 'SELECT 1']);
  });
});

describe('loadMigrations', () => {
  const dir = () => mkdtempSync(path.join(os.tmpdir(), 'migrations-'));

  it('orders by numeric version, not by name', () => {
    const d = dir();
    writeFileSync(path.join(d, '10_late.sql'), 'CREATE TABLE L (Id INT64) PRIMARY KEY (Id);');
    writeFileSync(path.join(d, '2_early.sql'), 'CREATE TABLE E (Id INT64) PRIMARY KEY (Id);');
    expect(loadMigrations(d).map((m) => [m.version, m.name])).toEqual([
      [2, '2_early.sql'],
      [10, '10_late.sql'],
    ]);
  });

  it('refuses a .sql file without a version prefix, naming it', () => {
    const d = dir();
    writeFileSync(path.join(d, '0001_ok.sql'), 'CREATE TABLE A (Id INT64) PRIMARY KEY (Id);');
    writeFileSync(path.join(d, 'orders.sql'), 'CREATE TABLE B (Id INT64) PRIMARY KEY (Id);');
    expect(() => loadMigrations(d)).toThrow(/not named <version>_<description>\.sql: orders\.sql/);
  });

  it('refuses two files with the same version', () => {
    const d = dir();
    writeFileSync(path.join(d, '0001_a.sql'), 'SELECT 1');
    writeFileSync(path.join(d, '1_b.sql'), 'SELECT 1');
    expect(() => loadMigrations(d)).toThrow(/share version 1/);
  });

  it('says what to do when the folder is missing', () => {
    expect(() => loadMigrations('/nonexistent/migrations')).toThrow(/does not exist/);
  });
});

describe('planMigrations', () => {
  const m = (version: number, checksum: string) => ({ version, name: `${version}_m.sql`, file: `/m/${version}_m.sql`, checksum, statements: [] });

  it('reports drift with the file name when a checksum changed', () => {
    expect(() =>
      planMigrations([m(1, 'new')], { tableExists: true, rows: [{ version: 1, name: '1_m.sql', checksum: 'old', appliedAt: '2026-01-01T00:00:00Z' }] }),
    ).toThrow(/drift: \/m\/1_m\.sql changed/);
  });

  it('refuses a new migration below the last applied version', () => {
    expect(() =>
      planMigrations([m(1, 'a'), m(3, 'c')], { tableExists: true, rows: [{ version: 3, name: '3_m.sql', checksum: 'c', appliedAt: 'x' }] }),
    ).toThrow(/lower version than the last applied one \(3\)/);
  });

  it('tells a database migrated from other files (another project) from drift, and proposes no reset', () => {
    const other = { version: 1, name: '0001_customers_and_orders.sql', checksum: 'x', appliedAt: '2026-01-01T00:00:00Z', workspace: '/home/me/orders' };
    let error: { message: string; fix: string; code: string } | undefined;
    try {
      planMigrations([m(1, 'a')], { rows: [other] }, { databaseId: 'pipeline', workspace: '/home/me/shop' });
    } catch (e) {
      error = e as typeof error;
    }
    expect(error?.code).toBe('MIGRATIONS_OF_ANOTHER_FOLDER');
    expect(error?.message).toMatch(/Migration 1 of database pipeline is 0001_customers_and_orders\.sql \(applied .* by \/home\/me\/orders\), but this workspace's migration 1 is 1_m\.sql/);
    expect(error?.fix).toMatch(/database of its own/);
    expect(`${error?.message} ${error?.fix}`).not.toMatch(/reset/i);
  });

  it('proposes starting over only for a database this workspace migrated itself', () => {
    const row = (workspace: string | null) => ({ version: 1, name: '1_m.sql', checksum: 'old', appliedAt: 'x', workspace });
    const fixOf = (workspace: string | null) => {
      try {
        planMigrations([m(1, 'new')], { rows: [row(workspace)] }, { workspace: '/ws/mine' });
      } catch (e) {
        return (e as { fix: string }).fix;
      }
      return '';
    };
    expect(fixOf('/ws/mine')).toMatch(/Revert the file .*, or start this workspace's database over \(luigi-spanner emulator reset\)/);
    expect(fixOf(null)).not.toMatch(/reset/);
  });

  it('splits pending from done', () => {
    const plan = planMigrations([m(1, 'a'), m(2, 'b')], { tableExists: true, rows: [{ version: 1, name: '1_m.sql', checksum: 'a', appliedAt: 'x' }] });
    expect(plan.done.map((x) => x.version)).toEqual([1]);
    expect(plan.pending.map((x) => x.version)).toEqual([2]);
  });
});

describe('resolveSettings', () => {
  it('takes overrides over environment over defaults', () => {
    const s = resolveSettings({ databaseId: 'flag-db' }, { SPANNER_DATABASE: 'env-db', SPANNER_INSTANCE: 'env-inst' });
    expect(s).toMatchObject({ databaseId: 'flag-db', instanceId: 'env-inst', projectId: 'luigi-spanner-local', backend: 'auto' });
    expect(s.image).toBe('gcr.io/cloud-spanner-emulator/emulator:1.5.28');
  });

  it('rejects invalid ids with the rule', () => {
    expect(() => resolveSettings({ databaseId: 'Bad_DB' }, {})).toThrow(/Invalid database id "Bad_DB"/);
    expect(() => resolveSettings({ instanceId: 'x' }, {})).toThrow(/Invalid instance id/);
  });
});

describe('ledger ownership', () => {
  const row = (workspace: string | null) => ({ version: 1, name: '1_m.sql', checksum: 'a', appliedAt: 'x', workspace });
  const exists = (folder: string) => folder !== '/ws/gone';

  it('names another workspace that still exists, never one that is gone, and nobody for library callers', () => {
    expect(otherOwner([row('/ws/a')], '/ws/b', exists)).toBe('/ws/a');
    expect(otherOwner([row('/ws/b'), row('/ws/a')], '/ws/b', exists)).toBe('/ws/a');
    expect(otherOwner([row('/ws/gone')], '/ws/b', exists)).toBeUndefined();
    expect(otherOwner([row(null)], '/ws/b', exists)).toBeUndefined();
    expect(otherOwner([row('/ws/a')], undefined, exists)).toBeUndefined();
  });

  it('is ours only when every row says so', () => {
    expect(ownedBy([row('/ws/a'), row('/ws/a')], '/ws/a')).toBe(true);
    expect(ownedBy([row('/ws/a'), row(null)], '/ws/a')).toBe(false);
    expect(ownedBy([], '/ws/a')).toBe(false);
  });
});
