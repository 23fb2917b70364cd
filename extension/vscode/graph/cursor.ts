// Which task class the editor cursor is in. Pure, for the cursor-follow highlight.
import type { TaskNode } from '../../core/analysis/types';

/** The innermost task class whose lines hold `line` (1-based) in `file` (root-relative). */
export function taskAtLine(tasks: readonly TaskNode[], file: string, line: number): TaskNode | undefined {
  let best: TaskNode | undefined;
  for (const task of tasks) {
    if (task.file !== file || line < task.line || line > (task.endLine ?? task.line)) continue;
    if (!best || task.line > best.line) best = task;
  }
  return best;
}
