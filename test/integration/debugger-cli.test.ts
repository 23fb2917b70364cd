// The debugger's CLI commands as a user runs them (the bundled CLI in a child process), against the
// suite's shared emulator reached as an external one: exit codes, --json shapes, run --force.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildCli } from '../support/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDatabase } from '../../emulator/src';
import { emulatorHost, TEST_INSTANCE, TEST_PROJECT, uniqueDatabaseId } from '../support/emulator';
import { REPO_ROOT, testPython } from '../support/python';

// Bundled into <tmp>/dist/cli.js beside a link to extension/: the CLI finds its tool root as in a real install.
const toolRoot = mkdtempSync(path.join(os.tmpdir(), 'luigi-spanner-debugger-cli-'));
const cli = path.join(toolRoot, 'dist', 'cli.js');

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          NODE_PATH: path.join(REPO_ROOT, 'node_modules'),
          SPANNER_EMULATOR_HOST: emulatorHost(),
          GOOGLE_CLOUD_PROJECT: TEST_PROJECT,
          SPANNER_INSTANCE: TEST_INSTANCE,
          LUIGI_SPANNER_PYTHON: testPython(),
        },
        timeout: 120_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  mkdirSync(path.join(toolRoot, 'dist'));
  symlinkSync(path.join(REPO_ROOT, 'extension'), path.join(toolRoot, 'extension'));
  await buildCli(path.join(toolRoot, 'dist'));
});

const PLAIN_INSERT = 'samples/broken/plain_insert_replay/pipeline.py';

// Databases the commands made or kept, dropped at the end (at most 100 per instance).
const databases: string[] = [];
afterAll(async () => {
  for (const databaseId of databases) await dropDatabase({ host: emulatorHost(), projectId: TEST_PROJECT, instanceId: TEST_INSTANCE, databaseId }).catch(() => undefined);
});

describe('luigi-spanner reproduce / chaos / run --force (CLI)', () => {
  it('reproduce --json: exit 1 and the findings in the lint JSON shape plus runtime details', async () => {
    const result = await run(['reproduce', PLAIN_INSERT, 'LoadOrders', '-p', 'batch=2024-03-01', '--env', 'PIPELINE_STATE_DIR={scratch}', '--json']);
    expect(result.code, result.stderr).toBe(1);
    const report = JSON.parse(result.stdout) as { verdict: string; findings: Array<Record<string, unknown>>; timeline: unknown[]; database: { databaseId: string } };
    databases.push(report.database.databaseId);
    expect(report.verdict).toBe('unsafe');
    expect(report.findings.map((f) => f.code).sort()).toEqual(['LS201', 'LS204']);
    const lines = readFileSync(path.join(REPO_ROOT, PLAIN_INSERT), 'utf8').split('\n');
    for (const finding of report.findings) {
      expect(Object.keys(finding)).toEqual(expect.arrayContaining(['code', 'severity', 'file', 'line', 'column', 'endLine', 'endColumn', 'message', 'runtime', 'staticRules', 'docs']));
      expect(finding.file).toBe(PLAIN_INSERT);
      expect(finding.severity).toBe('error');
    }
    const duplicate = report.findings.find((f) => f.code === 'LS201')!;
    expect(lines[(duplicate.line as number) - 1]).toContain('batch.insert(');
    expect(duplicate.runtime).toMatchObject({ kind: 'duplicate-insert', table: 'Orders', keySource: 'mutation' });
    expect(report.timeline.length).toBeGreaterThan(4);
  });

  it('reproduce: exit 0 and "rerun-safe" for the atomic orders sample', async () => {
    const result = await run(['reproduce', 'samples/orders/pipeline.py', 'AllReports']);
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(result.stdout).toMatch(/^rerun-safe: AllReports/m);
    databases.push(/database (\S+) kept for inspection/.exec(result.stdout)![1]!);
    expect(result.stdout).toContain('LoadCustomers(snapshot=2024-03-02): already complete');
  });

  it('chaos --json: a report per table and task, exit 0 for the atomic sample', async () => {
    const result = await run(['chaos', 'samples/orders/pipeline.py', 'AllReports', '--runs', '2', '--seed', '5', '--json']);
    expect(result.code, result.stderr).toBe(0);
    // Reached as an external emulator, it cannot promise injected aborts: the command says so.
    expect(result.stderr).toContain('no injected aborts');
    const report = JSON.parse(result.stdout) as { ok: boolean; seed: number; attempts: Array<{ seed: number; kill?: unknown }>; tables: Array<{ table: string }> };
    expect(report.ok).toBe(true);
    expect(report.attempts.map((a) => a.seed)).toEqual([5, 6]);
    expect(report.attempts.every((a) => a.kill)).toBe(true);
    expect(report.tables.map((t) => t.table)).toEqual(['Customers', 'DailyRevenue', 'LuigiTaskMarkers', 'Orders']);
  });

  it('run --force --keep-state runs a complete task again', async () => {
    const database = uniqueDatabaseId('force');
    databases.push(database);
    const args = ['run', 'samples/orders/pipeline.py', 'LoadCustomers', '--keep-state', '--database', database];
    const first = await run(args);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('✓ LoadCustomers');
    const again = await run(args);
    expect(again.stdout).toContain('LoadCustomers(snapshot=2024-03-02) (already complete)');
    const forced = await run([...args, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('✓ LoadCustomers');
  });
});
