// The ELK side of the layout, shared by the webview's layout workers and the Node CLI:
// the options, the ELK graph built from components, and reading the result back.
// Options tuned for speed on large graphs (see bench/graph-view.mjs for the figures):
// - thoroughness 1 on all but small components: crossing minimisation runs one randomised
//   sweep instead of 7 (the largest single cost), ~1.7x less CPU at 1,000-3,000 nodes;
// - BALANCED Brandes-Koepf alignment: one placement instead of four candidates compared.
// A component whose long edges would give ELK more dummy nodes than its heap holds is laid out in
// bands (bands.ts), with the same options at every level.
import type { ElkExtendedEdge, ElkNode, LayoutOptions } from 'elkjs/lib/elk-api';
import type { LayoutDirection } from '../../shared/protocol';
import { buildBandedGraph, flattenBandedResult, planBands, routePoints } from './bands';
import type { ComponentLayout, VisibleEdge, VisibleNode } from './types';

/** Part of every cache key: bump when options or geometry change the result. */
export const LAYOUT_VERSION = 3;

/**
 * Components up to this many nodes get ELK's default thoroughness (7 randomised crossing
 * minimisation runs): better drawings, and still cheap at that size. ELK applies one
 * thoroughness per call, so a job never mixes components on both sides of this line.
 */
export const THOROUGH_UP_TO = 40;
/** Margin around each component, ours rather than ELK's so batches split cleanly. */
export const COMPONENT_PADDING = 16;

export function elkOptions(direction: LayoutDirection, nodeCount: number): LayoutOptions {
  return {
    'elk.algorithm': 'layered',
    'elk.direction': direction,
    'elk.edgeRouting': 'ORTHOGONAL',
    'elk.layered.thoroughness': nodeCount <= THOROUGH_UP_TO ? '7' : '1',
    'elk.layered.nodePlacement.bk.fixedAlignment': 'BALANCED',
    'elk.spacing.nodeNode': '18',
    'elk.layered.spacing.nodeNodeBetweenLayers': '44',
    'elk.spacing.edgeNode': '12',
    'elk.layered.spacing.edgeNodeBetweenLayers': '16',
    'elk.spacing.edgeEdge': '8',
    'elk.layered.spacing.edgeEdgeBetweenLayers': '8',
    'elk.spacing.componentComponent': String(COMPONENT_PADDING * 2),
    'elk.padding': `[top=${COMPONENT_PADDING},left=${COMPONENT_PADDING},bottom=${COMPONENT_PADDING},right=${COMPONENT_PADDING}]`,
    'elk.randomSeed': '1',
  };
}

/** The part of a component ELK needs; small, so it is cheap to post to a worker. */
export interface JobComponent {
  key: string;
  nodes: readonly Pick<VisibleNode, 'id' | 'width' | 'height'>[];
  edges: readonly Pick<VisibleEdge, 'id' | 'from' | 'to'>[];
}

/** Components laid out by one ELK call. */
export interface LayoutJobSpec {
  direction: LayoutDirection;
  components: JobComponent[];
}

/**
 * Runs one job with the given ELK `layout` function and returns one layout per component, in order:
 * one ELK call for the components a flat layout fits, and one per component laid out in bands.
 */
export async function runLayoutJob(layout: (graph: ElkNode) => Promise<ElkNode>, spec: LayoutJobSpec): Promise<ComponentLayout[]> {
  const plans = spec.components.map((component) => planBands(component));
  const flat = spec.components.filter((_, i) => !plans[i]);
  const byKey = new Map<JobComponent, ComponentLayout>();
  if (flat.length > 0) {
    const layouts = readLayoutJob(flat, await layout(buildLayoutJob(flat, spec.direction)));
    flat.forEach((component, i) => byKey.set(component, layouts[i]!));
  }
  for (const [i, component] of spec.components.entries()) {
    const plan = plans[i];
    if (!plan) continue;
    const result = await layout(buildBandedGraph(component, plan, spec.direction, (n) => elkOptions(spec.direction, n)));
    const { children, routes } = flattenBandedResult(component, plan, result);
    byKey.set(component, readPlaced([component], new Map(children.map((c) => [c.id, c])), routes)[0]!);
  }
  return spec.components.map((component) => byKey.get(component)!);
}

