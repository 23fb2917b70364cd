// A run end to end as the CLI and the editor start it (launchRun): the runner starts while the
// database is provisioned over the emulator's REST gateway, and is released once it is ready;
// a failed provisioning leaves no Python process and no database behind.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMigrations, resolveSettings } from '../../emulator/src';
import { createDatabaseViaRest, isProvisionedViaRest, listDatabasesViaRest } from '../../emulator/src/rest';
import { UserFacingError } from '../../extension/core/errors';
import { RUNNER_MODULE } from '../../extension/shared/contract';
import { launchRun } from '../../extension/core/runs/launch';
import { emulatorHost, emulatorRestHost, query, TEST_PROJECT, uniqueDatabaseId } from '../support/emulator';
import { REPO_ROOT, testPython } from '../support/python';

const SAMPLE = path.join(REPO_ROOT, 'samples', 'orders');
const INSTANCE = 'launch';
const settings = () =>
  resolveSettings({ backend: process.env.LUIGI_SPANNER_TEST_BACKEND === 'binary' ? 'binary' : 'docker', projectId: TEST_PROJECT, instanceId: INSTANCE });
const restTarget = (databaseId: string) => ({ restHost: emulatorRestHost(), projectId: TEST_PROJECT, instanceId: INSTANCE, databaseId });

/** Command lines of live processes that mention `needle` (the runner's --file argument). */
function processesMentioning(needle: string): string[] {
  return execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(needle) && line.includes(RUNNER_MODULE));
}

describe('launchRun against the shared emulator', () => {
  it('runs the sample in a fresh database made over REST, with exact markers and a ledger the client path accepts', async () => {
    // The first launch creates the instance (REST cannot: it falls back to the client); the second is REST only.
    const first = await launchRun({ settings: settings(), migrationsDir: path.join(SAMPLE, 'migrations'), python: testPython(), file: path.join(SAMPLE, 'pipeline.py'), task: 'LoadCustomers' });
    expect((await first.handle.done).summary?.success).toBe(true);

    const { prepared, handle } = await launchRun({
      settings: settings(),
      migrationsDir: path.join(SAMPLE, 'migrations'),
      python: testPython(),
      file: path.join(SAMPLE, 'pipeline.py'),
      task: 'AllReports',
    });
    expect(prepared.target.host).toBe(emulatorHost());
    expect(prepared.provisionedVia).toBe('rest');
    expect(prepared.appliedMigrations).toEqual(loadMigrations(path.join(SAMPLE, 'migrations')).map((m) => m.name));
    const outcome = await handle.done;
    expect(outcome.summary?.status).toBe('SUCCESS');
    const markers = await query<{ TaskFamily: string }>(prepared.target, 'SELECT TaskFamily FROM LuigiTaskMarkers ORDER BY TaskFamily');
    expect(markers.map((m) => m.TaskFamily)).toEqual(['DailyRevenue', 'DailyRevenue', 'LoadCustomers', 'LoadOrders', 'LoadOrders']);
    // The ledger written over REST is the one the client path would have written.
    expect(await isProvisionedViaRest(restTarget(prepared.target.databaseId), loadMigrations(path.join(SAMPLE, 'migrations')))).toBe(true);
    expect(await listDatabasesViaRest(restTarget(''))).toEqual(expect.arrayContaining([first.prepared.target.databaseId, prepared.target.databaseId]));
  });

  it('a broken migration fails the launch with the statement named, leaves no runner process and no database', async () => {
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'launch-broken-'));
    try {
      cpSync(SAMPLE, scratch, { recursive: true });
      writeFileSync(path.join(scratch, 'migrations', '0099_broken.sql'), 'CREATE TABLE Broken (Id INT64 NOT NULL) PRIMARY KEY (Nope);\n');
      const before = await listDatabasesViaRest(restTarget(''));
      const launched = launchRun({ settings: settings(), migrationsDir: path.join(scratch, 'migrations'), python: testPython(), file: path.join(scratch, 'pipeline.py'), task: 'AllReports' });
      const error = await launched.then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(UserFacingError);
      expect((error as UserFacingError).message).toMatch(/Migration 0099_broken(\.sql)? failed/);
      expect(processesMentioning(scratch)).toEqual([]);
      expect(await listDatabasesViaRest(restTarget(''))).toEqual(before);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('REST creation refuses an id that is taken and leaves that database alone', async () => {
    const migrations = loadMigrations(path.join(SAMPLE, 'migrations'));
    const id = uniqueDatabaseId('rest');
    expect(await createDatabaseViaRest(restTarget(id), migrations)).toBe(true);
    expect(await createDatabaseViaRest(restTarget(id), migrations)).toBe(false);
    expect(await isProvisionedViaRest(restTarget(id), migrations)).toBe(true);
  });
});
