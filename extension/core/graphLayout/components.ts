// Connected components of the visible graph. Each is laid out on its own: the unit of caching
// (an edit re-lays out only the component it touched), of parallelism (components spread over
// the layout workers) and of stable placement (untouched components do not move).
import type { LayoutDirection } from '../../shared/protocol';
import { LAYOUT_VERSION } from './elk';
import { hashString } from './hash';
import type { VisibleEdge, VisibleGraph, VisibleNode } from './types';

export interface GraphComponent {
  key: string;
  /** Smallest node id: names "the same" component across edits. */
  anchor: string;
  nodes: VisibleNode[];
  edges: VisibleEdge[];
}

export function splitComponents(graph: VisibleGraph, direction: LayoutDirection): GraphComponent[] {
  const parent = new Map<string, string>();
  const find = (id: string): string => {
    let root = id;
    while (parent.get(root) !== root) root = parent.get(root)!;
    // Path compression keeps later finds near O(1).
    let cur = id;
    while (cur !== root) {
      const next = parent.get(cur)!;
      parent.set(cur, root);
      cur = next;
    }
    return root;
  };
  for (const node of graph.nodes) parent.set(node.id, node.id);
  for (const edge of graph.edges) {
    const a = find(edge.from);
    const b = find(edge.to);
    if (a !== b) parent.set(a < b ? b : a, a < b ? a : b);
  }
  const groups = new Map<string, { nodes: VisibleNode[]; edges: VisibleEdge[] }>();
  // Nodes and edges arrive sorted by id, so each component's lists are sorted too.
  for (const node of graph.nodes) {
    const root = find(node.id);
    let group = groups.get(root);
    if (!group) groups.set(root, (group = { nodes: [], edges: [] }));
    group.nodes.push(node);
  }
  for (const edge of graph.edges) groups.get(find(edge.from))!.edges.push(edge);
  const components: GraphComponent[] = [];
  for (const group of groups.values()) {
    components.push({ key: componentKey(group.nodes, group.edges, direction), anchor: group.nodes[0]!.id, nodes: group.nodes, edges: group.edges });
  }
  return components.sort((a, b) => (a.anchor < b.anchor ? -1 : 1));
}

/** Hash of everything the layout depends on: node ids and sizes, edge ends, options. */
export function componentKey(nodes: readonly VisibleNode[], edges: readonly VisibleEdge[], direction: LayoutDirection): string {
  const parts: string[] = [`v${LAYOUT_VERSION}`, direction];
  for (const n of nodes) parts.push(`${n.id}\u0001${n.width}\u0001${n.height}`);
  parts.push('');
  for (const e of edges) parts.push(`${e.from}\u0001${e.to}`);
  return hashString(parts.join('\u0000'));
}
