// The graph and its component layouts as they travel from the extension host into the graph
// webview: the same data in flat number arrays instead of one object per edge. Every hop of a
// postMessage (the host's JSON, VS Code's relay, the structured clones into the webview's frames)
// costs by the object and the string; at 3,000 tasks the plain form was 2.8 MB in ~25,000 objects
// and strings, and a structured clone of it alone took 30-80 ms on a page's main thread. Packed:
// 1.5 MB, cloned in ~11 ms, parsed in half the time. Lossless for ELK's layouts: their coordinates
// are tenths of a pixel already (elk.ts rounds them), sent as integer tenths (anything finer would
// be rounded to a tenth); the order of tasks, edges and nodes is kept (layout keys depend on it).
// Pure, for the host, the webview, the benches and tests alike.
import type { EdgeKind, GraphJson } from '../analysis/types';
import type { ComponentLayout } from './types';

/** A GraphJson whose edges are task indices: `ends` holds [from, to, kind index] per edge, in order. */
export type PackedGraph = Omit<GraphJson, 'edges'> & { packedEdges: { kinds: EdgeKind[]; ends: number[] } };

/** A ComponentLayout with its nodes and edges as flat arrays (see packLayout). */
export interface PackedLayout {
  key: string;
  width: number;
  height: number;
  /** Node ids, in the order of `boxes`. */
  ids: string[];
  /** x, y, width, height per node, as in ComponentLayout.nodes. */
  boxes: number[];
  /** Edge ids as indices into `ids`: [from, to] per edge, for ids `${from}->${to}`; absent when `edgeIds` names them. */
  ends?: number[];
  /** Edge ids spelled out, for a layout whose edge ids are not all `${from}->${to}` of its nodes. */
  edgeIds?: string[];
  /** Per edge: its number of coordinates n, then n integers: x, y in tenths, each after the first pair as a step from the one before. */
  routes: number[];
}

export function isPackedGraph(graph: GraphJson | PackedGraph): graph is PackedGraph {
  return (graph as Partial<PackedGraph>).packedEdges !== undefined;
}

export function isPackedLayout(layout: ComponentLayout | PackedLayout): layout is PackedLayout {
  return (layout as Partial<PackedLayout>).routes !== undefined;
}

/** The graph with packed edges; unchanged (plain) when an edge names a task the graph lacks. */
export function packGraph(graph: GraphJson): GraphJson | PackedGraph {
  const at = new Map<string, number>();
  graph.tasks.forEach((t, i) => at.set(t.id, i));
  const kinds: EdgeKind[] = [];
  const ends: number[] = [];
  for (const edge of graph.edges) {
    const from = at.get(edge.from);
    const to = at.get(edge.to);
    if (from === undefined || to === undefined) return graph;
    let kind = kinds.indexOf(edge.kind);
    if (kind < 0) kind = kinds.push(edge.kind) - 1;
    ends.push(from, to, kind);
  }
  const { edges: _edges, ...rest } = graph;
  return { ...rest, packedEdges: { kinds, ends } };
}

export function unpackGraph(graph: GraphJson | PackedGraph): GraphJson {
  if (!isPackedGraph(graph)) return graph;
  const { packedEdges, ...rest } = graph;
  const { kinds, ends } = packedEdges;
  const edges: GraphJson['edges'] = new Array(ends.length / 3);
  for (let i = 0, e = 0; i < ends.length; i += 3, e++) edges[e] = { from: graph.tasks[ends[i]!]!.id, to: graph.tasks[ends[i + 1]!]!.id, kind: kinds[ends[i + 2]!]! };
  return { ...rest, edges };
}

export function packLayout(layout: ComponentLayout): PackedLayout {
  const ids: string[] = [];
  const at = new Map<string, number>();
  const boxes: number[] = [];
  for (const [id, [x, y, width, height]] of Object.entries(layout.nodes)) {
    at.set(id, ids.push(id) - 1);
    boxes.push(x, y, width, height);
  }
  const ends: number[] = [];
  const edgeIds: string[] = [];
  const routes: number[] = [];
  let plainIds = true;
  for (const [id, points] of Object.entries(layout.edges)) {
    edgeIds.push(id);
    if (plainIds) {
      // Both halves found: the id is `${from}->${to}` of those nodes by construction.
      const arrow = id.indexOf('->');
      const from = arrow < 0 ? undefined : at.get(id.slice(0, arrow));
      const to = from === undefined ? undefined : at.get(id.slice(arrow + 2));
      if (to === undefined) plainIds = false;
      else ends.push(from!, to);
    }
    const n = points.length - (points.length % 2);
    routes.push(n);
    let x = 0;
    let y = 0;
    for (let i = 0; i < n; i += 2) {
      const nx = Math.round(points[i]! * 10);
      const ny = Math.round(points[i + 1]! * 10);
      routes.push(nx - x, ny - y);
      x = nx;
      y = ny;
    }
  }
  return { key: layout.key, width: layout.width, height: layout.height, ids, boxes, ...(plainIds ? { ends } : { edgeIds }), routes };
}

export function unpackLayout(layout: ComponentLayout | PackedLayout): ComponentLayout {
  if (!isPackedLayout(layout)) return layout;
  const { ids, boxes, ends, edgeIds, routes } = layout;
  const nodes: ComponentLayout['nodes'] = {};
  for (let i = 0; i < ids.length; i++) nodes[ids[i]!] = [boxes[4 * i]!, boxes[4 * i + 1]!, boxes[4 * i + 2]!, boxes[4 * i + 3]!];
  const edges: ComponentLayout['edges'] = {};
  for (let r = 0, e = 0; r < routes.length; e++) {
    const n = routes[r++]!;
    const points: number[] = new Array(n);
    let x = 0;
    let y = 0;
    for (let i = 0; i < n; i += 2) {
      x += routes[r++]!;
      y += routes[r++]!;
      points[i] = x / 10;
      points[i + 1] = y / 10;
    }
    edges[edgeIds ? edgeIds[e]! : `${ids[ends![2 * e]!]}->${ids[ends![2 * e + 1]!]}`] = points;
  }
  return { key: layout.key, width: layout.width, height: layout.height, nodes, edges };
}

export const packLayouts = (layouts: readonly ComponentLayout[]): PackedLayout[] => layouts.map(packLayout);
export const unpackLayouts = (layouts: readonly (ComponentLayout | PackedLayout)[]): ComponentLayout[] => layouts.map(unpackLayout);

const packedGraphs = new WeakMap<GraphJson, GraphJson | PackedGraph>();
const packedLayoutLists = new WeakMap<readonly ComponentLayout[], PackedLayout[]>();

/** packGraph, once per graph object (the host posts the graph the analysis handed out many times). */
export function packedGraphOf(graph: GraphJson): GraphJson | PackedGraph {
  let packed = packedGraphs.get(graph);
  if (!packed) packedGraphs.set(graph, (packed = packGraph(graph)));
  return packed;
}

/** packLayouts, once per list (the opening layouts the host holds). */
export function packedLayoutsOf(layouts: readonly ComponentLayout[]): PackedLayout[] {
  let packed = packedLayoutLists.get(layouts);
  if (!packed) packedLayoutLists.set(layouts, (packed = packLayouts(layouts)));
  return packed;
}
