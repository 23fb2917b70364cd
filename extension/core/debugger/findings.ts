// Runtime findings from runs: matched on gRPC status codes (the emulator's wording differs from
// production's), located in user code from the runner's traceback and commit call sites, and
// completed with what the run's database says about the rows involved.
import type { CommitEvent, FailedEvent, RunEvent, WriteInfo } from '../runs/events';
import type { Target } from '../../../emulator/src';
import { SpannerReader, type MarkerRow, type Row, type TableSchema } from './database';
import { absoluteFile, classLine, findColumnDefinition, lineSpan, location, nextMigrationName, relativeFile, TaskLabels } from './source';
import type {
  AbortStormDetails,
  CommitTimestampDetails,
  DuplicateInsertDetails,
  OrphanCommit,
  PartialResultsDetails,
  RelatedLocation,
  RowWriter,
  RunTrace,
  RuntimeCode,
  RuntimeFinding,
  RuntimeSeverity,
  SourceLocation,
} from './types';

export const GRPC = { ALREADY_EXISTS: 6, FAILED_PRECONDITION: 9, ABORTED: 10 } as const;
/** The client's sentinel for spanner.COMMIT_TIMESTAMP, as the runner reports mutation values. */
export const COMMIT_TIMESTAMP_SENTINEL = 'spanner.commit_timestamp()';
/** ABORTED retries in one run above which LS202 is a warning. */
export const DEFAULT_ABORT_THRESHOLD = 10;

export const STATIC_RULES: Record<RuntimeCode, string[]> = {
  LS201: ['LS002'],
  LS202: [],
  LS203: ['LS102'],
  LS204: ['LS001', 'LS003'],
};

export function ruleDocs(code: string): string {
  return `docs/rules/${code}.md`;
}

export interface AnalysisContext {
  /** The runs' database, read after the last run. Without it, findings rely on events alone. */
  reader?: SpannerReader;
  /** Workspace root: finding files are relative to it. */
  root: string;
  migrationsDir?: string;
  abortThreshold?: number;
}

interface Located {
  file: string;
  line: number;
}

function finding(
  code: RuntimeCode,
  severity: RuntimeSeverity,
  where: Located,
  message: string,
  runtime: RuntimeFinding['runtime'],
  ctx: AnalysisContext,
  related: RelatedLocation[] = [],
  taskId?: string,
): RuntimeFinding {
  const span = lineSpan(absoluteFile(where.file, ctx.root), where.line);
  return {
    code,
    severity,
    file: relativeFile(where.file, ctx.root),
    line: where.line,
    column: span.column,
    endLine: where.line,
    endColumn: span.endColumn,
    message,
    ...(taskId ? { taskId } : {}),
    staticRules: STATIC_RULES[code],
    docs: ruleDocs(code),
    related,
    runtime,
  };
}

/** Where a task is defined when no user frame is known: `class Family` in the run's pipeline file. */
function taskClassLocation(trace: RunTrace, family: string | undefined, ctx: AnalysisContext): SourceLocation | undefined {
  const run = trace.events.find((e) => e.type === 'run');
  if (!run || run.type !== 'run' || !family) return undefined;
  const line = classLine(run.file, family);
  return line ? { file: relativeFile(run.file, ctx.root), line } : undefined;
}

function pipelineStart(trace: RunTrace, ctx: AnalysisContext): Located {
  const run = trace.events.find((e) => e.type === 'run');
  return { file: run && run.type === 'run' ? relativeFile(run.file, ctx.root) : 'unknown', line: 1 };
}

// ---------------------------------------------------------------------------------------------
// Keys: re-derived from the refused commit's rows, parsed from the error text only as a fallback.

/** Values compared across JSON (runner) and Spanner (Node client) representations. */
export function sameValue(a: unknown, b: unknown, type: string): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  const base = type.replace(/\(.*\)$/, '').toUpperCase();
  if (base === 'TIMESTAMP') return Date.parse(String(a)) === Date.parse(String(b));
  if (base === 'NUMERIC' || base === 'FLOAT64' || base === 'FLOAT32') return Number(a) === Number(b);
  return String(a) === String(b);
}

