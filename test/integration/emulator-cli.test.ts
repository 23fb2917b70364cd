// The real CLI (extension/cli/main.ts bundled as scripts/build.mjs does) as a child process,
// against the suite's shared emulator reached as an external one (SPANNER_EMULATOR_HOST).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildCli } from '../support/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDatabase } from '../../emulator/src';
import { emulatorHost, TEST_INSTANCE, TEST_PROJECT, uniqueDatabaseId } from '../support/emulator';

const REPO = path.resolve(__dirname, '../..');
const outDir = mkdtempSync(path.join(os.tmpdir(), 'luigi-spanner-cli-'));
const cli = path.join(outDir, 'cli.js');

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
      { env: { ...process.env, NODE_PATH: path.join(REPO, 'node_modules'), ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function workspace(config: Record<string, unknown>, files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ws-'));
  writeFileSync(path.join(root, 'luigi-spanner.json'), JSON.stringify(config, null, 2));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return root;
}

const databases: string[] = [];
const newDatabaseId = (prefix: string) => {
  const id = uniqueDatabaseId(prefix);
  databases.push(id);
  return id;
};

afterAll(async () => {
  for (const id of databases) await dropDatabase({ host: emulatorHost(), projectId: TEST_PROJECT, instanceId: TEST_INSTANCE, databaseId: id }).catch(() => undefined);
});

beforeAll(async () => {
  await buildCli(outDir);
});

describe('luigi-spanner emulator (CLI, real emulator)', () => {
  const external = () => ({ SPANNER_EMULATOR_HOST: emulatorHost() });

  it('start, migrate, query, inspect and reset with --json, reading luigi-spanner.json', async () => {
    const databaseId = newDatabaseId('cli');
    const root = workspace(
      { projectId: TEST_PROJECT, instanceId: TEST_INSTANCE, databaseId, backend: 'external' },
      {
        'migrations/0001_items.sql': 'CREATE TABLE Items (Id INT64 NOT NULL, Name STRING(MAX)) PRIMARY KEY (Id);',
        'seeds/items.sql': "INSERT INTO Items (Id, Name) VALUES (1, 'one'); INSERT INTO Items (Id, Name) VALUES (2, 'two');",
      },
    );
    const start = await run(['emulator', 'start', '--root', root, '--json'], external());
    expect(start.stderr).toBe('');
    expect(JSON.parse(start.stdout)).toMatchObject({
      host: emulatorHost(),
      backend: 'external',
      databaseId,
      created: true,
      migrationsApplied: ['0001_items.sql'],
      seeded: ['items.sql'],
    });

    writeFileSync(path.join(root, 'migrations', '0002_note.sql'), 'ALTER TABLE Items ADD COLUMN Note STRING(MAX);');
    const migrate = await run(['emulator', 'migrate', '--root', root, '--json'], external());
    expect(JSON.parse(migrate.stdout)).toMatchObject({ applied: ['0002_note.sql'], alreadyApplied: ['0001_items.sql'] });

    const query = await run(['emulator', 'query', 'SELECT Id, Name, Note FROM Items ORDER BY Id', '--root', root, '--json'], external());
    expect(JSON.parse(query.stdout)).toMatchObject({
      kind: 'query',
      columns: [
        { name: 'Id', type: 'INT64' },
        { name: 'Name', type: 'STRING' },
        { name: 'Note', type: 'STRING' },
      ],
      rows: [
        [1, 'one', null],
        [2, 'two', null],
      ],
      rowCount: 2,
    });
    const table = await run(['emulator', 'query', 'SELECT Id, Name FROM Items ORDER BY Id', '--root', root], external());
    expect(table.stdout.split('\n').slice(0, 4)).toEqual(['Id  Name', '--  ----', '1   one', '2   two']);

    const inspect = await run(['emulator', 'inspect', '--root', root, '--json'], external());
    const inspection = JSON.parse(inspect.stdout);
    expect(inspection.tables).toEqual([
      { name: 'Items', parent: null, rowCount: 2 },
      { name: 'LuigiSpannerMigrations', parent: null, rowCount: 2 },
    ]);
    expect(inspection.ledger.map((r: { name: string }) => r.name)).toEqual(['0001_items.sql', '0002_note.sql']);
    expect(inspection.markers).toEqual({ table: 'LuigiTaskMarkers', present: false, rows: [] });

    // A write needs --write: refused (exit 2) and nothing changed without it.
    const refused = await run(['emulator', 'query', "INSERT INTO Items (Id, Name) VALUES (3, 'three')", '--root', root], external());
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringMatching(/not run without a confirmation[\s\S]*--write/) });
    await run(['emulator', 'query', "INSERT INTO Items (Id, Name) VALUES (3, 'three')", '--root', root, '--write'], external());
    const reset = await run(['emulator', 'reset', '--root', root, '--json'], external());
    expect(JSON.parse(reset.stdout)).toMatchObject({ dropped: true, restarted: false, migrationsApplied: ['0001_items.sql', '0002_note.sql'], seeded: ['items.sql'] });
    const after = await run(['emulator', 'query', 'SELECT COUNT(*) AS n FROM Items', '--root', root, '--json'], external());
    expect(JSON.parse(after.stdout).rows).toEqual([[2]]);
  });

  it('reports a changed migration as drift naming the file, exit code 2', async () => {
    const root = workspace(
      { projectId: TEST_PROJECT, instanceId: TEST_INSTANCE, databaseId: newDatabaseId('drift'), backend: 'external' },
      { 'migrations/0001_a.sql': 'CREATE TABLE A (Id INT64 NOT NULL) PRIMARY KEY (Id);' },
    );
    expect((await run(['emulator', 'start', '--root', root, '--json'], external())).code).toBe(0);
    writeFileSync(path.join(root, 'migrations', '0001_a.sql'), 'CREATE TABLE A (Id INT64 NOT NULL, B INT64) PRIMARY KEY (Id);');
    const drift = await run(['emulator', 'migrate', '--root', root], external());
    expect(drift.code).toBe(2);
    expect(drift.stderr).toMatch(/error: Migration drift: .*0001_a\.sql changed after it was applied/);
    expect(drift.stderr).toMatch(/fix: {3}Revert the file/);
  });

  it('names the file, statement and the emulator message of a rejected migration, creating nothing', async () => {
    const databaseId = newDatabaseId('rej');
    const root = workspace(
      { projectId: TEST_PROJECT, instanceId: TEST_INSTANCE, databaseId, backend: 'external' },
      { 'migrations/0001_bad.sql': 'CREATE TABLE A (Id INT64 NOT NULL) PRIMARY KEY (Id);\nCREATE TABLE B (Id INT64 NOT NULL, X NOSUCHTYPE) PRIMARY KEY (Id);' },
    );
    const result = await run(['emulator', 'start', '--root', root], external());
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Migration 0001_bad\.sql failed at statement 2 of 2/);
    expect(result.stderr).toMatch(/NOSUCHTYPE/);
    const query = await run(['emulator', 'query', 'SELECT 1', '--root', root], external());
    expect(query.stderr).toMatch(new RegExp(`Database ${databaseId} does not exist`));
  });

  it('rejects invalid ids and configuration with the fix', async () => {
    const badId = await run(['emulator', 'start', '--backend', 'external', '--database', 'Bad_Id'], external());
    expect(badId.code).toBe(2);
    expect(badId.stderr).toMatch(/error: Invalid database id "Bad_Id"/);
    expect(badId.stderr).toMatch(/fix: {3}Use 2-30 lowercase letters/);

    const root = workspace({ databaseId: 'ok-db', migrationDir: 'typo' }, {});
    const withTypo = await run(['emulator', 'start', '--root', root], external());
    expect(withTypo.code).toBe(2);
    expect(withTypo.stderr).toMatch(/luigi-spanner\.json is not a valid luigi-spanner configuration/);
    expect(withTypo.stderr).toMatch(/Unrecognized key: "migrationDir"/);
  });

  it('says how to fix a missing Docker engine', async () => {
    const result = await run(['emulator', 'start', '--backend', 'docker', '--name', 'nodocker'], { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/error: No Docker engine answers/);
    expect(result.stderr).toMatch(/fix: {3}Start Docker .*--backend binary/);
  });

  it('says what to do when no emulator of that name runs', async () => {
    const result = await run(['emulator', 'query', 'SELECT 1', '--backend', 'docker', '--name', 'never-started'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/No emulator named "never-started" is running/);
    expect(result.stderr).toMatch(/luigi-spanner emulator start --name never-started/);
  });

  it('status --json lists running emulators', async () => {
    const result = await run(['emulator', 'status', '--json'], {});
    const status = JSON.parse(result.stdout);
    expect(status.state).toBe('running');
    expect(status.emulators.some((e: { host: string }) => e.host === emulatorHost())).toBe(true);
  });
});
