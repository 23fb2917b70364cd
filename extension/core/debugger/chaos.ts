// Chaos runs: the pipeline N times, each from a fresh database on a fault-injecting emulator with a
// worker killed at a seeded random commit boundary, each followed by a clean rerun; then every
// table compared with one clean run. A rerun-safe pipeline ends every time with exactly its rows.
import { dropDatabase, provision, type Target } from '../../../emulator/src';
import { UserFacingError } from '../errors';
import type { FaultEvent } from '../runs/events';
import { SpannerReader } from './database';
import { analyzeRuns } from './findings';
import { afterKill, RUNNER_ENV, runTrace, Scratch, summaryOf, type PipelineRequest } from './runs';
import { diffSnapshots, rowCounts, snapshotTables, type TableDiff, type TableSnapshot } from './snapshot';
import { describeEnd } from './timeline';
import type { RunTrace, RuntimeFinding } from './types';
import { TaskLabels } from './source';

export interface ChaosRequest extends PipelineRequest {
  runs: number;
  /** Run i kills at the point drawn from seed + i; the same seed replays the same kills. */
  seed: number;
  /** Where the databases are made: a fault-injecting emulator. */
  emulator: Pick<Target, 'host' | 'projectId' | 'instanceId' | 'markerTable'>;
  /** Attempts run side by side (each on its own database). */
  parallel?: number;
  /** Databases left for inspection: every one, the failing attempts' (default), or none. */
  keepDatabases?: 'all' | 'failing' | 'none';
  onAttempt?: (attempt: ChaosAttempt) => void;
}

export interface ChaosAttempt {
  index: number;
  seed: number;
  database: string;
  kept: boolean;
  kill?: { task: string; taskId?: string; commit: number; point: string };
  firstStatus: string;
  rerunStatus: string;
  rerunSuccess: boolean;
  differences: TableDiff[];
  duplicates: number;
  partial: number;
  findings: RuntimeFinding[];
  ok: boolean;
  seconds: number;
}

export interface ChaosTableReport {
  table: string;
  /** Tasks that write the table (from the clean run's commits). */
  writers: string[];
  expectedRows: number;
  duplicates: number;
  partial: number;
  extra: number;
  missing: number;
  changed: number;
  attemptsAffected: number;
}

export interface ChaosTaskReport {
  task: string;
  tables: string[];
  killed: number;
  duplicates: number;
  partial: number;
  /** Runtime findings per code over all attempts (LS201: rerun met its rows, LS204: left rows without marker). */
  findings: Record<string, number>;
}

export interface ChaosReport {
  ok: boolean;
  seed: number;
  runs: number;
  passed: number;
  failed: number;
  baseline: { database: string; dataCommits: number; rows: Record<string, number>; seconds: number };
  attempts: ChaosAttempt[];
  tables: ChaosTableReport[];
  tasks: ChaosTaskReport[];
  seconds: number;
}

function databaseId(prefix: string, index: number): string {
  return `${prefix}-${index}`;
}

async function withReader<T>(target: Target, body: (reader: SpannerReader) => Promise<T>): Promise<T> {
  const reader = new SpannerReader(target);
  try {
    return await body(reader);
  } finally {
    await reader.close();
  }
}

/** Attempts in a bounded pool: `parallel` at a time, results in index order. */
async function pool<T>(count: number, parallel: number, work: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await work(index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, count)) }, worker));
  return results;
}

