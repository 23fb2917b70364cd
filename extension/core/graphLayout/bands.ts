// A component too costly for one flat ELK layout (layering.ts: its nodes plus the dummy nodes
// of its long edges exceed ELK_ELEMENT_BUDGET) is laid out in bands: runs of consecutive layers,
// each an ELK child graph of its own, side by side at the top level, in one ELK call
// (hierarchyHandling SEPARATE_CHILDREN, ELK's default, lays out one level at a time, so its heap
// holds one band or the top level, never the whole). An edge between bands leaves its band
// through a port on the downstream side and enters the other through one on the upstream side;
// the edges from one band to another share that pair of ports and one route between them (a
// bundle), so the top level has one edge per pair of bands, not one per task edge. Each task edge
// is drawn as its piece inside the first band, the bundle's route, and its piece inside the other.
// This is what ELK's maintainers advise for large hierarchical graphs (split edges with ports:
// eclipse-elk/elk#986). Bands follow the layering, so the drawing keeps the flat layout's
// upstream-to-downstream order; what changes is that long edges travel in bundles.
import type { ElkExtendedEdge, ElkNode, ElkPort, LayoutOptions } from 'elkjs/lib/elk-api';
import type { LayoutDirection } from '../../shared/protocol';
import { dummyCount, layerNodes, type IndexEdge } from './layering';

/**
 * Nodes plus dummy nodes one ELK level may hold. ELK uses ~13 KB of heap per node or dummy
 * (measured with elkjs 0.12: 1,001 nodes and ~14,000 dummies peaked at 290 MB RSS; 401 nodes and
 * ~40,000 dummies at 550 MB); the language server's layout worker has 384 MB (LAYOUT_WORKER_LIMITS).
 */
export const ELK_ELEMENT_BUDGET = 20_000;

export interface BandComponent {
  nodes: readonly { id: string }[];
  edges: readonly { id: string; from: string; to: string }[];
}

/** How a component is cut: a band per node (0..bands-1), and the estimated cost of its largest ELK level. */
export interface BandPlan {
  band: Int32Array;
  bands: number;
  /** Nodes plus dummies of the costliest level (a band or the top), as estimated: ELK's heap. */
  cost: number;
  /** Nodes plus dummies of all levels: ELK's time. */
  total: number;
  /** Estimated nodes plus dummies of each band. */
  bandCosts: Float64Array;
  /** The same for a flat layout. */
  flatCost: number;
}

/**
 * Band heights (in layers) tried: of those whose costliest level fits the budget, the one with
 * the least work in all (ELK's time); if none fits, the one whose costliest level is cheapest.
 */
const HEIGHTS = [2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512];

/**
 * The bands for a component whose flat layout would exceed ELK_ELEMENT_BUDGET, or undefined when
 * a flat layout fits (or no banding is cheaper: a wide, shallow graph).
 */
export function planBands(component: BandComponent, budget = ELK_ELEMENT_BUDGET): BandPlan | undefined {
  const index = new Map<string, number>();
  component.nodes.forEach((node, i) => index.set(node.id, i));
  const edges: IndexEdge[] = component.edges.map((e) => [index.get(e.from)!, index.get(e.to)!]);
  const n = component.nodes.length;
  // No edge can span more than n-1 layers: small components need no counting.
  if (n + component.edges.length * Math.max(0, n - 2) <= budget) return undefined;
  const layer = layerNodes(n, edges);
  const flatCost = n + dummyCount(layer, edges);
  if (flatCost <= budget) return undefined;
  let depth = 0;
  for (const l of layer) depth = Math.max(depth, l + 1);
  let best: BandPlan | undefined;
  const better = (a: BandPlan, b: BandPlan) => (a.cost <= budget && b.cost <= budget ? a.total < b.total : a.cost < b.cost);
  for (const height of HEIGHTS) {
    if (height >= depth) break;
    const plan = bandsOfHeight(layer, edges, height, flatCost);
    if (!best || better(plan, best)) best = plan;
  }
  return best && best.cost < flatCost ? best : undefined;
}

