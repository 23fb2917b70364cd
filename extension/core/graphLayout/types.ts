// Shapes of the graph view's pipeline: GraphJson -> VisibleGraph (what is drawn: tasks,
// family groups, collapsed modules) -> per-component layouts -> GraphLayout (packed).
// Pure data: shared by the webview, the extension host and the CLI's SVG export.
import type { TaskKind } from '../analysis/types';
import type { GraphScope, LayoutDirection } from '../../shared/protocol';

/** `table`: a Spanner table between its writers and readers (data lineage, "Tasks + tables"). */
export type VisibleNodeKind = TaskKind | 'family' | 'module' | 'table';

export interface VisibleNode {
  /** Task id, `family:<module.Name>`, `module:<module>` or `table:<Name>`. */
  id: string;
  kind: VisibleNodeKind;
  /** For a family group the task kind of its members; for a task its own kind. */
  taskKind: TaskKind;
  label: string;
  /** Second line for groups: "12 instances", "25 tasks". */
  detail?: string;
  width: number;
  height: number;
  /** Task ids this node stands for (one for a task; the writers and readers shown, for a table). */
  members: string[];
  /** The task's module; '' for a table. */
  module: string;
}

export interface VisibleEdge {
  /** `${from}->${to}`; at most one edge per ordered pair of visible nodes. */
  id: string;
  from: string;
  to: string;
  /** `writes`: task -> table; `reads`: table -> task. */
  kind: 'requires' | 'dynamic' | 'writes' | 'reads';
  /** How many task edges were merged into this one (groups). */
  count: number;
}

export interface VisibleGraph {
  nodes: VisibleNode[];
  edges: VisibleEdge[];
}

export interface Point {
  x: number;
  y: number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * One connected component laid out on its own, at origin (0,0). Cached by `key`, a hash of
 * its structure (node ids and sizes, edges) and the layout options, so that a structure seen
 * before is never laid out again, across restarts too.
 */
export interface ComponentLayout {
  key: string;
  width: number;
  height: number;
  /** Node id -> [x, y, width, height]. */
  nodes: Record<string, [number, number, number, number]>;
  /** Edge id -> flat polyline [x0, y0, x1, y1, ...] from upstream to downstream. */
  edges: Record<string, number[]>;
}

export interface PlacedComponent {
  key: string;
  /** Smallest node id: identifies "the same" component across edits for stable placement. */
  anchor: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The whole visible graph laid out: absolute coordinates. */
export interface GraphLayout {
  /** Everything drawn; may start away from the origin after incremental updates. */
  bounds: Rect;
  nodes: Map<string, Rect>;
  edges: Map<string, number[]>;
  components: PlacedComponent[];
}

/**
 * A small view's whole drawing as a new panel opens it (openingSnapshot.ts `openingDrawing`): the
 * visible graph and its composed layout, which the page takes as they are instead of building the
 * visible graph and assembling the layout itself. Only valid for the view it was made for: that
 * scope and direction, with nothing focused, collapsed, expanded or added (tables off).
 */
export interface OpeningDrawing {
  scope: GraphScope;
  direction: LayoutDirection;
  visible: VisibleGraph;
  bounds: Rect;
  /** The layout's nodes in its own order (ties in framing go by it), five numbers each: the node's index in `visible.nodes`, x, y, width, height. */
  places: number[];
  /** The layout's edge routes in its own order: the edge's index in `visible.edges`, its points. */
  routes: [number, number[]][];
  components: PlacedComponent[];
}

/**
 * The first drawing of a big graph as a new panel opens it: the nodes and edges of the part its
 * view shows at once, placed as in the view's full layout (openingSnapshot.ts). Drawn while the
 * page prepares the whole graph, which then takes its place without a move.
 */
export interface GraphSnapshot {
  /** The whole drawing's bounds: the view opens as for the whole graph (framing.ts). */
  bounds: Rect;
  /** The node the view opens on (the task to reveal), when given. */
  focus?: string;
  nodes: (VisibleNode & { x: number; y: number })[];
  edges: (VisibleEdge & { points: number[] })[];
}
