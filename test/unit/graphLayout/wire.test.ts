import { describe, expect, it } from 'vitest';
import type { GraphJson } from '../../../extension/core/analysis/types';
import { layoutGraph, type LayoutCache } from '../../../extension/core/graphLayout/layout';
import { nodeLayoutRunner } from '../../../extension/core/graphLayout/renderGraphSvg';
import type { ComponentLayout } from '../../../extension/core/graphLayout/types';
import { buildVisibleGraph, indexGraph } from '../../../extension/core/graphLayout/viewModel';
import { isPackedGraph, isPackedLayout, packGraph, packLayout, unpackGraph, unpackLayout } from '../../../extension/core/graphLayout/wire';
import { generateGraph } from '../../browser/fixtures/generatedGraph';

/** Component layouts as ELK in Node computes them for a generated graph (what the host forwards). */
async function elkLayouts(graph: GraphJson): Promise<ComponentLayout[]> {
  const stored: ComponentLayout[] = [];
  const cache: LayoutCache = { get: async () => [], put: (entries) => void stored.push(...entries) };
  await layoutGraph(buildVisibleGraph(indexGraph(graph), { scope: { kind: 'workspace' } }), 'RIGHT', { runner: nodeLayoutRunner, cache });
  return stored;
}

describe('graph wire format', () => {
  it('packs edges as task indices and gives back the very same graph, edge order included', () => {
    const graph = generateGraph({ tasks: 300, seed: 7 });
    const packed = packGraph(graph);
    expect(isPackedGraph(packed)).toBe(true);
    expect(JSON.stringify(packed).length).toBeLessThan(JSON.stringify(graph).length * 0.8);
    const back = unpackGraph(JSON.parse(JSON.stringify(packed)) as typeof packed);
    expect(back).toEqual(graph);
    expect(back.edges.map((e) => `${e.from}->${e.to}`)).toEqual(graph.edges.map((e) => `${e.from}->${e.to}`));
  });

  it('leaves a graph plain when an edge names a task it lacks', () => {
    const graph = generateGraph({ tasks: 20, seed: 3 });
    const odd: GraphJson = { ...graph, edges: [...graph.edges, { from: 'nowhere.Missing', to: graph.tasks[0]!.id, kind: 'requires' }] };
    const packed = packGraph(odd);
    expect(isPackedGraph(packed)).toBe(false);
    expect(unpackGraph(packed)).toBe(odd);
  });

  it("round-trips ELK's component layouts exactly, keys and coordinates, in far fewer bytes", async () => {
    const layouts = await elkLayouts(generateGraph({ tasks: 400, seed: 11 }));
    expect(layouts.length).toBeGreaterThan(0);
    for (const layout of layouts) {
      const packed = packLayout(layout);
      expect(isPackedLayout(packed)).toBe(true);
      expect(packed.ends).toBeDefined();
      const back = unpackLayout(JSON.parse(JSON.stringify(packed)) as typeof packed);
      expect(back).toEqual(layout);
      expect(Object.keys(back.edges)).toEqual(Object.keys(layout.edges));
      expect(Object.keys(back.nodes)).toEqual(Object.keys(layout.nodes));
    }
    const plainBytes = JSON.stringify(layouts).length;
    const packedBytes = JSON.stringify(layouts.map(packLayout)).length;
    expect(packedBytes).toBeLessThan(plainBytes * 0.7);
  });

  it('spells out edge ids that are not `from->to` of the layout nodes, and passes plain layouts through', () => {
    const layout: ComponentLayout = {
      key: 'k',
      width: 100,
      height: 50,
      nodes: { a: [0, 0, 10, 10], b: [50.5, 20.1, 10, 10] },
      edges: { 'a->b': [10, 5, 30.2, 5, 30.2, 25.1, 50.5, 25.1], bundle: [1.5, 2.5, 3, 4] },
    };
    const packed = packLayout(layout);
    expect(packed.edgeIds).toEqual(['a->b', 'bundle']);
    expect(packed.ends).toBeUndefined();
    expect(unpackLayout(packed)).toEqual(layout);
    expect(unpackLayout(layout)).toBe(layout);
  });
});