function bandsOfHeight(layer: Int32Array, edges: readonly IndexEdge[], height: number, flatCost: number): BandPlan {
  const n = layer.length;
  // Bands by layer; empty ones dropped so band numbers are consecutive.
  const raw = Int32Array.from(layer, (l) => Math.floor(l / height));
  const used = [...new Set(raw)].sort((a, b) => a - b);
  const renumber = new Map(used.map((b, i) => [b, i]));
  const band = Int32Array.from(raw, (b) => renumber.get(b)!);
  const bands = used.length;
  const first = new Int32Array(bands).fill(2 ** 30);
  const last = new Int32Array(bands);
  const cost = new Float64Array(bands);
  for (let v = 0; v < n; v++) {
    const b = band[v]!;
    first[b] = Math.min(first[b]!, layer[v]!);
    last[b] = Math.max(last[b]!, layer[v]!);
    cost[b]!++;
  }
  const bundles = new Set<number>();
  const outPieces = new Set<string>();
  const inPieces = new Set<string>();
  for (const [from, to] of edges) {
    if (from === to) continue;
    const a = band[from]!;
    const b = band[to]!;
    if (a === b) {
      cost[a]! += Math.max(0, Math.abs(layer[to]! - layer[from]!) - 1);
      continue;
    }
    const bundle = a * bands + b;
    if (!bundles.has(bundle)) {
      bundles.add(bundle);
      // Each band's port is a node of its level; the bundle spans the bands between.
      cost[a]!++;
      cost[b]!++;
    }
    // The piece to the port on the band's downstream side, and from the other's upstream side.
    if (!outPieces.has(`${from} ${b}`)) {
      outPieces.add(`${from} ${b}`);
      cost[a]! += last[a]! - layer[from]!;
    }
    if (!inPieces.has(`${a} ${to}`)) {
      inPieces.add(`${a} ${to}`);
      cost[b]! += layer[to]! - first[b]!;
    }
  }
  let top = bands;
  for (const bundle of bundles) top += Math.max(0, Math.abs((bundle % bands) - Math.floor(bundle / bands)) - 1);
  let worst = top;
  let total = top;
  for (const c of cost) {
    worst = Math.max(worst, c);
    total += c;
  }
  return { band, bands, cost: worst, total, bandCosts: cost, flatCost };
}

/** ELK's greedySwitch.activationThreshold: it switches on for graphs of up to this many nodes. */
const GREEDY_SWITCH_UP_TO = 40;

const SIDES: Record<LayoutDirection, { out: string; in: string }> = {
  RIGHT: { out: 'EAST', in: 'WEST' },
  LEFT: { out: 'WEST', in: 'EAST' },
  DOWN: { out: 'SOUTH', in: 'NORTH' },
  UP: { out: 'NORTH', in: 'SOUTH' },
};

// Ids of what the bands add; \u0001 never occurs in node or edge ids.
const bandId = (b: number) => `\u0001band${b}`;
const outPortId = (a: number, b: number) => `\u0001out${a}>${b}`;
const inPortId = (a: number, b: number) => `\u0001in${a}>${b}`;
const outPieceId = (node: number, b: number) => `\u0001o${node}>${b}`;
const inPieceId = (a: number, node: number) => `\u0001i${a}>${node}`;
const bundleId = (a: number, b: number) => `\u0001t${a}>${b}`;

/**
 * The ELK graph of a banded component: `options(nodeCount)` gives each level's layout options
 * (elk.ts elkOptions), so bands and top level are laid out as a flat graph would be. A band is
 * passed its estimated nodes plus dummies, not its node count: a band of 30 tasks may hold a
 * thousand dummies (the pieces to its ports), too many for the thorough crossing minimisation
 * and greedy switch ELK gives small graphs (which took 0.5-2 s per band).
 */
