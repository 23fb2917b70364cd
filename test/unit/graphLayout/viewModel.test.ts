import { describe, expect, it } from 'vitest';
import type { GraphJson, TaskNode } from '../../../extension/core/analysis/types';
import { buildVisibleGraph, indexGraph, selectTasks, shortestDistinctSuffixes, taskLabels } from '../../../extension/core/graphLayout/viewModel';

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

  it('a table focus follows its writers upstream and its readers downstream (core/graphLayout/tableFocus.ts)', () => {
    // a.Load writes Staging, b.Report and x.Other read it.
    const withTables = indexGraph({ ...graph, tasks: graph.tasks.map((t) => (t.id === 'a.Load' ? { ...t, tables: ['Staging'] } : t.id === 'b.Report' || t.id === 'x.Other' ? { ...t, tableReads: ['Staging'] } : t)) });
    const focus = (direction: 'upstream' | 'downstream' | 'both', depth: number) => [...selectTasks(withTables, { scope: { kind: 'workspace' }, focus: { taskId: 'table:Staging', direction, depth } })].sort();
    expect(focus('upstream', 0)).toEqual(['a.Extract', 'a.Load']);
    expect(focus('downstream', 0)).toEqual(['b.Report', 'c.Archive', 'x.Other']);
    expect(focus('both', 1)).toEqual(['a.Load', 'b.Report', 'x.Other']);
    expect(focus('both', 2)).toEqual(['a.Extract', 'a.Load', 'b.Report', 'c.Archive', 'x.Other']);
    // Drawn with the table between them.
    const visible = buildVisibleGraph(withTables, { scope: { kind: 'workspace' }, focus: { taskId: 'table:Staging', direction: 'both', depth: 1 }, tables: true });
    expect(visible.nodes.map((n) => n.id)).toEqual(['a.Load', 'b.Report', 'table:Staging', 'x.Other']);
    // A table no longer in the graph is no focus, as a task no longer there: the scope shows.
    expect(selectTasks(withTables, { scope: { kind: 'workspace' }, focus: { taskId: 'table:Gone', direction: 'both', depth: 0 } }).size).toBe(graph.tasks.length);
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

  it('same-named tasks of different modules carry the shortest module suffix that tells them apart', () => {
    // As in spotify/luigi's examples: Bar in three modules, WordCount in two, Unique once.
    const named: GraphJson = {
      tasks: [
        task('examples.foo.Bar', 'examples/foo.py'),
        task('examples.dynamic_requirements.Bar', 'examples/dynamic_requirements.py'),
        task('tests.foo.Bar', 'tests/foo.py'),
        task('examples.wordcount.WordCount', 'examples/wordcount.py'),
        task('examples.spark.wordcount.WordCount', 'examples/spark/wordcount.py'),
        task('examples.foo.Unique', 'examples/foo.py'),
        // Instances of one class (same module) are one family, not a name clash.
        task('runs.Step(date=1)', 'runs.py', { name: 'Step', module: 'runs' }),
        task('runs.Step(date=2)', 'runs.py', { name: 'Step', module: 'runs' }),
      ],
      edges: [],
      diagnostics: [],
    };
    const labels = taskLabels(named.tasks);
    expect(labels.get('examples.foo.Bar')).toBe('Bar · examples.foo');
    expect(labels.get('tests.foo.Bar')).toBe('Bar · tests.foo');
    expect(labels.get('examples.dynamic_requirements.Bar')).toBe('Bar · dynamic_requirements');
    expect(labels.get('examples.wordcount.WordCount')).toBe('WordCount · examples.wordcount');
    expect(labels.get('examples.spark.wordcount.WordCount')).toBe('WordCount · spark.wordcount');
    expect(labels.get('examples.foo.Unique')).toBe('Unique');
    expect(labels.get('runs.Step(date=1)')).toBe('Step');
    // A module that is a suffix of another still gets a distinct label.
    expect(shortestDistinctSuffixes(['m', 'a.m'])).toEqual(new Map([['m', 'm'], ['a.m', 'a.m']]));

    const visible = buildVisibleGraph(indexGraph(named), { scope: { kind: 'workspace' } });
    const drawn = visible.nodes.map((n) => n.label);
    expect(drawn.filter((l) => l.startsWith('Bar'))).toHaveLength(3);
    expect(new Set(drawn).size).toBe(drawn.length);
    expect(visible.nodes.find((n) => n.id === 'family:runs.Step')!.label).toBe('Step');
  });
});

describe('graph view model with tables', () => {
  // a.Load writes Orders, b.Report and x.Other read it; c.Archive writes Archive; nobody shown touches Ghost.
  const withTables: GraphJson = {
    ...graph,
    tasks: graph.tasks.map((t) =>
      t.id === 'a.Load' ? { ...t, tables: ['Orders'] } : t.id === 'b.Report' || t.id === 'x.Other' ? { ...t, tableReads: ['Orders'] } : t.id === 'c.Archive' ? { ...t, tables: ['Archive'] } : t,
    ),
    tables: [
      { name: 'Archive', writers: ['c.Archive'], readers: [] },
      { name: 'Ghost', writers: ['gone.Task'], readers: [] },
      { name: 'Orders', writers: ['a.Load'], readers: ['b.Report', 'x.Other'] },
    ],
  };
  const tableIndex = indexGraph(withTables);

  it('adds no table without the option', () => {
    const visible = buildVisibleGraph(tableIndex, { scope: { kind: 'workspace' } });
    expect(visible.nodes.some((n) => n.kind === 'table')).toBe(false);
  });

  it('puts each table the shown tasks touch between writer and readers, as a node of its own kind', () => {
    const visible = buildVisibleGraph(tableIndex, { scope: { kind: 'workspace' }, tables: true });
    const tables = visible.nodes.filter((n) => n.kind === 'table');
    expect(tables.map((n) => [n.id, n.label, n.members, n.module])).toEqual([
      ['table:Archive', 'Archive', ['c.Archive'], ''],
      ['table:Orders', 'Orders', ['a.Load', 'b.Report', 'x.Other'], ''],
    ]);
    expect(tables.every((n) => n.width > 0 && n.height > 0)).toBe(true);
    const tableEdges = visible.edges.filter((e) => e.kind === 'writes' || e.kind === 'reads').map((e) => [e.from, e.to, e.kind]);
    expect(tableEdges).toEqual([
      ['a.Load', 'table:Orders', 'writes'],
      ['c.Archive', 'table:Archive', 'writes'],
      ['table:Orders', 'b.Report', 'reads'],
      ['table:Orders', 'x.Other', 'reads'],
    ]);
  });

  it('follows the scope: a table appears with the shown tasks only, linked to the groups they are drawn in', () => {
    const fileScope = buildVisibleGraph(tableIndex, { scope: { kind: 'file', file: 'x.py' }, tables: true });
    expect(fileScope.nodes.map((n) => n.id)).toEqual(['table:Orders', 'x.Other']);
    const collapsed = buildVisibleGraph(tableIndex, { scope: { kind: 'workspace' }, tables: true, collapsedModules: new Set(['a']) });
    expect(collapsed.edges.find((e) => e.to === 'table:Orders')).toMatchObject({ from: 'module:a', kind: 'writes' });
  });

  it('derives the tables from the tasks when the graph has no tables section', () => {
    const { tables: _dropped, ...bare } = withTables;
    expect(indexGraph(bare).tables.map((t) => [t.name, t.writers, t.readers])).toEqual([
      ['Archive', ['c.Archive'], []],
      ['Orders', ['a.Load'], ['b.Report', 'x.Other']],
    ]);
  });
});
