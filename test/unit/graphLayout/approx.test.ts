// The layered approximation painted before ELK's layout arrives (core/graphLayout/approx.ts):
// layers follow the edges, nothing overlaps, and the same input always draws the same, up to
// 3,000 tasks (its time is bench/layout-cost.mjs's, not a test's).
import { describe, expect, it } from 'vitest';
import { approximateComponent, longestPathLayers } from '../../../extension/core/graphLayout/approx';
import { splitComponents } from '../../../extension/core/graphLayout/components';
import { layoutGraph, MemoryLayoutCache, type LayoutRunner } from '../../../extension/core/graphLayout/layout';
import { nodeLayoutRunner } from '../../../extension/core/graphLayout/renderGraphSvg';
import type { GraphLayout } from '../../../extension/core/graphLayout/types';
import { buildVisibleGraph, indexGraph } from '../../../extension/core/graphLayout/viewModel';
import type { LayoutDirection } from '../../../extension/shared/protocol';
import { generateGraph } from '../../browser/fixtures/generatedGraph';

const visibleOf = (tasks: number, seed = 3, shape: 'pipeline' | 'random' = 'pipeline') =>
  buildVisibleGraph(indexGraph(generateGraph({ tasks, seed, shape })), { scope: { kind: 'workspace' }, expandedFamilies: new Set() });

type Box = [number, number, number, number];
const overlaps = (a: Box, b: Box) => a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];

function assertNoOverlap(nodes: Record<string, Box>): void {
  // Sweep by x: only boxes whose x ranges meet are compared.
  const boxes = Object.entries(nodes).sort((a, b) => a[1][0] - b[1][0]);
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length && boxes[j]![1][0] < boxes[i]![1][0] + boxes[i]![1][2]; j++) {
      if (overlaps(boxes[i]![1], boxes[j]![1])) throw new Error(`${boxes[i]![0]} overlaps ${boxes[j]![0]}`);
    }
  }
}

describe('longestPathLayers', () => {
  it('puts every node one layer after its furthest requirement, and survives cycles and self loops', () => {
    // 0 -> 1 -> 2, 0 -> 2, 3 alone, 4 -> 5 -> 4 (cycle), 6 -> 6
    const layers = longestPathLayers(7, [[1, 2], [2], [], [], [5], [4], [6]]);
    expect([...layers]).toEqual([0, 1, 2, 0, 0, 1, 0]);
  });
});

