// Components too costly for one flat ELK layout (long edges over a deep layering: ELK's dummy
// nodes) are laid out in bands (core/graphLayout/bands.ts). The graphs are bench/graph.mjs's
// shape, the one that ran ELK out of a 1 GB heap at 1,001 tasks; ELK here is the real one.
import { describe, expect, it } from 'vitest';
import { planBands, ELK_ELEMENT_BUDGET } from '../../../extension/core/graphLayout/bands';
import { splitComponents } from '../../../extension/core/graphLayout/components';
import { dummyCount, layerNodes } from '../../../extension/core/graphLayout/layering';
import { layoutGraph, type LayoutRunner } from '../../../extension/core/graphLayout/layout';
import { nodeLayoutRunner } from '../../../extension/core/graphLayout/renderGraphSvg';
import type { GraphLayout, VisibleGraph } from '../../../extension/core/graphLayout/types';
import { buildVisibleGraph, indexGraph } from '../../../extension/core/graphLayout/viewModel';
import type { LayoutDirection } from '../../../extension/shared/protocol';
import { generateGraph } from '../../browser/fixtures/generatedGraph';
import { moduleChainGraph } from '../../support/moduleChainGraph';

const visibleOf = (graph: ReturnType<typeof moduleChainGraph>): VisibleGraph => buildVisibleGraph(indexGraph(graph), { scope: { kind: 'workspace' } });

/** Every node placed once, no two overlapping; every edge from its upstream node's border to its downstream node's. */
function expectWellFormed(visible: VisibleGraph, layout: GraphLayout) {
  expect(layout.nodes.size).toBe(visible.nodes.length);
  const rects = [...layout.nodes.values()].sort((a, b) => a.x - b.x);
  for (let i = 0; i < rects.length; i++) {
    for (let j = i + 1; j < rects.length && rects[j]!.x < rects[i]!.x + rects[i]!.width; j++) {
      const [a, b] = [rects[i]!, rects[j]!];
      expect(a.y < b.y + b.height && b.y < a.y + a.height, `nodes overlap: ${JSON.stringify([a, b])}`).toBe(false);
    }
  }
  const on = (r: { x: number; y: number; width: number; height: number }, x: number, y: number) => x >= r.x - 0.5 && x <= r.x + r.width + 0.5 && y >= r.y - 0.5 && y <= r.y + r.height + 0.5;
  for (const edge of visible.edges) {
    const points = layout.edges.get(edge.id)!;
    expect(points.length, edge.id).toBeGreaterThanOrEqual(4);
    expect(on(layout.nodes.get(edge.from)!, points[0]!, points[1]!), `${edge.id} starts on its upstream node`).toBe(true);
    expect(on(layout.nodes.get(edge.to)!, points.at(-2)!, points.at(-1)!), `${edge.id} ends on its downstream node`).toBe(true);
  }
}

/** The real ELK runner, recording the ELK graphs it was given. */
function recordingRunner(): LayoutRunner & { bandedCalls: number } {
  const runner = {
    bandedCalls: 0,
    run(jobs: Parameters<LayoutRunner['run']>[0]) {
      for (const job of jobs) for (const component of job.components) if (planBands(component)) runner.bandedCalls++;
      return nodeLayoutRunner.run(jobs);
    },
  };
  return runner;
}

