// Workspace settings end to end, through the real CLI against the suite's emulator (reached as an
// external one): luigi-spanner.json reaches `run` as it reaches `emulator`, and a workspace's own
// completion-marker table is what inspect, the run history, the debugger and --force use.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDatabase, type Target } from '../../emulator/src';
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
