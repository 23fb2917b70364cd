// Lays out a visible graph: split into connected components, take what the cache holds,
// run ELK on the rest (batched, spread over the runner's workers), store the new layouts,
// and pack all components (stable against the previous layout). The same code runs in the
// webview (workers, host-backed cache) and in Node (the CLI's SVG export).
import type { LayoutDirection } from '../../shared/protocol';
import { approximateComponents } from './approx';
import { splitComponents, type GraphComponent } from './components';
import { singleNodeLayout, THOROUGH_UP_TO, type LayoutJobSpec } from './elk';
import { packComponents, type PreviousPlacement } from './pack';
import type { ComponentLayout, GraphLayout, PlacedComponent, Rect, VisibleGraph } from './types';

export interface LayoutRunner {
  /** Runs each job (one ELK call each); a runner with several workers runs them in parallel. */
  run(jobs: readonly LayoutJobSpec[]): Promise<ComponentLayout[][]>;
}

export interface LayoutCache {
  /** The entries held for these keys (any subset). */
  get(keys: readonly string[]): Promise<ComponentLayout[]> | ComponentLayout[];
  put(entries: readonly ComponentLayout[]): void;
}

export interface LayoutStats {
  components: number;
  cachedComponents: number;
  computedComponents: number;
  elkJobs: number;
  elkMs: number;
}

export interface LayoutResult {
  layout: GraphLayout;
  stats: LayoutStats;
}

/** Small components share an ELK call up to this many nodes. */
const BATCH_NODES = 300;

export async function layoutGraph(
  graph: VisibleGraph,
  direction: LayoutDirection,
  services: {
    runner: LayoutRunner;
    cache?: LayoutCache;
    previous?: GraphLayout | undefined;
    /** Called between steps so a UI thread stays responsive (the webview yields to its event loop). */
    pause?: () => Promise<void>;
    /**
     * Progressive display: called at most once with a provisional layout (cached components plus
     * the layered approximation of approx.ts for the rest) when ELK has to run, or when the cache
     * has not answered within `afterMs` (default 120 ms). The final layout is the result.
     */
    provisional?: { paint(layout: GraphLayout): void | Promise<void>; afterMs?: number };
  },
): Promise<LayoutResult> {
  const pause = services.pause ?? (() => Promise.resolve());
  const components = splitComponents(graph, direction);
  await pause();
  const byKey = new Map<string, ComponentLayout>();
  const wanted = [...new Set(components.map((c) => c.key))];
  let painted = false;
  const paintProvisional = async () => {
    if (painted || !services.provisional) return;
    painted = true;
    const approximate = approximateComponents(components.filter((c) => !byKey.has(c.key)), direction);
    const parts = new Map(approximate.map((a) => [a.key, a]));
    for (const [key, entry] of byKey) parts.set(key, entry);
    const previous: PreviousPlacement | undefined = services.previous && { components: services.previous.components, nodes: services.previous.nodes };
    const placed = packComponents(components.map((c) => ({ anchor: c.anchor, layout: parts.get(c.key)! })), previous);
    await pause();
    await services.provisional.paint(assemble(placed.map((p) => ({ placement: p, layout: parts.get(p.key)! }))));
  };
  if (services.cache && wanted.length > 0) {
    const lookup = Promise.resolve(services.cache.get(wanted));
    if (services.provisional) {
      // A slow cache (a busy host or server) must not delay the first paint.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), services.provisional!.afterMs ?? 120)));
      const first = await Promise.race([lookup, late]);
      clearTimeout(timer);
      if (first === 'late') await paintProvisional();
    }
    for (const entry of await lookup) byKey.set(entry.key, entry);
    await pause();
  }
  let cachedComponents = 0;
  const missing: GraphComponent[] = [];
  const fresh: ComponentLayout[] = [];
  for (const component of components) {
    const hit = byKey.get(component.key);
    if (hit && fits(hit, component)) {
      cachedComponents++;
      continue;
    }
    byKey.delete(component.key);
    if (component.nodes.length === 1 && component.edges.length === 0) {
      const single = singleNodeLayout(component.key, component.nodes[0]!);
      byKey.set(single.key, single);
      fresh.push(single);
    } else if (!missing.some((m) => m.key === component.key)) {
      missing.push(component);
    }
  }

  const jobs = planJobs(missing, direction);
  if (jobs.length > 0) await paintProvisional();
  const t0 = performance.now();
  const results = jobs.length > 0 ? await services.runner.run(jobs) : [];
  const elkMs = performance.now() - t0;
  for (const entry of results.flat()) {
    byKey.set(entry.key, entry);
    fresh.push(entry);
  }
  await pause();
  if (services.cache && fresh.length > 0) services.cache.put(fresh);

  const previous: PreviousPlacement | undefined = services.previous && { components: services.previous.components, nodes: services.previous.nodes };
  const placed = packComponents(
    components.map((c) => ({ anchor: c.anchor, layout: byKey.get(c.key)! })),
    previous,
  );
  return {
    layout: assemble(placed.map((p) => ({ placement: p, layout: byKey.get(p.key)! }))),
    stats: { components: components.length, cachedComponents, computedComponents: components.length - cachedComponents, elkJobs: jobs.length, elkMs },
  };
}