describe('what ELK will cost, counted before it runs', () => {
  it('the 1,001-task bench pipeline: 1,001 layers and ~250,000 dummy nodes flat; in bands, no ELK level over the budget', () => {
    const [component] = splitComponents(visibleOf(moduleChainGraph(100)), 'RIGHT');
    expect(component!.nodes).toHaveLength(1001);
    const index = new Map(component!.nodes.map((n, i) => [n.id, i]));
    const edges = component!.edges.map((e) => [index.get(e.from)!, index.get(e.to)!] as const);
    const layer = layerNodes(component!.nodes.length, edges);
    expect(Math.max(...layer) + 1).toBe(1001);
    expect(dummyCount(layer, edges)).toBeGreaterThan(200_000);
    const plan = planBands(component!)!;
    expect(plan.flatCost).toBeGreaterThan(200_000);
    expect(plan.cost).toBeLessThanOrEqual(ELK_ELEMENT_BUDGET);
    expect(plan.bands).toBeGreaterThan(1);
    // Bands are runs of consecutive layers: upstream bands come first.
    for (const [from, to] of edges) expect(plan.band[from]!).toBeLessThanOrEqual(plan.band[to]!);
  });

  it('a cycle counts its closing edge reversed, and a self-loop not at all', () => {
    const layer = layerNodes(3, [[0, 1], [1, 2], [2, 0], [1, 1]]);
    expect([...layer]).toEqual([0, 1, 2]);
    expect(dummyCount(layer, [[0, 1], [1, 2], [2, 0], [1, 1]])).toBe(1);
  });

  it('usual pipelines keep the flat layout: no component of the generated test graphs is banded', () => {
    for (const graph of [generateGraph({ tasks: 3000, seed: 1 }), generateGraph({ tasks: 1000, seed: 5, crossModule: 0.5 })]) {
      for (const component of splitComponents(visibleOf(graph), 'RIGHT')) expect(planBands(component)).toBeUndefined();
    }
  });
});

describe('a component laid out in bands', () => {
  // 321 tasks, 321 layers: ~25,000 dummies flat, above the budget (401 tasks: ~40,000, 550 MB).
  const visible = visibleOf(moduleChainGraph(32));

  for (const direction of ['RIGHT', 'DOWN'] as LayoutDirection[]) {
    it(`places every task and routes every edge end to end, without overlaps (${direction})`, async () => {
      const runner = recordingRunner();
      const { layout } = await layoutGraph(visible, direction, { runner });
      expect(runner.bandedCalls).toBe(1);
      expectWellFormed(visible, layout);
      // Upstream before downstream, as in the flat layout: every edge of this DAG goes forward.
      const along = direction === 'RIGHT' ? 'x' : 'y';
      for (const edge of visible.edges) expect(layout.nodes.get(edge.to)![along]).toBeGreaterThan(layout.nodes.get(edge.from)![along]);
    }, 60_000);
  }

  it('routes edges that close a cycle across bands, and self-loops', async () => {
    const graph = moduleChainGraph(32);
    // A static graph may hold cycles (requires() with parameters the analysis does not follow).
    graph.edges.push({ from: 'pipelines.mod_31.Task31_9', to: 'pipelines.mod_1.Task1_0', kind: 'dynamic' });
    graph.edges.push({ from: 'pipelines.mod_30.Task30_5', to: 'pipelines.mod_20.Task20_5', kind: 'requires' });
    graph.edges.push({ from: 'pipelines.mod_7.Task7_7', to: 'pipelines.mod_7.Task7_7', kind: 'requires' });
    const cyclic = visibleOf(graph);
    expect(planBands(splitComponents(cyclic, 'RIGHT')[0]!)).toBeDefined();
    const { layout } = await layoutGraph(cyclic, 'RIGHT', { runner: nodeLayoutRunner });
    expectWellFormed(cyclic, layout);
  }, 60_000);

  it('is deterministic: the same structure gives the same layout (it is cached by structure)', async () => {
    const small = visibleOf(moduleChainGraph(32));
    expect(planBands(splitComponents(small, 'RIGHT')[0]!)).toBeDefined();
    const a = await layoutGraph(small, 'RIGHT', { runner: nodeLayoutRunner });
    const b = await layoutGraph(small, 'RIGHT', { runner: nodeLayoutRunner });
    expect([...b.layout.nodes]).toEqual([...a.layout.nodes]);
    expect([...b.layout.edges]).toEqual([...a.layout.edges]);
  }, 60_000);
});