export function buildBandedGraph(
  component: { nodes: readonly { id: string; width: number; height: number }[]; edges: BandComponent['edges'] },
  plan: BandPlan,
  direction: LayoutDirection,
  options: (nodeCount: number) => LayoutOptions,
): ElkNode {
  const index = new Map<string, number>();
  component.nodes.forEach((node, i) => index.set(node.id, i));
  const sides = SIDES[direction];
  const bands: (ElkNode & { children: ElkNode[]; edges: ElkExtendedEdge[]; ports: ElkPort[] })[] = [];
  for (let b = 0; b < plan.bands; b++) bands.push({ id: bandId(b), children: [], edges: [], ports: [] });
  component.nodes.forEach((node, i) => bands[plan.band[i]!]!.children.push({ id: node.id, width: node.width, height: node.height }));
  const top: ElkExtendedEdge[] = [];
  const seen = new Set<string>();
  const once = (id: string): boolean => {
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  };
  for (const edge of component.edges) {
    const from = index.get(edge.from)!;
    const to = index.get(edge.to)!;
    const a = plan.band[from]!;
    const b = plan.band[to]!;
    if (a === b) {
      bands[a]!.edges.push({ id: edge.id, sources: [edge.from], targets: [edge.to] });
      continue;
    }
    if (once(bundleId(a, b))) {
      bands[a]!.ports.push({ id: outPortId(a, b), width: 0, height: 0, layoutOptions: { 'elk.port.side': sides.out } });
      bands[b]!.ports.push({ id: inPortId(a, b), width: 0, height: 0, layoutOptions: { 'elk.port.side': sides.in } });
      top.push({ id: bundleId(a, b), sources: [outPortId(a, b)], targets: [inPortId(a, b)] });
    }
    if (once(outPieceId(from, b))) bands[a]!.edges.push({ id: outPieceId(from, b), sources: [edge.from], targets: [outPortId(a, b)] });
    if (once(inPieceId(a, to))) bands[b]!.edges.push({ id: inPieceId(a, to), sources: [inPortId(a, b)], targets: [edge.to] });
  }
  bands.forEach((band, b) => {
    const size = Math.max(band.children.length, plan.bandCosts[b]!);
    band.layoutOptions = {
      ...options(size),
      ...(size > GREEDY_SWITCH_UP_TO ? { 'elk.layered.crossingMinimization.greedySwitch.type': 'OFF' } : {}),
      'elk.portConstraints': 'FIXED_SIDE',
      'elk.padding': '[top=0,left=0,bottom=0,right=0]',
    };
  });
  return {
    id: 'root',
    // Every coordinate relative to the root, whatever level it was laid out in.
    layoutOptions: { ...options(plan.bands), 'elk.json.shapeCoords': 'ROOT', 'elk.json.edgeCoords': 'ROOT' },
    children: bands,
    edges: top,
  };
}

/**
 * Reads a banded result back as a flat one: every node placed, every task edge's route (its pieces
 * and its bundle's route joined), so elk.ts reads it as it reads a flat layout.
 */
export function flattenBandedResult(
  component: BandComponent,
  plan: BandPlan,
  result: ElkNode,
): { children: ElkNode[]; routes: Map<string, number[]> } {
  const children: ElkNode[] = [];
  const pieces = new Map<string, number[]>();
  const collect = (edges: readonly ElkExtendedEdge[] | undefined) => {
    for (const edge of edges ?? []) pieces.set(edge.id, routePoints(edge));
  };
  collect(result.edges as ElkExtendedEdge[] | undefined);
  for (const band of result.children ?? []) {
    children.push(...(band.children ?? []));
    collect(band.edges as ElkExtendedEdge[] | undefined);
  }
  const index = new Map<string, number>();
  component.nodes.forEach((node, i) => index.set(node.id, i));
  const routes = new Map<string, number[]>();
  for (const edge of component.edges) {
    const from = index.get(edge.from)!;
    const to = index.get(edge.to)!;
    const a = plan.band[from]!;
    const b = plan.band[to]!;
    if (a === b) {
      routes.set(edge.id, pieces.get(edge.id) ?? []);
      continue;
    }
    const points: number[] = [];
    for (const piece of [pieces.get(outPieceId(from, b)), pieces.get(bundleId(a, b)), pieces.get(inPieceId(a, to))]) {
      for (let i = 0; i + 1 < (piece?.length ?? 0); i += 2) {
        const x = piece![i]!;
        const y = piece![i + 1]!;
        // The pieces meet at the ports: one point where they join.
        if (points.length >= 2 && Math.abs(points.at(-2)! - x) < 0.01 && Math.abs(points.at(-1)! - y) < 0.01) continue;
        points.push(x, y);
      }
    }
    routes.set(edge.id, points);
  }
  return { children, routes };
}

/** An ELK edge's route as a flat [x0, y0, x1, y1, ...]. */
export function routePoints(edge: ElkExtendedEdge): number[] {
  const points: number[] = [];
  for (const section of edge.sections ?? []) {
    points.push(section.startPoint.x, section.startPoint.y);
    for (const bend of section.bendPoints ?? []) points.push(bend.x, bend.y);
    points.push(section.endPoint.x, section.endPoint.y);
  }
  return points;
}