/** A cached entry is used only if it covers exactly this component's nodes (same sizes) and edges. */
function fits(entry: ComponentLayout, component: GraphComponent): boolean {
  if (Object.keys(entry.nodes).length !== component.nodes.length) return false;
  for (const node of component.nodes) {
    const rect = entry.nodes[node.id];
    if (!rect || rect[2] !== node.width || rect[3] !== node.height) return false;
  }
  for (const edge of component.edges) if (!entry.edges[edge.id]) return false;
  return true;
}

/** Large components alone, small ones batched; most expensive first so workers finish together. */
function planJobs(components: readonly GraphComponent[], direction: LayoutDirection): LayoutJobSpec[] {
  const groups: GraphComponent[][] = [];
  let batch: GraphComponent[] = [];
  let batchNodes = 0;
  for (const component of [...components].sort((a, b) => b.nodes.length - a.nodes.length)) {
    if (component.nodes.length > BATCH_NODES / 2) {
      groups.push([component]);
      continue;
    }
    const crossesThoroughness = batch.length > 0 && batch[0]!.nodes.length > THOROUGH_UP_TO && component.nodes.length <= THOROUGH_UP_TO;
    if (batchNodes + component.nodes.length > BATCH_NODES || crossesThoroughness) {
      groups.push(batch);
      batch = [];
      batchNodes = 0;
    }
    batch.push(component);
    batchNodes += component.nodes.length;
  }
  if (batch.length > 0) groups.push(batch);
  const cost = (group: GraphComponent[]) => group.reduce((sum, c) => sum + c.nodes.length + c.edges.length, 0);
  return groups
    .sort((a, b) => cost(b) - cost(a))
    .map((group) => ({
      direction,
      // Only what ELK needs: this crosses to a worker.
      components: group.map((c) => ({
        key: c.key,
        nodes: c.nodes.map(({ id, width, height }) => ({ id, width, height })),
        edges: c.edges.map(({ id, from, to }) => ({ id, from, to })),
      })),
    }));
}

function assemble(parts: readonly { placement: PlacedComponent; layout: ComponentLayout }[]): GraphLayout {
  const nodes = new Map<string, Rect>();
  const edges = new Map<string, number[]>();
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const { placement, layout } of parts) {
    const { x: ox, y: oy } = placement;
    minX = Math.min(minX, ox);
    minY = Math.min(minY, oy);
    maxX = Math.max(maxX, ox + layout.width);
    maxY = Math.max(maxY, oy + layout.height);
    for (const [id, [x, y, width, height]] of Object.entries(layout.nodes)) nodes.set(id, { x: x + ox, y: y + oy, width, height });
    for (const [id, points] of Object.entries(layout.edges)) edges.set(id, points.map((v, i) => v + (i % 2 === 0 ? ox : oy)));
  }
  const bounds: Rect = parts.length > 0 ? { x: minX, y: minY, width: maxX - minX, height: maxY - minY } : { x: 0, y: 0, width: 0, height: 0 };
  return {
    bounds,
    nodes,
    edges,
    components: parts.map((p) => p.placement),
  };
}

/** Least-recently-used cache in memory, bounded by the number of nodes it holds. */
export class MemoryLayoutCache implements LayoutCache {
  private readonly entries = new Map<string, ComponentLayout>();
  private nodes = 0;
  constructor(private readonly maxNodes = 200_000) {}

  get(keys: readonly string[]): ComponentLayout[] {
    const found: ComponentLayout[] = [];
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (!entry) continue;
      this.entries.delete(key);
      this.entries.set(key, entry);
      found.push(entry);
    }
    return found;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  put(entries: readonly ComponentLayout[]): void {
    for (const entry of entries) {
      const old = this.entries.get(entry.key);
      if (old) {
        this.nodes -= Object.keys(old.nodes).length;
        this.entries.delete(entry.key);
      }
      this.entries.set(entry.key, entry);
      this.nodes += Object.keys(entry.nodes).length;
    }
    for (const [key, entry] of this.entries) {
      if (this.nodes <= this.maxNodes) break;
      this.entries.delete(key);
      this.nodes -= Object.keys(entry.nodes).length;
    }
  }
}
