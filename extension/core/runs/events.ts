// The runner shim's event lines (extension/python/runner.py documents them), parsed and validated.
import { z } from 'zod';

export const EVENT_PREFIX = '@@luigi-spanner@@ ';

const base = { time: z.number(), runId: z.string() };
const task = { ...base, id: z.string(), family: z.string() };
const frame = z.object({ file: z.string(), line: z.number(), function: z.string().optional() }).passthrough();

/** A mutation or DML statement as the runner's client hooks saw it (values as JSON; big INT64 and NUMERIC as text). */
export const WriteSchema = z
  .object({
    operation: z.string(),
    table: z.string().optional(),
    rows: z.number(),
    columns: z.array(z.string()).optional(),
    values: z.array(z.array(z.unknown())).optional(),
    keys: z.array(z.array(z.unknown())).optional(),
    all: z.boolean().optional(),
    statement: z.string().optional(),
    file: z.string().optional(),
    line: z.number().optional(),
  })
  .passthrough();
/** One data commit of a task attempt: run-wide number, rows per table, the user call site. */
export const CommitSummarySchema = z
  .object({ commit: z.number(), tables: z.record(z.string(), z.number()), timestamp: z.string().optional(), file: z.string().optional(), line: z.number().optional() })
  .passthrough();
const AbortSampleSchema = z.object({ message: z.string(), file: z.string().optional(), line: z.number().optional() }).passthrough();
/** Client activity the runner adds to succeeded and failed events once the Spanner client is in use. */
const clientActivity = {
  commits: z.number().optional(),
  aborts: z.number().optional(),
  abortSamples: z.array(AbortSampleSchema).optional(),
};

export const TaskSummarySchema = z.object({ id: z.string(), family: z.string(), status: z.string(), seconds: z.number().nullable().optional() }).passthrough();

export const RunEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('run'), ...base, file: z.string(), task: z.string() }).passthrough(),
  z.object({ type: z.literal('discovered'), ...task, params: z.record(z.string(), z.unknown()).optional(), parent: z.string().nullable().optional() }).passthrough(),
  z.object({ type: z.literal('complete'), ...task }).passthrough(),
  z.object({ type: z.literal('missing'), ...task }).passthrough(),
  z.object({ type: z.literal('started'), ...task }).passthrough(),
  z.object({ type: z.literal('progress'), ...task, percentage: z.number().optional(), message: z.string().optional() }).passthrough(),
  z.object({ type: z.literal('succeeded'), ...task, seconds: z.number().nullable().optional(), ...clientActivity }).passthrough(),
  z
    .object({
      type: z.literal('failed'),
      ...task,
      exception: z.string().optional(),
      message: z.string().optional(),
      traceback: z.string().optional(),
      file: z.string().nullable().optional(),
      line: z.number().nullable().optional(),
      frames: z.array(frame).optional(),
      /** gRPC status of a Google API error in the exception chain (6 ALREADY_EXISTS, 9 FAILED_PRECONDITION, 10 ABORTED). */
      grpcCode: z.number().optional(),
      grpcStatus: z.string().optional(),
      /** The refused commit's writes. */
      mutations: z.array(WriteSchema).optional(),
      /** Data commits this attempt made before it failed: rows a rerun meets when no marker vouches for them. */
      committed: z.array(CommitSummarySchema).optional(),
      completeAfterFailure: z.boolean().optional(),
      ...clientActivity,
    })
    .passthrough(),
  z.object({ type: z.literal('retried'), ...task }).passthrough(),
  z.object({ type: z.literal('summary'), ...base, status: z.string(), success: z.boolean(), seconds: z.number().optional(), tasks: z.array(TaskSummarySchema) }).passthrough(),
  z.object({ type: z.literal('error'), ...base, message: z.string(), fix: z.string().nullable().optional(), file: z.string().nullable().optional(), line: z.number().nullable().optional() }).passthrough(),
  // Sent only when the debugger asks for them (--trace-commits, --fail-after-commits / --kill-at-random, --force).
  z
    .object({
      type: z.literal('commit'),
      ...base,
      id: z.string().optional(),
      family: z.string().optional(),
      commit: z.number(),
      tables: z.record(z.string(), z.number()),
      timestamp: z.string().optional(),
      tag: z.string().optional(),
      file: z.string().optional(),
      line: z.number().optional(),
      writes: z.array(WriteSchema),
    })
    .passthrough(),
  z
    .object({
      type: z.literal('fault'),
      ...base,
      id: z.string().optional(),
      family: z.string().optional(),
      kind: z.enum(['fail-after-commits', 'kill-at-random']),
      point: z.enum(['before-commit', 'after-commit']),
      commit: z.number(),
      pid: z.number(),
      file: z.string().optional(),
      line: z.number().optional(),
    })
    .passthrough(),
  z
    .object({
      type: z.literal('forced'),
      ...task,
      deleted: z.array(z.object({ table: z.string(), updateId: z.string(), existed: z.boolean() }).passthrough()),
      kept: z.array(z.string()).optional(),
    })
    .passthrough(),
]);

export type RunEvent = z.infer<typeof RunEventSchema>;
export type SummaryEvent = Extract<RunEvent, { type: 'summary' }>;
export type FailedEvent = Extract<RunEvent, { type: 'failed' }>;
export type CommitEvent = Extract<RunEvent, { type: 'commit' }>;
export type FaultEvent = Extract<RunEvent, { type: 'fault' }>;
export type WriteInfo = z.infer<typeof WriteSchema>;

/** The graph view's task states, derived from events. */
export type TaskRunState = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

export function stateOf(event: RunEvent): TaskRunState | undefined {
  switch (event.type) {
    case 'discovered':
      return 'pending';
    case 'started':
    case 'retried':
      return 'running';
    case 'succeeded':
      return 'done';
    case 'complete':
      return 'skipped';
    case 'failed':
    case 'missing':
      return 'failed';
    default:
      return undefined;
  }
}

/** Splits a byte stream into event lines; anything without the prefix is not an event. */
export class EventLineParser {
  private buffer = '';

  constructor(
    private readonly onEvent: (event: RunEvent) => void,
    private readonly onNoise: (line: string) => void = () => {},
  ) {}

  push(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) !== -1) {
      this.line(this.buffer.slice(0, newline));
      this.buffer = this.buffer.slice(newline + 1);
    }
  }

  end(): void {
    if (this.buffer) this.line(this.buffer);
    this.buffer = '';
  }

  private line(line: string): void {
    if (!line.startsWith(EVENT_PREFIX)) {
      if (line.trim()) this.onNoise(line);
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(line.slice(EVENT_PREFIX.length));
    } catch {
      this.onNoise(line);
      return;
    }
    const parsed = RunEventSchema.safeParse(json);
    if (parsed.success) this.onEvent(parsed.data);
    else this.onNoise(line);
  }
}