export async function chaosRuns(request: ChaosRequest): Promise<ChaosReport> {
  if (!Number.isInteger(request.runs) || request.runs < 1) throw new UserFacingError(`--runs ${request.runs} is not a positive whole number.`, 'Pass --runs 20, for example.');
  const started = performance.now();
  const progress = request.onProgress ?? (() => {});
  const prefix = `chaos-${Date.now().toString(36)}`;
  const target = (id: string): Target => ({ ...request.emulator, databaseId: id });

  progress('Clean run (the reference every attempt is compared with) ...');
  const baselineTarget = target(databaseId(prefix, 0));
  await provision({ ...baselineTarget, migrationsDir: request.migrationsDir });
  const baselineStarted = performance.now();
  const baselineScratch = new Scratch();
  let baselineTrace: RunTrace;
  let expected: Map<string, TableSnapshot>;
  try {
    baselineTrace = await runTrace(request, baselineTarget, 'clean run', { [RUNNER_ENV.traceCommits]: '1' }, baselineScratch);
  } finally {
    baselineScratch.dispose();
  }
  if (!summaryOf(baselineTrace).success) {
    throw new UserFacingError(
      `The clean run of ${request.task} did not succeed (${describeEnd(baselineTrace)}), so there is nothing to compare chaos runs with.`,
      `Make it pass first: luigi-spanner run ${request.file} ${request.task}. Its database ${baselineTarget.databaseId} is kept for inspection.`,
    );
  }
  expected = await withReader(baselineTarget, snapshotTables);
  const baselineSeconds = (performance.now() - baselineStarted) / 1000;
  const dataCommits = baselineTrace.events.filter((e) => e.type === 'commit').length;
  if (request.keepDatabases !== 'all') await dropDatabase(baselineTarget);
  progress(`  ${dataCommits} data commit(s), ${[...expected.values()].reduce((n, s) => n + s.rows.size, 0)} row(s) in ${expected.size} table(s), ${baselineSeconds.toFixed(1)}s`);

  const labels = new TaskLabels().add(baselineTrace.events);
  const writersOf = new Map<string, Set<string>>();
  for (const event of baselineTrace.events) {
    if (event.type !== 'commit') continue;
    for (const table of Object.keys(event.tables)) {
      const writers = writersOf.get(table) ?? new Set<string>();
      writers.add(labels.label(event.id, event.family));
      writersOf.set(table, writers);
    }
  }

  const attempt = async (index: number): Promise<ChaosAttempt> => {
    const attemptStarted = performance.now();
    const seed = request.seed + index;
    const t = target(databaseId(prefix, index + 1));
    await provision({ ...t, migrationsDir: request.migrationsDir });
    const scratch = new Scratch();
    try {
      const killEnv = {
        [RUNNER_ENV.killAtRandom]: String(seed),
        [RUNNER_ENV.killHorizon]: String(Math.max(1, dataCommits)),
        [RUNNER_ENV.traceCommits]: '1',
      };
      const first = await runTrace(request, t, `attempt ${index + 1}: killed at random`, killEnv, scratch);
      await afterKill(first, t);
      const rerun = await runTrace(request, t, `attempt ${index + 1}: clean rerun`, { [RUNNER_ENV.traceCommits]: '1' }, scratch);
      const { findings, differences } = await withReader(t, async (reader) => ({
        findings: await analyzeRuns([first, rerun], { reader, root: request.root, migrationsDir: request.migrationsDir }),
        differences: diffSnapshots(expected, await snapshotTables(reader)),
      }));
      const fault = first.events.find((e): e is FaultEvent => e.type === 'fault');
      const rerunEnd = summaryOf(rerun);
      const duplicates = differences.reduce((n, d) => n + d.extra.length + d.changed.length, 0);
      const partial = differences.reduce((n, d) => n + d.missing.length, 0);
      const ok = rerunEnd.success && duplicates === 0 && partial === 0 && !findings.some((f) => f.severity === 'error');
      const keep = request.keepDatabases ?? 'failing';
      const kept = keep === 'all' || (keep === 'failing' && !ok);
      if (!kept) await dropDatabase(t);
      const result: ChaosAttempt = {
        index: index + 1,
        seed,
        database: t.databaseId,
        kept,
        ...(fault ? { kill: { task: new TaskLabels().add(first.events).label(fault.id, fault.family), ...(fault.id ? { taskId: fault.id } : {}), commit: fault.commit, point: fault.point } } : {}),
        firstStatus: summaryOf(first).status,
        rerunStatus: rerunEnd.status,
        rerunSuccess: rerunEnd.success,
        differences,
        duplicates,
        partial,
        findings,
        ok,
        seconds: (performance.now() - attemptStarted) / 1000,
      };
      request.onAttempt?.(result);
      return result;
    } finally {
      scratch.dispose();
    }
  };
  const attempts = await pool(request.runs, request.parallel ?? 1, attempt);

  const tables: ChaosTableReport[] = [...new Set([...expected.keys(), ...attempts.flatMap((a) => a.differences.map((d) => d.table))])].sort().map((table) => {
    const diffs = attempts.flatMap((a) => a.differences.filter((d) => d.table === table));
    const extra = diffs.reduce((n, d) => n + d.extra.length, 0);
    const changed = diffs.reduce((n, d) => n + d.changed.length, 0);
    const missing = diffs.reduce((n, d) => n + d.missing.length, 0);
    return {
      table,
      writers: [...(writersOf.get(table) ?? [])].sort(),
      expectedRows: expected.get(table)?.rows.size ?? 0,
      duplicates: extra + changed,
      partial: missing,
      extra,
      missing,
      changed,
      attemptsAffected: diffs.length,
    };
  });
  const taskNames = new Set<string>([...[...writersOf.values()].flatMap((s) => [...s]), ...attempts.flatMap((a) => (a.kill ? [a.kill.task] : []))]);
  const tasks: ChaosTaskReport[] = [...taskNames].sort().map((task) => {
    const own = tables.filter((t) => t.writers.includes(task));
    const findings: Record<string, number> = {};
    for (const a of attempts) for (const f of a.findings) if (f.runtime.kind !== 'abort-storm' && 'taskLabel' in f.runtime && f.runtime.taskLabel === task) findings[f.code] = (findings[f.code] ?? 0) + 1;
    return {
      task,
      tables: own.map((t) => t.table),
      killed: attempts.filter((a) => a.kill?.task === task).length,
      duplicates: own.reduce((n, t) => n + t.duplicates, 0),
      partial: own.reduce((n, t) => n + t.partial, 0),
      findings,
    };
  });
  const passed = attempts.filter((a) => a.ok).length;
  return {
    ok: passed === attempts.length,
    seed: request.seed,
    runs: request.runs,
    passed,
    failed: attempts.length - passed,
    baseline: { database: baselineTarget.databaseId, dataCommits, rows: rowCounts(expected), seconds: baselineSeconds },
    attempts,
    tables,
    tasks,
    seconds: (performance.now() - started) / 1000,
  };
}
