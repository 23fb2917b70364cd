// A big graph's first drawing, made by the host for a new panel's HTML: the view a new panel opens
// with is composed from the component layouts the host holds (openingKeys.ts; no ELK), and the
// part of it that the panel shows at once (framing.ts openRegion) is cut out, placed as in the whole
// layout. The page draws it in its first task and the whole graph takes its place a few tasks later
// without a move: the first paint of a 3,000-task graph no longer waits for indexing, the visible
// graph and the layout of all of it (~150-250 ms of the page's main thread on this machine).
// A small view's page gets the whole composed view instead (openingDrawing), which it takes as its
// visible graph and layout. Pure: the host, the page and the benches that model the host share it.
import type { GraphJson } from '../analysis/types';
import type { GraphLoadMessage, GraphScope, LayoutDirection, PersistedViewState } from '../../shared/protocol';
import { openRegion, startRect, type Size } from './framing';
import { layoutGraph, MemoryLayoutCache } from './layout';
import { openingLayouts, openingVisibleGraph } from './openingKeys';
import type { GraphLayout, GraphSnapshot, OpeningDrawing, Rect, VisibleGraph } from './types';

/**
 * From this many nodes a view's opening carries a snapshot (its part in view, drawn first); below,
 * its whole drawing (openingDrawing: ~120-150 KB of JSON at 200 tasks), which the page takes as is.
 */
export const SNAPSHOT_MIN_NODES = 800;
/** The largest panel a snapshot covers (CSS px); a larger one fills in with the whole graph. */
const COVER: Size = { width: 2560, height: 1600 };

export interface Composed {
  scope: GraphScope;
  direction: LayoutDirection;
  visible: VisibleGraph;
  layout: GraphLayout;
}

const composed = new WeakMap<GraphJson, Map<string, { done: Promise<void>; value?: Composed }>>();

const viewKey = (scope: GraphScope, direction: LayoutDirection) => `${direction} ${scope.kind === 'file' ? `file:${scope.file}` : 'workspace'}`;

/**
 * Composes the view's whole layout from the held opening layouts, once per graph and view, ahead
 * of a command (the host, after holding them). Nothing for a view whose layouts are not held.
 */
export function composeOpening(graph: GraphJson, scope: GraphScope, direction: LayoutDirection): Promise<void> {
  let views = composed.get(graph);
  if (!views) composed.set(graph, (views = new Map()));
  const view = viewKey(scope, direction);
  const found = views.get(view);
  if (found) return found.done;
  const layouts = openingLayouts(graph, scope, direction);
  if (!layouts) return Promise.resolve();
  const visible = openingVisibleGraph(graph, scope);
  const cache = new MemoryLayoutCache();
  cache.put(layouts);
  const runner = { run: () => Promise.reject(new Error('every opening component is held: nothing is laid out')) };
  const entry: { done: Promise<void>; value?: Composed } = { done: Promise.resolve() };
  entry.done = layoutGraph(visible, direction, { runner, cache }).then(
    ({ layout }) => void (entry.value = { scope, direction, visible, layout }),
    () => undefined,
  );
  views.set(view, entry);
  return entry.done;
}

/** The view's composed layout, if composeOpening finished it. */
export function composedOpening(graph: GraphJson, scope: GraphScope, direction: LayoutDirection): Composed | undefined {
  return composed.get(graph)?.get(viewKey(scope, direction))?.value;
}

