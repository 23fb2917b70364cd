// The story of a reproduction, run by run: what started, what committed, where the process died,
// what the rerun met. Shown by the CLI and the editor's Explain view.
import type { RunEvent } from '../runs/events';
import { location, TaskLabels } from './source';
import type { RunTrace, SourceLocation } from './types';

export interface TimelineEntry {
  /** 1-based position of the run in the sequence. */
  run: number;
  runLabel: string;
  runId: string;
  /** Unix seconds. */
  time: number;
  kind: 'started' | 'commit' | 'fault' | 'failed' | 'succeeded' | 'complete' | 'ended';
  task?: string;
  text: string;
  location?: SourceLocation;
}

export interface LabelledRun {
  label: string;
  trace: RunTrace;
}

function rows(tables: Record<string, number>): string {
  return Object.entries(tables).map(([t, n]) => `${n} row${n === 1 ? '' : 's'} to ${t}`).join(', ');
}

export function describeEnd(trace: RunTrace): string {
  const summary = trace.events.find((e) => e.type === 'summary');
  if (summary && summary.type === 'summary') return `${summary.status}${summary.success ? '' : ' (failed)'}`;
  const error = trace.events.find((e) => e.type === 'error');
  if (error && error.type === 'error') return `could not start: ${error.message}`;
  if (trace.signal) return `the process was killed (${trace.signal}): no summary`;
  const last = trace.logTail?.filter((l) => l.trim()).slice(-3).join(' / ');
  return `ended with exit code ${trace.exitCode ?? 'unknown'} and no summary${last ? ` (it printed: ${last})` : ''}`;
}

export function buildTimeline(runs: LabelledRun[], root: string): TimelineEntry[] {
  const labels = new TaskLabels();
  for (const run of runs) labels.add(run.trace.events);
  const entries: TimelineEntry[] = [];
  // Tasks that wrote in an earlier run: their "already complete" in a later run is worth telling.
  const wroteBefore = new Set<string>();
  runs.forEach((run, index) => {
    const runId = run.trace.events[0]?.runId ?? '';
    const add = (event: RunEvent, kind: TimelineEntry['kind'], text: string, where?: SourceLocation) => {
      const id = typeof event.id === 'string' ? event.id : undefined;
      entries.push({
        run: index + 1,
        runLabel: run.label,
        runId,
        time: event.time,
        kind,
        ...(id ? { task: labels.label(id, typeof event.family === 'string' ? event.family : undefined) } : {}),
        text,
        ...(where ? { location: where } : {}),
      });
    };
    for (const event of run.trace.events) {
      switch (event.type) {
        case 'started':
          add(event, 'started', 'started');
          break;
        case 'commit':
          add(event, 'commit', `committed ${rows(event.tables)} (data commit ${event.commit})`, location(event.file, event.line, root));
          break;
        case 'fault':
          add(
            event,
            'fault',
            event.point === 'after-commit'
              ? `killed (SIGKILL) right after data commit ${event.commit}: nothing after that commit ran`
              : `killed (SIGKILL) right before data commit ${event.commit}`,
            location(event.file, event.line, root),
          );
          break;
        case 'failed':
          add(
            event,
            'failed',
            `failed: ${event.exception ?? 'error'}${event.grpcStatus ? ` (${event.grpcStatus})` : ''}: ${(event.message ?? '').split('\n')[0]}`,
            location(event.file, event.line, root),
          );
          break;
        case 'succeeded':
          add(event, 'succeeded', `succeeded${event.commits !== undefined ? ` after ${event.commits} data commit${event.commits === 1 ? '' : 's'}` : ''}`);
          break;
        case 'complete':
          if (wroteBefore.has(event.id)) add(event, 'complete', 'already complete: its marker was committed, so it did not run again');
          break;
        default:
          break;
      }
    }
    entries.push({ run: index + 1, runLabel: run.label, runId, time: run.trace.events.at(-1)?.time ?? 0, kind: 'ended', text: describeEnd(run.trace) });
    for (const event of run.trace.events) if (event.type === 'commit' && event.id) wroteBefore.add(event.id);
  });
  return entries;
}

export function formatTimeline(entries: TimelineEntry[]): string[] {
  const lines: string[] = [];
  let run = 0;
  for (const entry of entries) {
    if (entry.run !== run) {
      run = entry.run;
      lines.push(`${entry.runLabel} (run ${entry.runId})`);
    }
    const where = entry.location ? `  [${entry.location.file}:${entry.location.line}]` : '';
    lines.push(`  ${entry.task ? `${entry.task}: ` : ''}${entry.text}${where}`);
  }
  return lines;
}
