// Chaos runs on one fault-injecting emulator (a fresh database per attempt): the atomic samples end
// every one of 20 killed-then-rerun attempts with exactly a clean run's rows; the broken ones do not.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSettings, startEmulator, stopEmulators, type RunningEmulator } from '../../emulator/src';
import { chaosRuns, type ChaosReport, type ChaosRequest } from '../../extension/core/debugger';
import { REPO_ROOT, testPython } from '../support/python';

const SAMPLES = path.join(REPO_ROOT, 'samples');
const CHAOS_EMULATOR = 'test-debugger-chaos';
// Fixed seeds: every kill point is drawn from them, so a failure replays exactly.
const SEED = 1;

let emulator: RunningEmulator;
const settings = resolveSettings({
  backend: process.env.LUIGI_SPANNER_TEST_BACKEND === 'binary' ? 'binary' : 'docker',
  faultInjection: true,
  name: CHAOS_EMULATOR,
  projectId: 'luigi-spanner-test',
  instanceId: 'chaos',
});

beforeAll(async () => {
  emulator = await startEmulator(settings);
  expect(emulator.faultInjection).toBe(true);
});

afterAll(async () => {
  if (emulator && !emulator.reused) await stopEmulators(CHAOS_EMULATOR);
});

function chaos(sample: string, task: string, runs: number, extra: Partial<ChaosRequest> = {}): Promise<ChaosReport> {
  const started = performance.now();
  return chaosRuns({
    python: testPython(),
    file: path.join(SAMPLES, sample, 'pipeline.py'),
    task,
    root: REPO_ROOT,
    migrationsDir: path.join(SAMPLES, sample, 'migrations'),
    runs,
    seed: SEED,
    // Two attempts side by side: each has its own database, and the emulator's one-transaction
    // limit is per database, so they never abort each other.
    parallel: 2,
    keepDatabases: 'none',
    emulator: { host: emulator.host, projectId: settings.projectId, instanceId: settings.instanceId },
    ...extra,
  }).then((report) => {
    console.info(`chaos ${sample} ${task}: ${runs} attempts in ${((performance.now() - started) / 1000).toFixed(1)}s (clean run ${report.baseline.seconds.toFixed(1)}s)`);
    return report;
  });
}

describe('chaos runs with fault injection', () => {
  it('orders AllReports: 20 attempts, a worker killed in each, zero duplicates and zero partial rows', async () => {
    const report = await chaos('orders', 'AllReports', 20);
    const failing = report.attempts.filter((a) => !a.ok).map((a) => ({ index: a.index, kill: a.kill, rerun: a.rerunStatus, diff: a.differences, findings: a.findings.map((f) => f.message) }));
    expect(failing).toEqual([]);
    expect(report).toMatchObject({ ok: true, passed: 20, failed: 0 });
    expect(report.baseline).toMatchObject({ dataCommits: 5, rows: { Customers: 6, Orders: 15, DailyRevenue: 4, LuigiTaskMarkers: 5 } });
    // Every attempt was really killed, at points spread over the run's commits.
    expect(report.attempts.every((a) => a.kill !== undefined)).toBe(true);
    expect(new Set(report.attempts.map((a) => `${a.kill!.commit}:${a.kill!.point}`)).size).toBeGreaterThan(4);
    expect(report.tables.map((t) => [t.table, t.duplicates, t.partial])).toEqual([
      ['Customers', 0, 0],
      ['DailyRevenue', 0, 0],
      ['LuigiTaskMarkers', 0, 0],
      ['Orders', 0, 0],
    ]);
    expect(report.tasks.every((t) => t.duplicates === 0 && t.partial === 0)).toBe(true);
  });

  it('time_window IngestOrders: atomic commits pass 20 attempts too', async () => {
    const report = await chaos('broken/time_window', 'IngestOrders', 20, { params: { batch: '2024-03-01' } });
    expect(report.attempts.filter((a) => !a.ok)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.attempts.every((a) => a.kill?.task === 'IngestOrders(batch=2024-03-01)')).toBe(true);
  });

  it('marker_outside_txn fails: a kill between the data and the marker commit adds the revenue twice', async () => {
    const report = await chaos('broken/marker_outside_txn', 'AllBatches', 4);
    expect(report.ok).toBe(false);
    const doubled = report.attempts.filter((a) => !a.ok);
    expect(doubled.length).toBeGreaterThan(0);
    for (const attempt of doubled) {
      expect(attempt.rerunSuccess).toBe(true);
      expect(attempt.differences.map((d) => [d.table, d.changed.length > 0])).toEqual([['DailyRevenue', true]]);
      expect(attempt.findings.map((f) => f.code)).toContain('LS204');
    }
    expect(report.tables.find((t) => t.table === 'DailyRevenue')!.duplicates).toBeGreaterThan(0);
    expect(report.tables.find((t) => t.table === 'Orders')!.duplicates).toBe(0);
  });

  it('plain_insert_replay fails: the rerun meets its own rows (LS201) and the batch stays partial', async () => {
    const report = await chaos('broken/plain_insert_replay', 'AllBatches', 4, { env: { PIPELINE_STATE_DIR: '{scratch}' } });
    expect(report.ok).toBe(false);
    const broken = report.attempts.filter((a) => !a.ok);
    expect(broken.length).toBeGreaterThan(0);
    for (const attempt of broken) {
      expect(attempt.rerunSuccess).toBe(false);
      expect(attempt.partial).toBeGreaterThan(0);
      expect(attempt.findings.map((f) => f.code).sort()).toEqual(['LS201', 'LS204']);
    }
    const orders = report.tables.find((t) => t.table === 'Orders')!;
    expect(orders.partial).toBeGreaterThan(0);
    expect(orders.duplicates).toBe(0);
  });
});
