// The structure keys of the components a new graph panel opens with (a fresh view of a scope in a
// direction: no focus, grouping or tables), kept per graph. The host asks the language server for
// exactly these layouts while a new panel loads (vscode/graph/graphPanel.ts fetchAhead); it works
// them out when the graph changes, ahead of the command (vscode/graph/index.ts), so that the
// request leaves at once: at 3,000 tasks indexing and splitting took 30-60 ms of the command's
// critical path on the extension host. Pure: the host and the benches that model it share it.
import type { GraphJson } from '../analysis/types';
import type { GraphScope, LayoutDirection } from '../../shared/protocol';
import { splitComponents } from './components';
import { buildVisibleGraph, indexGraph, type GraphIndex } from './viewModel';

const byGraph = new WeakMap<GraphJson, { index: GraphIndex; keys: Map<string, string[]> }>();

export function openingLayoutKeys(graph: GraphJson, scope: GraphScope, direction: LayoutDirection): string[] {
  let held = byGraph.get(graph);
  if (!held) byGraph.set(graph, (held = { index: indexGraph(graph), keys: new Map() }));
  const view = `${direction} ${scope.kind === 'file' ? `file:${scope.file}` : 'workspace'}`;
  let keys = held.keys.get(view);
  if (!keys) held.keys.set(view, (keys = splitComponents(buildVisibleGraph(held.index, { scope }), direction).map((c) => c.key)));
  return keys;
}
