import { describe, expect, it } from 'vitest';
import { splitComponents } from '../../../extension/core/graphLayout/components';
import { openingLayoutKeys } from '../../../extension/core/graphLayout/openingKeys';
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
