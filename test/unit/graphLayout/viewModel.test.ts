import { describe, expect, it } from 'vitest';
import type { GraphJson, TaskNode } from '../../../extension/core/analysis/types';
import { buildVisibleGraph, indexGraph, selectTasks } from '../../../extension/core/graphLayout/viewModel';

function task(id: string, file: string, extra: Partial<TaskNode> = {}): TaskNode {
  const dot = id.lastIndexOf('.');
  return { id, name: id.slice(dot + 1), kind: 'task', file, line: 1, params: [], outputs: [], module: id.slice(0, dot), ...extra };
}

// a.Extract -> a.Load -> b.Report -> c.Archive ; x.Other stands alone ; b.Report <- dynamic - a.Side
const graph: GraphJson = {
  tasks: [
    task('a.Extract', 'a.py', { kind: 'external' }),
    task('a.Load', 'a.py'),
    task('a.Side', 'a.py'),
    task('b.Report', 'b.py', { kind: 'wrapper' }),
    task('c.Archive', 'c.py'),
    task('x.Other', 'x.py'),
  ],
  edges: [
    { from: 'a.Extract', to: 'a.Load', kind: 'requires' },
    { from: 'a.Load', to: 'b.Report', kind: 'requires' },
    { from: 'a.Side', to: 'b.Report', kind: 'dynamic' },
    { from: 'b.Report', to: 'c.Archive', kind: 'requires' },
    { from: 'a.Load', to: 'missing.Task', kind: 'requires' },
  ],
  diagnostics: [],
};

describe('graph view model', () => {
  const index = indexGraph(graph);

  it('drops edges to tasks outside the graph', () => {
    expect(index.edges).toHaveLength(4);
  });

  it('file scope shows the file tasks with everything up- and downstream', () => {
    const ids = selectTasks(index, { scope: { kind: 'file', file: 'b.py' } });
    expect([...ids].sort()).toEqual(['a.Extract', 'a.Load', 'a.Side', 'b.Report', 'c.Archive']);
    const fromC = selectTasks(index, { scope: { kind: 'file', file: 'c.py' } });
    // Upstream of c only: nothing downstream of its ancestors' other branches sneaks in.
    expect([...fromC].sort()).toEqual(['a.Extract', 'a.Load', 'a.Side', 'b.Report', 'c.Archive']);
    expect([...selectTasks(index, { scope: { kind: 'file', file: 'x.py' } })]).toEqual(['x.Other']);
  });

  it('focus follows the lineage to the chosen depth and direction, whatever the scope', () => {
    const scope = { kind: 'file', file: 'x.py' } as const;
    expect([...selectTasks(index, { scope, focus: { taskId: 'b.Report', direction: 'upstream', depth: 1 } })].sort()).toEqual(['a.Load', 'a.Side', 'b.Report']);
    expect([...selectTasks(index, { scope, focus: { taskId: 'b.Report', direction: 'upstream', depth: 0 } })].sort()).toEqual(['a.Extract', 'a.Load', 'a.Side', 'b.Report']);
    expect([...selectTasks(index, { scope, focus: { taskId: 'a.Load', direction: 'downstream', depth: 0 } })].sort()).toEqual(['a.Load', 'b.Report', 'c.Archive']);
    expect([...selectTasks(index, { scope, focus: { taskId: 'a.Load', direction: 'both', depth: 1 } })].sort()).toEqual(['a.Extract', 'a.Load', 'b.Report']);
  });

  it('a collapsed module becomes one node and its edges merge', () => {
    const visible = buildVisibleGraph(index, { scope: { kind: 'workspace' }, collapsedModules: new Set(['a']) });
    expect(visible.nodes.map((n) => n.id)).toEqual(['b.Report', 'c.Archive', 'module:a', 'x.Other']);
    const moduleNode = visible.nodes.find((n) => n.id === 'module:a')!;
    expect(moduleNode.members.sort()).toEqual(['a.Extract', 'a.Load', 'a.Side']);
    expect(moduleNode.detail).toBe('3 tasks');
    const merged = visible.edges.find((e) => e.id === 'module:a->b.Report')!;
    // One requires and one dynamic edge merged: drawn solid, counted twice.
    expect(merged).toMatchObject({ kind: 'requires', count: 2 });
  });

  it('instances of one family are grouped unless expanded', () => {
    const instances: GraphJson = {
      tasks: [task('m.Load', 'm.py'), { ...task('m.Load', 'm.py'), id: 'm.Load(date=2)' }, { ...task('m.Load', 'm.py'), id: 'm.Load(date=3)' }, task('m.All', 'm.py', { kind: 'wrapper' })],
      edges: ['m.Load', 'm.Load(date=2)', 'm.Load(date=3)'].map((from) => ({ from, to: 'm.All', kind: 'requires' as const })),
      diagnostics: [],
    };
    const grouped = buildVisibleGraph(indexGraph(instances), { scope: { kind: 'workspace' } });
    expect(grouped.nodes.map((n) => [n.id, n.detail])).toEqual([
      ['family:m.Load', '3 instances'],
      ['m.All', undefined],
    ]);
    expect(grouped.edges).toEqual([{ id: 'family:m.Load->m.All', from: 'family:m.Load', to: 'm.All', kind: 'requires', count: 3 }]);
    const expanded = buildVisibleGraph(indexGraph(instances), { scope: { kind: 'workspace' }, expandedFamilies: new Set(['m.Load']) });
    expect(expanded.nodes).toHaveLength(4);
    expect(expanded.edges).toHaveLength(3);
  });

  it('node width follows the label and stays within bounds', () => {
    const visible = buildVisibleGraph(index, { scope: { kind: 'workspace' } });
    const load = visible.nodes.find((n) => n.id === 'a.Load')!;
    const long = buildVisibleGraph(indexGraph({ tasks: [task(`m.${'VeryLong'.repeat(20)}`, 'm.py')], edges: [], diagnostics: [] }), { scope: { kind: 'workspace' } }).nodes[0]!;
    const medium = buildVisibleGraph(indexGraph({ tasks: [task('m.LoadCustomersIntoSpanner', 'm.py')], edges: [], diagnostics: [] }), { scope: { kind: 'workspace' } }).nodes[0]!;
    expect(load.width).toBe(72);
    expect(medium.width).toBeGreaterThan(load.width);
    expect(long.width).toBeLessThanOrEqual(340);
    expect(long.width).toBeGreaterThan(320);
    expect(long.label.endsWith('…')).toBe(true);
  });
});
