// Run history: what each run did, per task, with the rows its markers recorded.
import { databaseHandle, emulatorSpanner, type Target } from '../../../emulator/src';
import { DEFAULT_MARKER_TABLE } from '../../../emulator/src/settings';
import type { RunOutcome } from './runPipeline';

export interface TaskRecord {
  id: string;
  family: string;
  status: string;
  seconds?: number | null;
  /** Rows the task's completion marker recorded (luigi_spanner tasks). */
  rows?: number | null;
}

export interface RunRecord {
  runId: string;
  task: string;
  file: string;
  params: Record<string, string>;
  startedAt: string;
  status: string;
  success: boolean;
  cancelled: boolean;
  /** The run's database; empty when the run never got one (it did not start). */
  database: string;
  tasks: TaskRecord[];
  /** Why the run did not start (syntax error, no emulator image, ...), with what fixes it. */
  notStarted?: { reason: string; fix?: string; code?: string };
}

/**
 * A run that was asked for but never started: recorded all the same, so Luigi Runs lists every
 * attempt with why it did not start (a syntax error, a missing image) next to the runs that did.
 */
export function notStartedRecord(input: {
  task: string;
  file: string;
  params: Record<string, string>;
  startedAt: Date;
  reason: string;
  fix?: string;
  code?: string;
  database?: string;
}): RunRecord {
  return {
    runId: `not-started-${input.startedAt.getTime().toString(36)}-${Math.floor(Math.random() * 36 ** 4).toString(36)}`,
    task: input.task,
    file: input.file,
    params: input.params,
    startedAt: input.startedAt.toISOString(),
    status: 'NOT_STARTED',
    success: false,
    cancelled: false,
    database: input.database ?? '',
    tasks: [],
    notStarted: { reason: input.reason, ...(input.fix ? { fix: input.fix } : {}), ...(input.code ? { code: input.code } : {}) },
  };
}

/** Row counts per update id from the target's marker table for one run (empty when the table is absent). */
export async function markerRowCounts(target: Target, runId: string): Promise<Map<string, number | null>> {
  const spanner = emulatorSpanner(target.host, target.projectId);
  const database = databaseHandle(spanner, target.instanceId, target.databaseId);
  try {
    const [rows] = await database.run({
      // The name passed validateTableName when the settings resolved.
      sql: `SELECT UpdateId, RowCount FROM \`${target.markerTable ?? DEFAULT_MARKER_TABLE}\` WHERE RunId = @runId`,
      params: { runId },
      json: true,
    });
    return new Map((rows as Array<{ UpdateId: string; RowCount: number | null }>).map((r) => [r.UpdateId, r.RowCount]));
  } catch {
    return new Map();
  } finally {
    await database.close();
    spanner.close();
  }
}

export function buildRunRecord(input: {
  outcome: RunOutcome;
  task: string;
  file: string;
  params: Record<string, string>;
  startedAt: Date;
  database: string;
  rows: Map<string, number | null>;
}): RunRecord {
  const { outcome } = input;
  const runId = outcome.events[0]?.runId ?? `unknown-${input.startedAt.getTime()}`;
  return {
    runId,
    task: input.task,
    file: input.file,
    params: input.params,
    startedAt: input.startedAt.toISOString(),
    status: outcome.cancelled ? 'CANCELLED' : (outcome.summary?.status ?? 'NOT_STARTED'),
    success: Boolean(outcome.summary?.success) && !outcome.cancelled,
    cancelled: outcome.cancelled,
    database: input.database,
    tasks: (outcome.summary?.tasks ?? []).map((t) => ({
      id: t.id,
      family: t.family,
      status: t.status,
      seconds: t.seconds,
      rows: input.rows.get(t.id),
    })),
  };
}

/** Newest first, at most `keep`. */
export function appendHistory(history: RunRecord[], record: RunRecord, keep = 20): RunRecord[] {
  return [record, ...history.filter((r) => r.runId !== record.runId)].slice(0, keep);
}
