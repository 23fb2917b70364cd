// Before a run starts anything (emulator, Python): the files it would import must parse. A syntax
// error found statically is named with its place, so the editor can offer "Go to error" instead of
// starting the emulator and Luigi only to have Python fail with a message that has no line.
import type { GraphDiagnostic, GraphJson } from '../analysis/types';

export const SYNTAX_ERROR_CODE = 'syntax-error';

/**
 * Syntax errors in the task's own file and in the files of every task upstream of it (those the
 * run imports), the task's own file first. Graph file paths are relative to the graph root.
 */
export function syntaxErrorsBlockingRun(graph: GraphJson, taskId: string): GraphDiagnostic[] {
  const byId = new Map(graph.tasks.map((t) => [t.id, t]));
  const task = byId.get(taskId);
  if (!task) return [];
  const files = new Set<string>([task.file]);
  const upstreamOf = new Map<string, string[]>();
  for (const edge of graph.edges) upstreamOf.set(edge.to, [...(upstreamOf.get(edge.to) ?? []), edge.from]);
  const seen = new Set<string>([taskId]);
  const queue = [taskId];
  while (queue.length > 0) {
    for (const up of upstreamOf.get(queue.shift()!) ?? []) {
      if (seen.has(up)) continue;
      seen.add(up);
      queue.push(up);
      const file = byId.get(up)?.file;
      if (file) files.add(file);
    }
  }
  const errors = graph.diagnostics.filter((d) => d.code === SYNTAX_ERROR_CODE && files.has(d.file));
  return errors.sort((a, b) => Number(b.file === task.file) - Number(a.file === task.file) || a.file.localeCompare(b.file) || a.line - b.line);
}

/** "syntax error at pipeline.py:12:8: expected ':'" (and how many more). */
export function describeSyntaxErrors(errors: GraphDiagnostic[]): string {
  const first = errors[0];
  if (!first) return '';
  const place = `${first.file}:${first.line}${first.column !== undefined ? `:${first.column + 1}` : ''}`;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return `Syntax error at ${place}: ${first.message}${more}. Fix it before running: Python would stop there.`;
}
