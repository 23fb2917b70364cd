// A fast layered approximation of ELK's layout, for the first paint while ELK runs (or when it
// is not available): longest-path layering, then a few barycentric ordering sweeps, then layers
// stacked side by side with the same spacings as elk.ts. Linear-ish in nodes plus edges (about
// 10-20 ms at 3,000 nodes), no ELK, deterministic: the same component always gives the same
// drawing, so a provisional paint never jitters. Edges are simple orthogonal routes that may
// cross nodes; the final ELK layout replaces them.
import type { LayoutDirection } from '../../shared/protocol';
import { COMPONENT_PADDING, type JobComponent } from './elk';
import type { ComponentLayout } from './types';

/** ELK's spacings (elk.ts elkOptions), so the approximation has the final layout's density. */
const NODE_GAP = 18;
const LAYER_GAP = 44;
const SWEEPS = 4;

/** Layer index per node: the longest path from a source, with cycles broken where a DFS meets its own stack. */
export function longestPathLayers(nodeCount: number, successors: readonly number[][]): Int32Array {
  // Iterative DFS: reverse postorder is a topological order once back edges are dropped.
  const state = new Uint8Array(nodeCount); // 0 new, 1 on stack, 2 done
  const order: number[] = [];
  const forward: number[][] = Array.from({ length: nodeCount }, () => []);
  for (let root = 0; root < nodeCount; root++) {
    if (state[root] !== 0) continue;
    const stack: number[] = [root];
    const next: number[] = [0];
    state[root] = 1;
    while (stack.length > 0) {
      const top = stack.length - 1;
      const v = stack[top]!;
      const list = successors[v]!;
      if (next[top]! < list.length) {
        const w = list[next[top]!++]!;
        if (state[w] === 1) continue; // back edge (or self loop): ignored for layering
        forward[v]!.push(w);
        if (state[w] === 0) {
          state[w] = 1;
          stack.push(w);
          next.push(0);
        }
      } else {
        state[v] = 2;
        order.push(v);
        stack.pop();
        next.pop();
      }
    }
  }
  const layer = new Int32Array(nodeCount);
  for (let i = order.length - 1; i >= 0; i--) {
    const v = order[i]!;
    for (const w of forward[v]!) if (layer[w]! < layer[v]! + 1) layer[w] = layer[v]! + 1;
  }
  return layer;
}