describe('approximateComponent', () => {
  for (const direction of ['RIGHT', 'DOWN', 'LEFT', 'UP'] as LayoutDirection[]) {
    it(`${direction}: edges point downstream across layers, no two nodes overlap, everything inside the bounds`, () => {
      const visible = visibleOf(600, 5);
      const [largest] = splitComponents(visible, direction).sort((a, b) => b.nodes.length - a.nodes.length);
      const layout = approximateComponent(largest!, direction);
      expect(Object.keys(layout.nodes)).toHaveLength(largest!.nodes.length);
      assertNoOverlap(layout.nodes);
      for (const [x, y, w, h] of Object.values(layout.nodes)) {
        expect(x).toBeGreaterThanOrEqual(0);
        expect(y).toBeGreaterThanOrEqual(0);
        expect(x + w).toBeLessThanOrEqual(layout.width);
        expect(y + h).toBeLessThanOrEqual(layout.height);
      }
      // Sources upstream of their dependents along the direction (the generated graph is acyclic).
      let forward = 0;
      for (const edge of largest!.edges) {
        const a = layout.nodes[edge.from]!;
        const b = layout.nodes[edge.to]!;
        const ok = { RIGHT: a[0] + a[2] <= b[0], LEFT: b[0] + b[2] <= a[0], DOWN: a[1] + a[3] <= b[1], UP: b[1] + b[3] <= a[1] }[direction];
        if (ok) forward++;
        expect(layout.edges[edge.id]!.length).toBeGreaterThanOrEqual(4);
      }
      expect(forward).toBe(largest!.edges.filter((e) => e.from !== e.to).length);
    });
  }

  it('is deterministic: the same component draws the same, node for node', () => {
    const a = splitComponents(visibleOf(400, 9, 'random'), 'RIGHT');
    const b = splitComponents(visibleOf(400, 9, 'random'), 'RIGHT');
    expect(a.map((c) => approximateComponent(c, 'RIGHT'))).toEqual(b.map((c) => approximateComponent(c, 'RIGHT')));
  });

  it('orders layers to cut crossings: a fan-in pair stays next to its target', () => {
    // a1 -> t1, b1 -> t2, a2 -> t1, b2 -> t2: barycentres put a1,a2 beside t1 and b1,b2 beside t2.
    const node = (id: string) => ({ id, width: 80, height: 30 });
    const layout = approximateComponent(
      {
        key: 'k',
        nodes: ['a1', 'b1', 'a2', 'b2', 't1', 't2'].map(node),
        edges: [['a1', 't1'], ['b1', 't2'], ['a2', 't1'], ['b2', 't2']].map(([from, to]) => ({ id: `${from}->${to}`, from: from!, to: to! })),
      },
      'RIGHT',
    );
    const y = (id: string) => layout.nodes[id]![1];
    const [t1Above] = [y('t1') < y('t2')];
    expect(Math.max(y('a1'), y('a2')) < Math.min(y('b1'), y('b2'))).toBe(t1Above);
  });

  it('places every node of a 3,000-task random graph, none overlapping (its time: bench/layout-cost.mjs)', () => {
    for (const component of splitComponents(visibleOf(3000, 2, 'random'), 'RIGHT')) {
      const layout = approximateComponent(component, 'RIGHT');
      expect(Object.keys(layout.nodes).sort()).toEqual(component.nodes.map((n) => n.id).sort());
      assertNoOverlap(layout.nodes);
    }
  });
});

describe('layoutGraph with a provisional paint', () => {
  const visible = visibleOf(120, 4);

  it('paints the approximation before ELK runs, then returns ELK\'s layout with the same nodes', async () => {
    const events: string[] = [];
    let provisional: GraphLayout | undefined;
    const runner: LayoutRunner = {
      run: (jobs) => {
        events.push('elk');
        return nodeLayoutRunner.run(jobs);
      },
    };
    const result = await layoutGraph(visible, 'RIGHT', {
      runner,
      provisional: {
        paint: (layout) => {
          events.push('provisional');
          provisional = layout;
        },
      },
    });
    expect(events).toEqual(['provisional', 'elk']);
    expect([...provisional!.nodes.keys()].sort()).toEqual([...result.layout.nodes.keys()].sort());
    expect([...provisional!.edges.keys()].sort()).toEqual([...result.layout.edges.keys()].sort());
    expect(provisional!.nodes).not.toEqual(result.layout.nodes);
  });

  it('paints nothing provisional when the cache holds every component', async () => {
    const cache = new MemoryLayoutCache();
    await layoutGraph(visible, 'RIGHT', { runner: nodeLayoutRunner, cache });
    let painted = 0;
    const result = await layoutGraph(visible, 'RIGHT', { runner: nodeLayoutRunner, cache, provisional: { paint: () => void painted++ } });
    expect(painted).toBe(0);
    expect(result.stats.computedComponents).toBe(0);
  });

  it('paints the approximation when the cache is slow to answer, then uses what it answers', async () => {
    const warm = new MemoryLayoutCache();
    await layoutGraph(visible, 'RIGHT', { runner: nodeLayoutRunner, cache: warm });
    const slow = { get: (keys: readonly string[]) => new Promise<ReturnType<MemoryLayoutCache['get']>>((resolve) => setTimeout(() => resolve(warm.get(keys)), 300)), put: () => undefined };
    let paintedAt = 0;
    const started = performance.now();
    const result = await layoutGraph(visible, 'RIGHT', { runner: nodeLayoutRunner, cache: slow, provisional: { afterMs: 50, paint: () => void (paintedAt = performance.now() - started) } });
    expect(paintedAt).toBeGreaterThan(40);
    expect(paintedAt).toBeLessThan(290);
    expect(result.stats.computedComponents).toBe(0);
  });
});
