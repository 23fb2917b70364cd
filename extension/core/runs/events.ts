// The runner's event lines (luigi_spanner.runner emits them, extension/shared/contract.json defines them), parsed and validated.
import type * as z from 'zod/mini';
import { EVENT_PREFIX, RunEventSchema, WriteSchema } from '../../shared/contract';

// The schemas are generated from extension/shared/contract.json (scripts/contract.mjs), the one
// description of the events that the Python runner (luigi_spanner.runner) is tested against too.
export { CommitSummarySchema, EVENT_PREFIX, RunEventSchema, TaskSummarySchema, WriteSchema } from '../../shared/contract';

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