/** Lays out one connected component (or several: they simply share layers) at the origin. */
export function approximateComponent(component: JobComponent, direction: LayoutDirection): ComponentLayout {
  const n = component.nodes.length;
  const index = new Map<string, number>();
  component.nodes.forEach((node, i) => index.set(node.id, i));
  const successors: number[][] = Array.from({ length: n }, () => []);
  const predecessors: number[][] = Array.from({ length: n }, () => []);
  for (const edge of component.edges) {
    const a = index.get(edge.from);
    const b = index.get(edge.to);
    if (a === undefined || b === undefined || a === b) continue;
    successors[a]!.push(b);
    predecessors[b]!.push(a);
  }
  const layerOf = longestPathLayers(n, successors);
  let layerCount = 0;
  for (let i = 0; i < n; i++) layerCount = Math.max(layerCount, layerOf[i]! + 1);
  const layers: number[][] = Array.from({ length: layerCount }, () => []);
  for (let i = 0; i < n; i++) layers[layerOf[i]!]!.push(i); // input order: canonical, so deterministic

  // Barycentric sweeps: each node moves to the mean relative position of its neighbours in the
  // layers already ordered (down: predecessors; up: successors). Ties keep the previous order.
  const position = new Float64Array(n);
  const setPositions = (layer: number[]) => layer.forEach((v, i) => (position[v] = layer.length > 1 ? i / (layer.length - 1) : 0.5));
  layers.forEach(setPositions);
  const key = new Float64Array(n);
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    const down = sweep % 2 === 0;
    const neighbours = down ? predecessors : successors;
    for (let step = 1; step < layerCount; step++) {
      const layer = layers[down ? step : layerCount - 1 - step]!;
      for (const v of layer) {
        const list = neighbours[v]!;
        if (list.length === 0) {
          key[v] = position[v]!;
          continue;
        }
        let sum = 0;
        for (const w of list) sum += position[w]!;
        key[v] = sum / list.length;
      }
      layer.sort((a, b) => key[a]! - key[b]! || position[a]! - position[b]!);
      setPositions(layer);
    }
  }

  // Coordinates in "layer space": along = across layers, across = within a layer.
  const horizontal = direction === 'RIGHT' || direction === 'LEFT';
  const along = (v: number) => (horizontal ? component.nodes[v]!.width : component.nodes[v]!.height);
  const across = (v: number) => (horizontal ? component.nodes[v]!.height : component.nodes[v]!.width);
  const layerStart: number[] = [];
  const layerDepth: number[] = [];
  let cursor = 0;
  for (const layer of layers) {
    let depth = 0;
    for (const v of layer) depth = Math.max(depth, along(v));
    layerStart.push(cursor);
    layerDepth.push(depth);
    cursor += depth + LAYER_GAP;
  }
  const totalAlong = Math.max(0, cursor - LAYER_GAP);
  const extent = layers.map((layer) => layer.reduce((sum, v) => sum + across(v), 0) + NODE_GAP * Math.max(0, layer.length - 1));
  const totalAcross = Math.max(0, ...extent);
  const a0 = new Float64Array(n); // start along
  const c0 = new Float64Array(n); // start across
  layers.forEach((layer, l) => {
    let offset = (totalAcross - extent[l]!) / 2; // each layer centred
    for (const v of layer) {
      a0[v] = layerStart[l]! + (layerDepth[l]! - along(v)) / 2;
      c0[v] = offset;
      offset += across(v) + NODE_GAP;
    }
  });

  // To x/y; LEFT and UP are mirrored.
  const width = (horizontal ? totalAlong : totalAcross) + 2 * COMPONENT_PADDING;
  const height = (horizontal ? totalAcross : totalAlong) + 2 * COMPONENT_PADDING;
  const rect = (v: number): [number, number, number, number] => {
    const node = component.nodes[v]!;
    let x = horizontal ? a0[v]! : c0[v]!;
    let y = horizontal ? c0[v]! : a0[v]!;
    if (direction === 'LEFT') x = totalAlong - x - node.width;
    if (direction === 'UP') y = totalAlong - y - node.height;
    return [round(x + COMPONENT_PADDING), round(y + COMPONENT_PADDING), node.width, node.height];
  };
  const layout: ComponentLayout = { key: '', width: round(width), height: round(height), nodes: {}, edges: {} };
  for (let v = 0; v < n; v++) layout.nodes[component.nodes[v]!.id] = rect(v);
  for (const edge of component.edges) {
    const from = layout.nodes[edge.from];
    const to = layout.nodes[edge.to];
    if (!from || !to) continue;
    layout.edges[edge.id] = route(from, to, direction);
  }
  return layout;
}

/** Out of the source's downstream side, into the target's upstream side, one bend halfway. */
function route(from: readonly number[], to: readonly number[], direction: LayoutDirection): number[] {
  const [fx, fy, fw, fh] = from as [number, number, number, number];
  const [tx, ty, tw, th] = to as [number, number, number, number];
  if (from === to) return [fx + fw, fy + fh / 2, fx + fw + 12, fy + fh / 2, fx + fw + 12, fy - 8, fx + fw / 2, fy - 8, fx + fw / 2, fy];
  switch (direction) {
    case 'RIGHT': {
      const [sx, sy, ex, ey] = [fx + fw, fy + fh / 2, tx, ty + th / 2];
      const mx = round(ex - LAYER_GAP / 2);
      return [sx, sy, mx, sy, mx, ey, ex, ey].map(round);
    }
    case 'LEFT': {
      const [sx, sy, ex, ey] = [fx, fy + fh / 2, tx + tw, ty + th / 2];
      const mx = round(ex + LAYER_GAP / 2);
      return [sx, sy, mx, sy, mx, ey, ex, ey].map(round);
    }
    case 'DOWN': {
      const [sx, sy, ex, ey] = [fx + fw / 2, fy + fh, tx + tw / 2, ty];
      const my = round(ey - LAYER_GAP / 2);
      return [sx, sy, sx, my, ex, my, ex, ey].map(round);
    }
    case 'UP': {
      const [sx, sy, ex, ey] = [fx + fw / 2, fy, tx + tw / 2, ty + th];
      const my = round(ey + LAYER_GAP / 2);
      return [sx, sy, sx, my, ex, my, ex, ey].map(round);
    }
  }
}

/** Approximate layouts for components, keyed like the real ones (never cached: not ELK's). */
export function approximateComponents(components: readonly JobComponent[], direction: LayoutDirection): ComponentLayout[] {
  return components.map((component) => ({ ...approximateComponent(component, direction), key: component.key }));
}

const round = (v: number): number => Math.round(v * 10) / 10;
