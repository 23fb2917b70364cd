// What ELK's layered algorithm will cost for a graph, known before it runs. ELK puts every node
// in a layer and splits each edge that spans k layers into a chain of k-1 dummy nodes; every
// dummy is a full node of its graph (ports, an edge each side, property maps), about 10 KB of
// heap in elkjs. A pipeline of long chains with edges across them (bench/graph.mjs: 1,001 tasks,
// 1,001 layers, edges spanning up to 499) gives ~250,000 dummies, 2.5 GB and a minute of ELK.
// So the layout counts them first (bands.ts lays such a graph out in bands instead).
//
// The layering here is a cheap stand-in for ELK's network simplex (which minimises the total edge
// span): longest path from the sources, then each node with more outgoing than incoming edges
// moved as late as its successors allow. It is a valid layering, so its dummy count bounds ELK's.

/** Edges as positions into the node list; self-loops are ignored. */
export type IndexEdge = readonly [from: number, to: number];

/**
 * A layer per node (0-based). Cycles are broken as a depth-first search finds them (the edge that
 * closes one counts reversed), as ELK's cycle breaking turns such edges around.
 */
export function layerNodes(nodeCount: number, edges: readonly IndexEdge[]): Int32Array {
  const dag = acyclic(nodeCount, edges);
  const out = adjacency(nodeCount, dag, 0);
  const inDegree = new Int32Array(nodeCount);
  const outDegree = new Int32Array(nodeCount);
  for (const [from, to] of dag) {
    outDegree[from]!++;
    inDegree[to]!++;
  }
  // Kahn's order, then longest path from the sources.
  const order: number[] = [];
  const waiting = Int32Array.from(inDegree);
  for (let v = 0; v < nodeCount; v++) if (waiting[v] === 0) order.push(v);
  for (let i = 0; i < order.length; i++) for (const w of out[order[i]!]!) if (--waiting[w]! === 0) order.push(w);
  const layer = new Int32Array(nodeCount);
  for (const v of order) for (const w of out[v]!) layer[w] = Math.max(layer[w]!, layer[v]! + 1);
  // Latest first: a node feeding more edges than it takes shortens the sum by moving right.
  for (let i = order.length - 1; i >= 0; i--) {
    const v = order[i]!;
    if (outDegree[v]! <= inDegree[v]!) continue;
    let latest = Infinity;
    for (const w of out[v]!) latest = Math.min(latest, layer[w]! - 1);
    if (latest > layer[v]!) layer[v] = latest;
  }
  return layer;
}

/** ELK's dummy nodes for this layering: each edge's span minus one, summed. */
export function dummyCount(layer: Int32Array, edges: readonly IndexEdge[]): number {
  let dummies = 0;
  for (const [from, to] of edges) if (from !== to) dummies += Math.max(0, Math.abs(layer[to]! - layer[from]!) - 1);
  return dummies;
}

/** The edges with those that close a cycle reversed (iterative DFS in node order), self-loops left out. */
function acyclic(nodeCount: number, edges: readonly IndexEdge[]): IndexEdge[] {
  const out = adjacency(nodeCount, edges, -1);
  // 0 unvisited, 1 on the stack, 2 done.
  const state = new Uint8Array(nodeCount);
  const reversed = new Set<number>();
  const next = new Int32Array(nodeCount);
  for (let root = 0; root < nodeCount; root++) {
    if (state[root] !== 0) continue;
    const stack = [root];
    state[root] = 1;
    while (stack.length > 0) {
      const v = stack[stack.length - 1]!;
      const list = out[v]!;
      if (next[v]! < list.length) {
        const edge = list[next[v]!++]!;
        const w = edges[edge]![1];
        if (state[w] === 1) reversed.add(edge);
        else if (state[w] === 0) {
          state[w] = 1;
          stack.push(w);
        }
      } else {
        state[v] = 2;
        stack.pop();
      }
    }
  }
  const result: IndexEdge[] = [];
  edges.forEach(([from, to], i) => {
    if (from !== to) result.push(reversed.has(i) ? [to, from] : [from, to]);
  });
  return result;
}

/** Per node, its out-neighbours (`mode` 0) or the indexes of its outgoing edges (`mode` -1). */
function adjacency(nodeCount: number, edges: readonly IndexEdge[], mode: 0 | -1): number[][] {
  const out: number[][] = Array.from({ length: nodeCount }, () => []);
  edges.forEach(([from, to], i) => {
    if (from !== to) out[from]!.push(mode === 0 ? to : i);
  });
  return out;
}
