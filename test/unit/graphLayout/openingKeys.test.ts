import { describe, expect, it } from 'vitest';
import { splitComponents } from '../../../extension/core/graphLayout/components';
import { holdOpeningLayouts, openingLayoutKeys, openingLayouts } from '../../../extension/core/graphLayout/openingKeys';
import type { ComponentLayout } from '../../../extension/core/graphLayout/types';
import { buildVisibleGraph, indexGraph } from '../../../extension/core/graphLayout/viewModel';
import { generateGraph } from '../../browser/fixtures/generatedGraph';

describe('openingLayoutKeys', () => {
  it("gives a fresh view's component keys, worked out once per graph, scope and direction", () => {
    const graph = generateGraph({ tasks: 200, seed: 4 });
    const fresh = (scope: Parameters<typeof openingLayoutKeys>[1], direction: 'RIGHT' | 'DOWN') =>
      splitComponents(buildVisibleGraph(indexGraph(graph), { scope }), direction).map((c) => c.key);
    const workspace = openingLayoutKeys(graph, { kind: 'workspace' }, 'RIGHT');
    expect(workspace).toEqual(fresh({ kind: 'workspace' }, 'RIGHT'));
    expect(workspace.length).toBeGreaterThan(0);
    // Kept: the same answer object, no second computation.
    expect(openingLayoutKeys(graph, { kind: 'workspace' }, 'RIGHT')).toBe(workspace);
    const file = graph.tasks[0]!.file;
    expect(openingLayoutKeys(graph, { kind: 'file', file }, 'RIGHT')).toEqual(fresh({ kind: 'file', file }, 'RIGHT'));
    expect(openingLayoutKeys(graph, { kind: 'workspace' }, 'DOWN')).toEqual(fresh({ kind: 'workspace' }, 'DOWN'));
    expect(openingLayoutKeys(graph, { kind: 'workspace' }, 'DOWN')).not.toEqual(workspace);
    // Another graph (an edit makes a new GraphJson): worked out afresh.
    const edited = { ...graph, edges: graph.edges.slice(1) };
    expect(openingLayoutKeys(edited, { kind: 'workspace' }, 'RIGHT')).toEqual(splitComponents(buildVisibleGraph(indexGraph(edited), { scope: { kind: 'workspace' } }), 'RIGHT').map((c) => c.key));
  });
});

describe('holdOpeningLayouts', () => {
  it("holds a view's layouts only when every opening component has one, in key order, per graph", () => {
    const graph = generateGraph({ tasks: 120, seed: 9, tasksPerModule: 20, crossModule: 0 });
    const scope = { kind: 'workspace' } as const;
    const keys = openingLayoutKeys(graph, scope, 'RIGHT');
    expect(keys.length).toBeGreaterThan(1);
    const entry = (key: string): ComponentLayout => ({ key, width: 10, height: 10, nodes: {}, edges: {} });
    expect(openingLayouts(graph, scope, 'RIGHT')).toBeUndefined();
    // One missing (the server could not lay it out): nothing held, the panel fetches as it loads.
    expect(holdOpeningLayouts(graph, scope, 'RIGHT', keys.slice(1).map(entry))).toBe(false);
    expect(openingLayouts(graph, scope, 'RIGHT')).toBeUndefined();
    // All of them, in any order and with others besides: held in key order.
    expect(holdOpeningLayouts(graph, scope, 'RIGHT', [entry('other'), ...[...keys].reverse().map(entry)])).toBe(true);
    expect(openingLayouts(graph, scope, 'RIGHT')?.map((l) => l.key)).toEqual(keys);
    // Another view, or another graph (an edit), holds nothing yet.
    expect(openingLayouts(graph, scope, 'DOWN')).toBeUndefined();
    expect(openingLayouts({ ...graph }, scope, 'RIGHT')).toBeUndefined();
  });
});
