// Focus on a table (data lineage): a table node focused like a task shows the tasks that write
// it upstream (and what they require, to the depth) and the tasks that read it downstream (and
// what requires them). The focus keeps the table node's id (`table:<name>`) where a task focus
// keeps a task id: task ids never hold a `:`.
import type { FocusState } from '../../shared/protocol';
import type { GraphIndex } from './viewModel';

/** Whether a focus is on a table of the graph. */
export function isTableFocus(index: Pick<GraphIndex, 'tableById'>, focus: Pick<FocusState, 'taskId'> | null | undefined): boolean {
  return !!focus && index.tableById.has(focus.taskId);
}

/**
 * The tasks a table focus lets through: writers and their upstream, readers and their
 * downstream, as the direction says. The writers and readers themselves are the first level.
 */
export function tableFocusTasks(index: GraphIndex, focus: FocusState, reachable: (start: Iterable<string>, next: Map<string, string[]>, depth: number) => Set<string>): Set<string> {
  const table = index.tableById.get(focus.taskId);
  if (!table) return new Set();
  const known = (ids: readonly string[]) => ids.filter((id) => index.tasks.has(id));
  const writers = focus.direction !== 'downstream' ? known(table.writers) : [];
  const readers = focus.direction !== 'upstream' ? known(table.readers) : [];
  // The writers and readers are the first level; what lies beyond them takes the rest of the depth (0: unlimited).
  if (focus.depth === 1) return new Set([...writers, ...readers]);
  const rest = focus.depth === 0 ? 0 : focus.depth - 1;
  return new Set([...reachable(writers, index.upstream, rest), ...reachable(readers, index.downstream, rest)]);
}