const intersects = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** The part of a composed view a new panel shows at once, around `revealTaskId`'s node if given. */
export function cutSnapshot({ visible, layout }: Composed, direction: LayoutDirection, revealTaskId?: string): GraphSnapshot {
  const focusNode = revealTaskId === undefined ? undefined : visible.nodes.find((n) => n.members.includes(revealTaskId));
  const focus = focusNode && layout.nodes.get(focusNode.id);
  const region = openRegion(layout.bounds, COVER, { focus, start: startRect(layout.nodes.values(), direction), direction });
  const nodes: GraphSnapshot['nodes'] = [];
  const kept = new Set<string>();
  for (const node of visible.nodes) {
    const rect = layout.nodes.get(node.id);
    if (!rect || !intersects(rect, region)) continue;
    nodes.push({ ...node, x: rect.x, y: rect.y, width: rect.width, height: rect.height });
    kept.add(node.id);
  }
  // Edges between the nodes drawn; one to a node beyond comes with the whole graph.
  const edges: GraphSnapshot['edges'] = [];
  for (const edge of visible.edges) {
    const points = layout.edges.get(edge.id);
    if (points && kept.has(edge.from) && kept.has(edge.to)) edges.push({ ...edge, points });
  }
  return { bounds: layout.bounds, ...(focusNode && focus ? { focus: focusNode.id } : {}), nodes, edges };
}

const drawings = new WeakMap<Composed, OpeningDrawing>();

/**
 * What a new panel of a small view (below SNAPSHOT_MIN_NODES) gets in its HTML: the whole composed
 * view, which the page takes as its visible graph and layout. At 200 tasks that spares the page's
 * first task building the visible graph, splitting and hashing components and unpacking layouts
 * (~15-20 ms of cold code on this machine). Made once per composed view; none for a big view.
 */
export function openingDrawing(composed: Composed): OpeningDrawing | undefined {
  let drawing = drawings.get(composed);
  if (drawing) return drawing;
  const { visible, layout } = composed;
  if (visible.nodes.length >= SNAPSHOT_MIN_NODES) return undefined;
  const nodeIndex = new Map(visible.nodes.map((node, i) => [node.id, i]));
  const edgeIndex = new Map(visible.edges.map((edge, i) => [edge.id, i]));
  const places: number[] = [];
  for (const [id, r] of layout.nodes) {
    const i = nodeIndex.get(id);
    // Never so (the layout is of this visible graph); the page would then compose it itself.
    if (i === undefined) return undefined;
    places.push(i, r.x, r.y, r.width, r.height);
  }
  const routes: [number, number[]][] = [];
  for (const [id, points] of layout.edges) {
    const i = edgeIndex.get(id);
    if (i === undefined) return undefined;
    routes.push([i, points]);
  }
  drawing = { scope: composed.scope, direction: composed.direction, visible, bounds: layout.bounds, places, routes, components: layout.components };
  drawings.set(composed, drawing);
  return drawing;
}

/** The page's side of openingDrawing: the visible graph and its layout. */
export function drawingLayout(drawing: OpeningDrawing): { visible: VisibleGraph; layout: GraphLayout } {
  const { visible, places, routes } = drawing;
  const nodes = new Map<string, Rect>();
  for (let i = 0; i + 4 < places.length; i += 5) nodes.set(visible.nodes[places[i]!]!.id, { x: places[i + 1]!, y: places[i + 2]!, width: places[i + 3]!, height: places[i + 4]! });
  const edges = new Map<string, number[]>(routes.map(([i, points]) => [visible.edges[i]!.id, points]));
  return { visible, layout: { bounds: drawing.bounds, nodes, edges, components: drawing.components } };
}

/** What a new panel's HTML carries beside its graph: a big view's snapshot, a small view's whole drawing. */
export function openingPicture(composed: Composed, revealTaskId?: string): Pick<GraphLoadMessage, 'snapshot' | 'drawing'> {
  const drawing = openingDrawing(composed);
  return drawing ? { drawing } : { snapshot: cutSnapshot(composed, composed.direction, revealTaskId) };
}

/**
 * Whether a page's view is the one a whole drawing was made for: its scope and direction, with
 * nothing focused, collapsed, expanded or added (the visible graph openingVisibleGraph builds).
 */
export function drawingFits(
  drawing: OpeningDrawing,
  view: Pick<PersistedViewState, 'scope' | 'direction' | 'focus' | 'collapsedModules' | 'expandedFamilies' | 'tables'>,
): boolean {
  return viewKey(drawing.scope, drawing.direction) === viewKey(view.scope, view.direction) && !view.focus && view.collapsedModules.length === 0 && view.expandedFamilies.length === 0 && view.tables !== true;
}