/**
 * One ELK graph for several components: ELK lays out each connected component separately
 * anyway, and one call per batch saves ELK's fixed per-call cost and a worker round trip each.
 */
export function buildLayoutJob(components: readonly JobComponent[], direction: LayoutDirection): ElkNode {
  const largest = Math.max(0, ...components.map((c) => c.nodes.length));
  const children: ElkNode[] = [];
  const edges: ElkExtendedEdge[] = [];
  for (const component of components) {
    for (const node of component.nodes) children.push({ id: node.id, width: node.width, height: node.height });
    for (const edge of component.edges) edges.push({ id: edge.id, sources: [edge.from], targets: [edge.to] });
  }
  // Thoroughness is per ELK call: one batch holds only components of one size class.
  return { id: 'root', layoutOptions: elkOptions(direction, largest), children, edges };
}

/** Cuts an ELK result back into per-component layouts, each moved to the origin. */
export function readLayoutJob(components: readonly JobComponent[], result: ElkNode): ComponentLayout[] {
  const placed = new Map<string, ElkNode>();
  for (const child of result.children ?? []) placed.set(child.id, child);
  const routed = new Map<string, number[]>();
  for (const edge of (result.edges ?? []) as ElkExtendedEdge[]) routed.set(edge.id, routePoints(edge));
  return readPlaced(components, placed, routed);
}

/** Per-component layouts from placed nodes and routed edges (absolute), each moved to the origin. */
function readPlaced(components: readonly JobComponent[], placed: ReadonlyMap<string, ElkNode>, routed: ReadonlyMap<string, number[]>): ComponentLayout[] {
  return components.map((component) => {
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (const node of component.nodes) {
      const p = placed.get(node.id);
      if (!p) throw new Error(`ELK returned no position for node ${node.id}`);
      minX = Math.min(minX, p.x!);
      minY = Math.min(minY, p.y!);
      maxX = Math.max(maxX, p.x! + node.width);
      maxY = Math.max(maxY, p.y! + node.height);
    }
    for (const edge of component.edges) {
      const points = routed.get(edge.id) ?? [];
      for (let i = 0; i < points.length; i += 2) {
        minX = Math.min(minX, points[i]!);
        maxX = Math.max(maxX, points[i]!);
        minY = Math.min(minY, points[i + 1]!);
        maxY = Math.max(maxY, points[i + 1]!);
      }
    }
    const dx = COMPONENT_PADDING - minX;
    const dy = COMPONENT_PADDING - minY;
    const layout: ComponentLayout = {
      key: component.key,
      width: round(maxX - minX + 2 * COMPONENT_PADDING),
      height: round(maxY - minY + 2 * COMPONENT_PADDING),
      nodes: {},
      edges: {},
    };
    for (const node of component.nodes) {
      const p = placed.get(node.id)!;
      layout.nodes[node.id] = [round(p.x! + dx), round(p.y! + dy), node.width, node.height];
    }
    for (const edge of component.edges) {
      const points = routed.get(edge.id) ?? [];
      layout.edges[edge.id] = points.map((v, i) => round(v + (i % 2 === 0 ? dx : dy)));
    }
    return layout;
  });
}

/** A component of one node needs no ELK call at all. */
export function singleNodeLayout(key: string, node: Pick<VisibleNode, 'id' | 'width' | 'height'>): ComponentLayout {
  return {
    key,
    width: node.width + 2 * COMPONENT_PADDING,
    height: node.height + 2 * COMPONENT_PADDING,
    nodes: { [node.id]: [COMPONENT_PADDING, COMPONENT_PADDING, node.width, node.height] },
    edges: {},
  };
}

const round = (v: number): number => Math.round(v * 10) / 10;
