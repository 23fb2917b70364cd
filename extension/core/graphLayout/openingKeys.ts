// The structure keys of the components a new graph panel opens with (a fresh view of a scope in a
// direction: no focus, grouping or tables), kept per graph, and the layouts of those components
// once the host holds them all. The host works the keys out when the graph changes, ahead of the
// command (vscode/graph/index.ts: at 3,000 tasks indexing and splitting took 30-60 ms of the
// command's critical path on the extension host), and fetches their layouts from the language
// server once it has laid them out ahead: a new panel for that view then gets the graph and its
// positions in its HTML (graphPanel.ts), with no round trip. Pure: the host and the benches that
// model it share it.
import type { GraphJson } from '../analysis/types';
import type { GraphScope, LayoutDirection } from '../../shared/protocol';
import { splitComponents } from './components';
import type { ComponentLayout, VisibleGraph } from './types';
import { buildVisibleGraph, indexGraph, type GraphIndex } from './viewModel';

interface Held {
  index: GraphIndex;
  /** Per scope, the fresh view's visible graph. */
  visible: Map<string, VisibleGraph>;
  keys: Map<string, string[]>;
  /** Per view, every opening component's layout, in key order. */
  layouts: Map<string, ComponentLayout[]>;
}

const byGraph = new WeakMap<GraphJson, Held>();

function held(graph: GraphJson): Held {
  let found = byGraph.get(graph);
  if (!found) byGraph.set(graph, (found = { index: indexGraph(graph), visible: new Map(), keys: new Map(), layouts: new Map() }));
  return found;
}

const viewKey = (scope: GraphScope, direction: LayoutDirection) => `${direction} ${scope.kind === 'file' ? `file:${scope.file}` : 'workspace'}`;

/** The visible graph of a fresh view of the scope, kept per graph. */
export function openingVisibleGraph(graph: GraphJson, scope: GraphScope): VisibleGraph {
  const { index, visible } = held(graph);
  const key = scope.kind === 'file' ? `file:${scope.file}` : 'workspace';
  let found = visible.get(key);
  if (!found) visible.set(key, (found = buildVisibleGraph(index, { scope })));
  return found;
}

export function openingLayoutKeys(graph: GraphJson, scope: GraphScope, direction: LayoutDirection): string[] {
  const { keys } = held(graph);
  const view = viewKey(scope, direction);
  let found = keys.get(view);
  if (!found) keys.set(view, (found = splitComponents(openingVisibleGraph(graph, scope), direction).map((c) => c.key)));
  return found;
}

/**
 * Keeps the layouts of a view's opening components if `entries` hold every one of them; says
 * whether they did. A view with a component the server could not lay out is never held.
 */
export function holdOpeningLayouts(graph: GraphJson, scope: GraphScope, direction: LayoutDirection, entries: Iterable<ComponentLayout>): boolean {
  const keys = openingLayoutKeys(graph, scope, direction);
  const byKey = new Map<string, ComponentLayout>();
  for (const entry of entries) byKey.set(entry.key, entry);
  const layouts = keys.map((key) => byKey.get(key));
  if (keys.length === 0 || layouts.some((l) => l === undefined)) return false;
  held(graph).layouts.set(viewKey(scope, direction), layouts as ComponentLayout[]);
  return true;
}

/** The layouts of every opening component of the view, if held (holdOpeningLayouts). */
export function openingLayouts(graph: GraphJson, scope: GraphScope, direction: LayoutDirection): ComponentLayout[] | undefined {
  return byGraph.get(graph)?.layouts.get(viewKey(scope, direction));
}