function keyOf(columns: string[], row: unknown[], table: TableSchema): unknown[] | undefined {
  const key = table.primaryKey.map((k) => {
    const index = columns.indexOf(k);
    return index < 0 ? undefined : row[index];
  });
  return key.some((v) => v === undefined || v === COMMIT_TIMESTAMP_SENTINEL) ? undefined : key;
}

/** Key values in an ALREADY_EXISTS message: `Row {Int64(5001), String("a")}` (emulator) or `Row [5001,a]` (production). */
export function parseDuplicateMessage(message: string): { table?: string; columns?: string[]; values: string[] } | undefined {
  const emulator = /Table\s+`?(\w+)`?\s*:\s*Row\s*\{(.*)\}\s*already exists/i.exec(message);
  if (emulator) {
    const values = [...emulator[2]!.matchAll(/\w+\((?:"((?:[^"\\]|\\.)*)"|([^()]*))\)/g)].map((m) => m[1] ?? m[2] ?? '');
    return { table: emulator[1], values };
  }
  const production = /Row\s*\[(.*)\]\s*in table\s+`?(\w+)`?\s+already exists/i.exec(message);
  if (production) return { table: production[2], values: production[1]!.split(',').map((v) => v.trim().replace(/^"|"$/g, '')) };
  // The emulator's INSERT DML: `Failed to insert row with primary key ({pk#NoteId:1}) due to previously existing row`.
  const dml = /primary key \(\{(.*?)\}\)/i.exec(message);
  if (dml) {
    const pairs = dml[1]!.split(/,\s*(?=pk#)/).map((p) => /^pk#(\w+):(.*)$/.exec(p.trim()));
    if (pairs.every(Boolean)) return { values: pairs.map((p) => p![2]!.replace(/^"|"$/g, '')), columns: pairs.map((p) => p![1]!) };
  }
  return undefined;
}

interface Conflict {
  table: TableSchema;
  key: unknown[];
  existing?: Row;
  conflicting: number;
  keySource: 'mutation' | 'error-message';
  site?: SourceLocation;
}

async function findConflict(failed: FailedEvent, reader: SpannerReader | undefined, ctx: AnalysisContext): Promise<Conflict | undefined> {
  const inserts = (failed.mutations ?? []).filter((m) => m.operation === 'insert' && m.table && m.columns && m.values);
  if (reader) {
    for (const insert of inserts) {
      const table = await reader.table(insert.table!);
      if (!table || table.primaryKey.length === 0) continue;
      const keys = insert.values!.map((row) => keyOf(insert.columns!, row, table)).filter((k): k is unknown[] => k !== undefined);
      if (keys.length === 0) continue;
      const rows = await reader.rowsByKeys(table, keys);
      if (rows.length === 0) continue;
      const first = rows[0]!;
      return {
        table,
        key: table.primaryKey.map((k) => first[k]),
        existing: first,
        conflicting: rows.length,
        keySource: 'mutation',
        site: location(insert.file, insert.line, ctx.root),
      };
    }
  }
  const parsed = parseDuplicateMessage(failed.message ?? '');
  if (!parsed) return undefined;
  // Refused INSERT DML: the table is in the statement, the key in the error.
  const statementTable = [...(failed.mutations ?? [])]
    .reverse()
    .map((m) => (m.statement ? /^\s*INSERT\s+(?:OR\s+\w+\s+)?(?:INTO\s+)?`?(\w+)`?/i.exec(m.statement)?.[1] : undefined))
    .find(Boolean);
  const dmlSite = [...(failed.mutations ?? [])].reverse().find((m) => m.statement && m.file);
  const tableName = parsed.table ?? statementTable ?? inserts[0]?.table;
  const table = tableName && reader ? await reader.table(tableName) : undefined;
  const schema: TableSchema = table ?? { name: tableName ?? 'unknown', columns: [], primaryKey: parsed.columns ?? parsed.values.map((_, i) => `key${i + 1}`) };
  // In key order, when the message names the key columns.
  const values = table && parsed.columns ? table.primaryKey.map((k) => parsed.values[parsed.columns!.indexOf(k)] ?? '') : parsed.values;
  let existing: Row | undefined;
  if (table && reader && table.primaryKey.length === values.length) existing = (await reader.rowsByKeys(table, [values]))[0];
  const insert = inserts.find((m) => m.table === schema.name) ?? inserts[0] ?? dmlSite;
  return {
    table: schema,
    key: existing ? schema.primaryKey.map((k) => existing![k]) : values,
    existing,
    conflicting: existing ? 1 : 0,
    keySource: 'error-message',
    site: insert ? location(insert.file, insert.line, ctx.root) : undefined,
  };
}

function keyText(table: TableSchema, key: unknown[]): string {
  return table.primaryKey.map((k, i) => `${k}=${JSON.stringify(key[i])}`).join(', ');
}

// ---------------------------------------------------------------------------------------------
// Writers: the trace of earlier runs, the row's commit timestamp, the marker table.

interface TracedCommit {
  runIndex: number;
  runId: string;
  event: CommitEvent;
  write: WriteInfo;
}

function tracedWritesOf(runs: RunTrace[], upTo: { run: number; event?: RunEvent }, table: TableSchema, key: unknown[]): TracedCommit[] {
  const found: TracedCommit[] = [];
  const typeOf = new Map(table.columns.map((c) => [c.name, c.type]));
  runs.forEach((trace, runIndex) => {
    if (runIndex > upTo.run) return;
    for (const event of trace.events) {
      if (upTo.event && runIndex === upTo.run && event === upTo.event) break;
      if (event.type !== 'commit') continue;
      for (const write of event.writes) {
        if (write.table !== table.name || !write.columns || !write.values) continue;
        if (!['insert', 'insert_or_update', 'replace'].includes(write.operation)) continue;
        const hit = write.values.some((row) => {
          const rowKey = keyOf(write.columns!, row, table);
          return rowKey !== undefined && rowKey.every((v, i) => sameValue(v, key[i], typeOf.get(table.primaryKey[i]!) ?? 'STRING'));
        });
        if (hit) found.push({ runIndex, runId: event.runId, event, write });
      }
    }
  });
  return found;
}

/** Did this task attempt end without success in its run (killed, or failed)? */
function endedWithoutSuccess(trace: RunTrace, taskId: string | undefined): boolean {
  if (!taskId) return false;
  return !trace.events.some((e) => e.type === 'succeeded' && e.id === taskId);
}

async function writersOf(
  runs: RunTrace[],
  failingRun: number,
  failed: FailedEvent,
  conflict: Conflict,
  labels: TaskLabels,
  ctx: AnalysisContext,
): Promise<RowWriter[]> {
  const writers: RowWriter[] = [];
  for (const traced of tracedWritesOf(runs, { run: failingRun, event: failed }, conflict.table, conflict.key)) {
    const family = traced.event.family;
    writers.push({
      source: 'trace',
      exact: true,
      taskId: traced.event.id,
      taskFamily: family,
      taskLabel: labels.label(traced.event.id, family),
      // luigi_spanner keys a task's marker by its Luigi task id unless update_id() is overridden.
      ...(traced.event.id ? { updateId: traced.event.id } : {}),
      runId: traced.runId,
      committedAt: traced.event.timestamp,
      location: location(traced.write.file ?? traced.event.file, traced.write.line ?? traced.event.line, ctx.root) ?? taskClassLocation(runs[traced.runIndex]!, family, ctx),
      markerMissing: endedWithoutSuccess(runs[traced.runIndex]!, traced.event.id),
    });
  }
  // A marker names its task exactly when its commit timestamp is the row's; by table, it is a guess.
  const markerWriter = (marker: MarkerRow, source: 'commit-timestamp' | 'marker'): RowWriter => ({
    source,
    exact: source === 'commit-timestamp',
    taskId: marker.TaskId,
    taskFamily: marker.TaskFamily,
    taskLabel: labels.label(marker.TaskId, marker.TaskFamily),
    updateId: marker.UpdateId,
    runId: marker.RunId,
    committedAt: marker.CommittedAt,
    location: taskClassLocation(runs[failingRun]!, marker.TaskFamily, ctx),
    markerMissing: false,
  });
  const reader = ctx.reader;
  if (reader && conflict.existing) {
    for (const column of conflict.table.columns.filter((c) => c.commitTimestamp)) {
      const at = conflict.existing[column.name];
      if (typeof at !== 'string') continue;
      for (const marker of await reader.markers({ committedAt: at })) {
        if (writers.some((w) => w.updateId === marker.UpdateId || (w.taskId === marker.TaskId && w.runId === marker.RunId))) continue;
        writers.push(markerWriter(marker, 'commit-timestamp'));
      }
    }
  }
  if (reader && !writers.some((w) => w.exact)) {
    for (const marker of (await reader.markers({ targetTable: conflict.table.name })).slice(0, 5)) writers.push(markerWriter(marker, 'marker'));
  }
  return writers;
}

function describeWriter(writer: RowWriter): string {
  const when = writer.committedAt ? ` at ${writer.committedAt}` : '';
  const run = writer.runId ? ` in run ${writer.runId}` : '';
  const marker = writer.markerMissing ? ', which ended before writing its completion marker' : '';
  return `${writer.exact ? '' : 'possibly '}${writer.taskLabel ?? 'an unknown task'}${run}${when}${marker}`;
}

async function duplicateInsert(runs: RunTrace[], runIndex: number, failed: FailedEvent, labels: TaskLabels, ctx: AnalysisContext): Promise<RuntimeFinding | undefined> {
  const conflict = await findConflict(failed, ctx.reader, ctx);
  const trace = runs[runIndex]!;
  const label = labels.label(failed.id, failed.family);
  const where = conflict?.site ?? location(failed.file, failed.line, ctx.root) ?? taskClassLocation(trace, failed.family, ctx) ?? pipelineStart(trace, ctx);
  if (!conflict) {
    return finding('LS201', 'error', where, `Duplicate insert (ALREADY_EXISTS) in ${label}: ${failed.message ?? ''}`.trim(), {
      kind: 'duplicate-insert',
      runId: failed.runId,
      taskId: failed.id,
      taskLabel: label,
      table: 'unknown',
      key: {},
      keySource: 'error-message',
      conflictingRows: 0,
      writers: [],
      grpcCode: GRPC.ALREADY_EXISTS,
    }, ctx, [], failed.id);
  }
  const writers = await writersOf(runs, runIndex, failed, conflict, labels, ctx);
  const key = Object.fromEntries(conflict.table.primaryKey.map((k, i) => [k, conflict.key[i]]));
  const first = writers.find((w) => w.exact) ?? writers[0];
  const others = conflict.conflicting > 1 ? ` (and ${conflict.conflicting - 1} more of its rows)` : '';
  const message =
    `Duplicate insert into ${conflict.table.name}: row ${keyText(conflict.table, conflict.key)} already exists${others} (ALREADY_EXISTS). ` +
    (first ? `It was written by ${describeWriter(first)}. ` : 'No marker or trace says who wrote it. ') +
    'Commit the completion marker in the same transaction as the rows, or write them with insert_or_update.';
  const related: RelatedLocation[] = writers
    .filter((w) => w.location)
    .map((w) => ({ ...w.location!, message: `${keyText(conflict.table, conflict.key)} first written by ${describeWriter(w)}` }));
  const details: DuplicateInsertDetails = {
    kind: 'duplicate-insert',
    runId: failed.runId,
    taskId: failed.id,
    taskLabel: label,
    table: conflict.table.name,
    key,
    keySource: conflict.keySource,
    ...(conflict.existing ? { existingRow: conflict.existing } : {}),
    conflictingRows: conflict.conflicting,
    writers,
    grpcCode: GRPC.ALREADY_EXISTS,
  };
  return finding('LS201', 'error', where, message, details, ctx, related, failed.id);
}

// ---------------------------------------------------------------------------------------------
// LS203: commit timestamp into a column without allow_commit_timestamp.

async function commitTimestampWithoutOption(trace: RunTrace, failed: FailedEvent, labels: TaskLabels, ctx: AnalysisContext): Promise<RuntimeFinding | undefined> {
  const candidates: Array<{ table: string; column: string; site?: SourceLocation }> = [];
  for (const write of failed.mutations ?? []) {
    if (!write.table || !write.columns || !write.values) continue;
    write.columns.forEach((column, i) => {
      if (write.values!.some((row) => row[i] === COMMIT_TIMESTAMP_SENTINEL)) {
        candidates.push({ table: write.table!, column, site: location(write.file, write.line, ctx.root) });
      }
    });
  }
  // DML with PENDING_COMMIT_TIMESTAMP() carries no mutation: the error text names the column.
  if (candidates.length === 0) {
    const named = /allow_commit_timestamp[^.]*?column\s+`?(\w+)`?/i.exec(failed.message ?? '');
    const table = /table\s+`?(\w+)`?/i.exec(failed.message ?? '')?.[1];
    if (named && table) candidates.push({ table, column: named[1]! });
  }
  let chosen = candidates[0];
  if (ctx.reader) {
    const lacking = [];
    for (const c of candidates) {
      const table = await ctx.reader.table(c.table);
      const column = table?.columns.find((col) => col.name === c.column);
      if (column && !column.commitTimestamp) lacking.push({ ...c, table: table!.name, column: column.name });
    }
    chosen = lacking[0];
  }
  if (!chosen) return undefined;
  const label = labels.label(failed.id, failed.family);
  const definition = ctx.migrationsDir ? findColumnDefinition(ctx.migrationsDir, chosen.table, chosen.column) : undefined;
  const fixDdl = `ALTER TABLE ${chosen.table} ALTER COLUMN ${chosen.column} SET OPTIONS (allow_commit_timestamp = true)`;
  const suggested = ctx.migrationsDir ? nextMigrationName(ctx.migrationsDir, `allow_commit_timestamp_${chosen.table}_${chosen.column}`) : undefined;
  const migration = definition ? { file: relativeFile(definition.absolute, ctx.root), line: definition.line, statement: definition.statement } : undefined;
  const where = chosen.site ?? location(failed.file, failed.line, ctx.root) ?? taskClassLocation(trace, failed.family, ctx) ?? pipelineStart(trace, ctx);
  const details: CommitTimestampDetails = {
    kind: 'commit-timestamp-without-option',
    runId: failed.runId,
    taskId: failed.id,
    taskLabel: label,
    table: chosen.table,
    column: chosen.column,
    ...(migration ? { migration } : {}),
    fixDdl,
    ...(suggested ? { suggestedMigrationFile: suggested } : {}),
  };
  const message =
    `${label} writes spanner.COMMIT_TIMESTAMP into ${chosen.table}.${chosen.column}, which lacks OPTIONS (allow_commit_timestamp = true) (FAILED_PRECONDITION). ` +
    `Add a migration${suggested ? ` ${suggested}` : ''}: ${fixDdl};`;
  const related = migration ? [{ file: migration.file, line: migration.line, message: `${chosen.table}.${chosen.column} is defined here without allow_commit_timestamp` }] : [];
  return finding('LS203', 'error', where, message, details, ctx, related, failed.id);
}

// ---------------------------------------------------------------------------------------------
// LS202: abort storms.

function abortStorm(trace: RunTrace, labels: TaskLabels, ctx: AnalysisContext): RuntimeFinding | undefined {
  const threshold = ctx.abortThreshold ?? DEFAULT_ABORT_THRESHOLD;
  const run = trace.events.find((e) => e.type === 'run');
  const workers = run && run.type === 'run' && typeof run.workers === 'number' ? run.workers : 1;
  const perTask = new Map<string, AbortStormDetails['transactions'][number]>();
  const failedWithAborted: string[] = [];
  for (const event of trace.events) {
    if (event.type !== 'succeeded' && event.type !== 'failed') continue;
    if (event.type === 'failed' && event.grpcCode === GRPC.ABORTED) failedWithAborted.push(event.id);
    const aborts = event.aborts ?? 0;
    if (aborts === 0) continue;
    const entry = perTask.get(event.id) ?? { taskId: event.id, taskLabel: labels.label(event.id, event.family), aborts: 0, samples: [] };
    entry.aborts += aborts;
    for (const sample of event.abortSamples ?? []) {
      if (entry.samples.length < 3) entry.samples.push(sample.message);
      entry.location ??= location(sample.file, sample.line, ctx.root);
    }
    entry.location ??= taskClassLocation(trace, event.family, ctx);
    perTask.set(event.id, entry);
  }
  const total = [...perTask.values()].reduce((n, t) => n + t.aborts, 0);
  const storm = total >= threshold || failedWithAborted.length > 0;
  // Several workers on the emulator: it serves one read-write transaction at a time and aborts the rest.
  const emulatorContention = workers > 1 && total > 0;
  if (!storm && !emulatorContention) return undefined;
  const transactions = [...perTask.values()].sort((a, b) => b.aborts - a.aborts);
  const worst = transactions[0];
  const failedTask = failedWithAborted[0];
  const failedEvent = trace.events.find((e): e is FailedEvent => e.type === 'failed' && e.id === failedTask);
  const where = worst?.location ?? location(failedEvent?.file, failedEvent?.line, ctx.root) ?? pipelineStart(trace, ctx);
  const details: AbortStormDetails = { kind: 'abort-storm', runId: trace.events[0]?.runId ?? '', aborts: total, threshold, workers, transactions, failedWithAborted };
  const who = transactions.slice(0, 3).map((t) => `${t.taskLabel} ×${t.aborts}`).join(', ');
  const message =
    `${total} ABORTED transaction attempt${total === 1 ? '' : 's'} retried in this run${who ? ` (${who})` : ''}` +
    (failedWithAborted.length ? `; ${failedWithAborted.length} task(s) failed when retries ran out` : '') +
    '. ' +
    (workers > 1 ? `The emulator runs one read-write transaction at a time, so ${workers} workers abort each other: use fewer workers locally. ` : '') +
    'Keep every read-write transaction in run_in_transaction (it retries the whole function), short and free of side effects.';
  return finding('LS202', storm ? 'warning' : 'info', where, message, details, ctx, [], worst?.taskId);
}

// ---------------------------------------------------------------------------------------------
// LS204: rows committed by a task attempt that never committed its completion marker.

function commitsOfAttempt(trace: RunTrace, taskId: string): OrphanCommit[] {
  return trace.events
    .filter((e): e is CommitEvent => e.type === 'commit' && e.id === taskId)
    .map((e) => ({
      commit: e.commit,
      tables: e.tables,
      ...(e.timestamp ? { timestamp: e.timestamp } : {}),
      ...(e.file && e.line ? { location: { file: e.file, line: e.line } } : {}),
      sampleRows: Object.fromEntries(
        e.writes.filter((w) => w.table && w.columns && w.values).map((w) => [w.table!, { columns: w.columns!, rows: w.values!.slice(0, 5), source: 'trace' as const }]),
      ),
    }));
}

/** Replaces traced sample rows by the rows the database holds under the same keys (the rows a rerun meets). */
async function rowsFromDatabase(commits: OrphanCommit[], reader: SpannerReader): Promise<OrphanCommit[]> {
  const result: OrphanCommit[] = [];
  for (const commit of commits) {
    const samples: NonNullable<OrphanCommit['sampleRows']> = {};
    for (const [tableName, sample] of Object.entries(commit.sampleRows ?? {})) {
      const table = await reader.table(tableName);
      const keys = table?.primaryKey.length ? sample.rows.map((row) => keyOf(sample.columns, row, table)).filter((k): k is unknown[] => k !== undefined) : [];
      const found = table && keys.length ? await reader.rowsByKeys(table, keys) : [];
      samples[tableName] = found.length ? { columns: Object.keys(found[0]!), rows: found.map((r) => Object.values(r)), source: 'database' } : sample;
    }
    result.push({ ...commit, sampleRows: samples });
  }
  return result;
}

async function partialResults(runs: RunTrace[], runIndex: number, labels: TaskLabels, ctx: AnalysisContext): Promise<RuntimeFinding[]> {
  const trace = runs[runIndex]!;
  const found: RuntimeFinding[] = [];
  const seen = new Set<string>();
  const failedById = new Map(trace.events.filter((e): e is FailedEvent => e.type === 'failed').map((e) => [e.id, e]));
  const faults = new Map(trace.events.filter((e) => e.type === 'fault').map((e) => [String(e.id), e]));
  const candidates = new Set<string>([...trace.events.filter((e) => e.type === 'commit' && e.id).map((e) => String(e.id)), ...failedById.keys()]);
  for (const taskId of candidates) {
    if (seen.has(taskId) || !endedWithoutSuccess(trace, taskId)) continue;
    const failed = failedById.get(taskId);
    let commits = commitsOfAttempt(trace, taskId);
    if (commits.length === 0 && failed?.committed) {
      commits = failed.committed.map((c) => ({ commit: c.commit, tables: c.tables, ...(c.timestamp ? { timestamp: c.timestamp } : {}), ...(c.file && c.line ? { location: { file: c.file, line: c.line } } : {}) }));
    }
    if (commits.length === 0) continue;
    const rerunIndex = runs.findIndex((r, i) => i > runIndex && r.events.some((e) => e.type === 'started' && e.id === taskId));
    const evidence: PartialResultsDetails['evidence'] | undefined =
      rerunIndex > 0 ? 'rerun-started-task' : failed?.completeAfterFailure === false ? 'not-complete-after-failure' : undefined;
    if (!evidence) continue;
    seen.add(taskId);
    const family = labels.family(taskId) ?? failed?.family ?? (faults.get(taskId)?.family as string | undefined);
    const label = labels.label(taskId, family);
    const ended = failed && failed.phase !== 'process' ? 'failed' : 'killed';
    const tables: Record<string, number> = {};
    for (const c of commits) for (const [t, n] of Object.entries(c.tables)) tables[t] = (tables[t] ?? 0) + n;
    commits = commits.map((c) => (c.location ? { ...c, location: { file: relativeFile(c.location.file, ctx.root), line: c.location.line } } : c));
    if (ctx.reader) commits = await rowsFromDatabase(commits, ctx.reader);
    const last = [...commits].reverse().find((c) => c.location)?.location;
    const where = last ?? taskClassLocation(trace, family, ctx) ?? pipelineStart(trace, ctx);
    const rows = Object.entries(tables).map(([t, n]) => `${n} row${n === 1 ? '' : 's'} to ${t}`).join(', ');
    const rerunId = rerunIndex > 0 ? runs[rerunIndex]!.events[0]?.runId : undefined;
    const message =
      `${label} ${ended === 'killed' ? 'was killed' : 'failed'} after committing ${rows} in ${commits.length} commit${commits.length === 1 ? '' : 's'} ` +
      `without its completion marker, so ${rerunId ? 'the rerun ran it again over those rows' : 'a rerun will run it again over those rows'}. ` +
      'Commit the marker in the same transaction as the rows (luigi_spanner.SpannerTask), in one commit per task.';
    const details: PartialResultsDetails = {
      kind: 'partial-results',
      runId: trace.events[0]?.runId ?? '',
      taskId,
      taskLabel: label,
      ended,
      tables,
      commits,
      evidence,
      ...(rerunId ? { rerunId } : {}),
    };
    const related = commits
      .filter((c) => c.location && (c.location.file !== where.file || c.location.line !== where.line))
      .map((c) => ({ ...c.location!, message: `commit ${c.commit}: ${Object.entries(c.tables).map(([t, n]) => `${n} to ${t}`).join(', ')}` }));
    found.push(finding('LS204', 'error', where, message, details, ctx, related, taskId));
  }
  return found;
}

// ---------------------------------------------------------------------------------------------

/** Findings of a sequence of runs on one database, in run order (e.g. a cut run, then its rerun). */
export async function analyzeRuns(runs: RunTrace[], ctx: AnalysisContext): Promise<RuntimeFinding[]> {
  const labels = new TaskLabels();
  for (const run of runs) labels.add(run.events);
  const findings: RuntimeFinding[] = [];
  for (let i = 0; i < runs.length; i++) {
    const trace = runs[i]!;
    for (const event of trace.events) {
      if (event.type !== 'failed') continue;
      if (event.grpcCode === GRPC.ALREADY_EXISTS) {
        const found = await duplicateInsert(runs, i, event, labels, ctx);
        if (found) findings.push(found);
      } else if (event.grpcCode === GRPC.FAILED_PRECONDITION) {
        const found = await commitTimestampWithoutOption(trace, event, labels, ctx);
        if (found) findings.push(found);
      }
    }
    findings.push(...(await partialResults(runs, i, labels, ctx)));
    const storm = abortStorm(trace, labels, ctx);
    if (storm) findings.push(storm);
  }
  return findings;
}


/** Findings of one finished run, read against its database (the CLI's `run` and the editor call this). */
export async function findingsOfRun(
  outcome: { events: RunEvent[]; exitCode: number | null; signal: string | null },
  target: Target,
  options: Omit<AnalysisContext, 'reader'>,
): Promise<RuntimeFinding[]> {
  const reader = new SpannerReader(target);
  try {
    return await analyzeRuns([{ events: outcome.events, exitCode: outcome.exitCode, signal: outcome.signal }], { ...options, reader });
  } finally {
    await reader.close();
  }
}
