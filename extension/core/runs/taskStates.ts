// What the Tasks view shows per task: its last state from the run history, and the tasks
// downstream of it (for "Run with downstream"). No `vscode` here.
import type { GraphJson, TaskNode } from '../analysis/types';
import type { RunRecord } from './history';

/** The newest recorded status of each task family (`succeeded`, `failed`, ...), from newest-first history. */
export function lastStateByFamily(history: RunRecord[]): Map<string, { status: string; startedAt: string }> {
  const states = new Map<string, { status: string; startedAt: string }>();
  for (const run of history) {
    for (const task of run.tasks) if (!states.has(task.family)) states.set(task.family, { status: task.status, startedAt: run.startedAt });
  }
  return states;
}

/**
 * The tasks to run so that `taskId` runs with everything downstream of it: the downstream tasks
 * nothing else requires (Luigi runs a task's upstream, so running these covers the rest).
 * The task itself when nothing requires it.
 */
export function downstreamRoots(graph: GraphJson, taskId: string): TaskNode[] {
  const byId = new Map(graph.tasks.map((t) => [t.id, t]));
  const downstream = new Map<string, string[]>();
  for (const e of graph.edges) downstream.set(e.from, [...(downstream.get(e.from) ?? []), e.to]);
  const seen = new Set<string>([taskId]);
  const queue = [taskId];
  const roots: TaskNode[] = [];
  while (queue.length > 0) {
    const id = queue.shift()!;
    const next = (downstream.get(id) ?? []).filter((d) => byId.has(d));
    if (next.length === 0) {
      const task = byId.get(id);
      if (task) roots.push(task);
    }
    for (const d of next) {
      if (seen.has(d)) continue;
      seen.add(d);
      queue.push(d);
    }
  }
  return roots;
}

/** Tables a task writes or names in its outputs, as the analysis found them. */
export function tablesOf(task: TaskNode): string[] {
  return [...new Set([...(task.tables ?? []), ...task.outputs.flatMap((o) => o.tables ?? [])])];
}
