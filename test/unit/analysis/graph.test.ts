// The static graph of the fixture workspaces in test/fixtures/graph (see its README).
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GraphJson, TaskNode } from '../../../extension/core/analysis/types';
import { indexWorkspace } from '../../../extension/core/analysis/workspace-files';

const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures', 'graph');

let graph: GraphJson;
const task = (id: string): TaskNode => {
  const found = graph.tasks.find((t) => t.id === id);
  if (!found) throw new Error(`no task ${id}`);
  return found;
};
/** Upstream task ids of `id` for one edge kind, sorted. */
const upstream = (id: string, kind = 'requires') =>
  graph.edges
    .filter((e) => e.to === id && e.kind === kind)
    .map((e) => e.from)
    .sort();

beforeAll(() => {
  graph = indexWorkspace(FIXTURES).index.graph();
});

describe('task discovery', () => {
  it('finds tasks through aliases, renamed imports, module imports and chains of bases', () => {
    for (const id of [
      'forms.aliases.ViaModuleAlias', // import luigi as lg
      'forms.aliases.ViaRenamedBase', // from luigi import Task as T
      'forms.inheritance.Mid', // base.BaseStep, base in another file
      'forms.inheritance.Leaf', // two levels of bases
      'forms.inheritance.WithMixin', // mixin first, luigi.Task second
      'forms.inheritance.Shell', // contrib base class
      'orders.loads.LoadOrders', // luigi_spanner.SpannerTask through a workspace base
    ]) {
      expect(task(id).kind).toBe('task');
    }
  });

  it('knows wrapper and external tasks, also through bases', () => {
    expect(task('forms.aliases.AllAliases').kind).toBe('wrapper');
    expect(task('orders.reports.AllReports').kind).toBe('wrapper');
    expect(task('forms.base.Source').kind).toBe('external');
    expect(task('orders.exports.OrdersExport').kind).toBe('external');
  });

  it('does not take non-tasks for tasks', () => {
    const ids = graph.tasks.map((t) => t.id);
    for (const id of ['forms.not_tasks.HasRequires', 'forms.not_tasks.Settings', 'forms.not_tasks.AlwaysMissing', 'forms.inheritance.CleanMixin']) {
      expect(ids).not.toContain(id);
    }
  });

  it('describes each task: file relative to the root, 1-based lines, module, docstring', () => {
    expect(task('forms.base.Clean')).toMatchObject({
      name: 'Clean',
      file: 'forms/base.py',
      line: 16,
      endLine: 25,
      module: 'forms.base',
      doc: 'Cleans one raw input.',
    });
  });
});

describe('edges: every way to name a dependency', () => {
  it.each([
    ['forms.shapes.ReturnsOne', ['forms.base.Clean']],
    ['forms.shapes.ReturnsList', ['forms.base.Clean', 'forms.base.Source']],
    ['forms.shapes.ReturnsTuple', ['forms.shapes.ReturnsList', 'forms.shapes.ReturnsOne']],
    ['forms.shapes.ReturnsDict', ['forms.shapes.ReturnsOne', 'forms.shapes.ReturnsTuple']],
    ['forms.shapes.ReturnsComprehension', ['forms.shapes.Partition']],
    ['forms.shapes.YieldsInRequires', ['forms.base.Clean', 'forms.shapes.Partition']],
    ['forms.shapes.ConditionalAppends', ['forms.base.Clean', 'forms.shapes.Partition', 'forms.shapes.ReturnsDict']],
    ['forms.shapes.Clones', ['forms.shapes.Partition']],
    ['forms.shapes.ViaHelperMethod', ['forms.shapes.ReturnsOne']],
    ['forms.shapes.ViaModuleFunction', ['forms.base.Source']],
    ['forms.shapes.ViaModuleConstant', ['forms.shapes.ReturnsList', 'forms.shapes.ReturnsOne']],
    ['forms.shapes.ViaClassAttribute', ['forms.shapes.ReturnsTuple']],
    ['forms.aliases.ViaModuleAlias', ['forms.base.Clean']],
    ['forms.aliases.ViaRenamedBase', ['forms.base.Source']],
    ['forms.aliases.ViaAbsoluteImport', ['forms.base.Clean']],
    ['forms.aliases.UsesLaterClass', ['forms.aliases.DefinedLater']],
    ['forms.inheritance.Leaf', ['forms.base.Clean']],
    ['forms.inheritance.Extends', ['forms.base.Clean', 'forms.base.Source']],
    ['forms.inheritance.ExtendsOldStyle', ['forms.base.Clean', 'forms.inheritance.Leaf']],
    ['forms.inheritance.WithMixin', ['forms.base.Clean']],
    ['forms.decorators.RequiresOne', ['forms.base.Clean']],
    ['forms.decorators.RequiresTwo', ['forms.base.Clean', 'forms.base.Source']],
    ['forms.decorators.InheritsOnly', []],
    ['forms.decorators.InheritsAndClones', ['forms.base.Clean']],
    ['forms.decorators.InheritsTwoAndClones', ['forms.base.Clean', 'forms.base.Source']],
    ['forms.decorators.DecoratorChain', ['forms.decorators.RequiresOne']],
    ['orders.loads.LoadOrders', ['orders.exports.OrdersExport', 'orders.loads.LoadCustomers', 'orders.loads.LoadProducts']],
    ['orders.reports.AllReports', ['orders.aggregates.TopCustomers', 'orders.reports.RevenueReport']],
  ])('%s requires %j', (id, expected) => {
    expect(upstream(id)).toEqual(expected);
  });

  it('marks tasks yielded from run() as dynamic, apart from requires()', () => {
    expect(upstream('forms.dynamic.DynamicFanOut')).toEqual(['forms.base.Clean']);
    expect(upstream('forms.dynamic.DynamicFanOut', 'dynamic')).toEqual(['forms.dynamic.Summary', 'forms.shapes.Partition']);
    expect(upstream('forms.dynamic.DynamicViaHelper', 'dynamic')).toEqual(['forms.shapes.Partition']);
  });
});

describe('parameters, outputs and tables', () => {
  it('lists parameters with type, default as written and significance, inherited ones last-declared', () => {
    expect(task('forms.inheritance.Mid').params).toEqual([
      { name: 'day', type: 'luigi.DateParameter', default: 'datetime.date(2024, 3, 1)', significant: true, declaredIn: 'forms.base.BaseStep' },
      { name: 'retries', type: 'luigi.IntParameter', default: '3', significant: false, declaredIn: 'forms.base.BaseStep' },
    ]);
    expect(task('forms.shapes.Partition').params).toEqual([{ name: 'index', type: 'luigi.IntParameter', default: '0', significant: true }]);
    expect(task('orders.exports.OrdersExport').params).toEqual([{ name: 'batch', type: 'luigi.Parameter', default: '"2024-03-01"', significant: true }]);
  });

  it('copies parameters named by @inherits and @requires', () => {
    expect(task('forms.decorators.InheritsOnly').params).toEqual([
      { name: 'name', type: 'luigi.Parameter', default: '"raw"', significant: true, declaredIn: 'forms.base.Clean' },
    ]);
    expect(task('orders.aggregates.TopCustomers').params.map((p) => [p.name, p.significant, p.declaredIn])).toEqual([
      ['limit', false, undefined],
      ['batch', true, 'orders.loads.BatchTask'],
    ]);
  });

  it('shows outputs and the Spanner tables a task writes', () => {
    expect(task('forms.base.Clean').outputs).toEqual([
      { target: 'LocalTarget', source: 'luigi.LocalTarget(f"/tmp/luigi-spanner-fixture/{self.name}.clean.csv")' },
    ]);
    // SpannerTask's own output(), inherited from the luigi_spanner library, names target_table.
    expect(task('orders.loads.LoadOrders').outputs).toEqual([
      { target: 'SpannerMarkerTarget', source: 'SpannerMarkerTarget(self.update_id(), target_table=self.target_table)', tables: ['Orders'] },
    ]);
    expect(task('orders.loads.LoadOrders').tables).toEqual(['Orders']);
    expect(task('orders.loads.LoadProducts').tables).toEqual(['Products']); // Mutation.replace(...)
    expect(task('orders.aggregates.DailyRevenue').tables).toEqual(['DailyRevenue']); // INSERT INTO ... DML
    expect(task('orders.aggregates.TopCustomers').tables).toEqual(['TopCustomers']); // DELETE FROM ... DML
    expect(task('orders.reports.RevenueReport').tables).toBeUndefined();
  });
});

describe('error tolerance', () => {
  const diagnosticsOf = (file: string) => graph.diagnostics.filter((d) => d.file === file);

  it('keeps the tasks before, between and after syntax errors, with their edges', () => {
    const ids = graph.tasks.filter((t) => t.file === 'errors/syntax_mid.py').map((t) => t.name);
    expect(ids).toEqual(['Before', 'Earliest', 'After', 'Last']);
    expect(upstream('errors.syntax_mid.After')).toEqual(['errors.syntax_mid.Before']);
    expect(upstream('errors.syntax_mid.Last')).toEqual(['errors.syntax_mid.After', 'errors.syntax_mid.Before']);
    expect(diagnosticsOf('errors/syntax_mid.py').map((d) => [d.line, d.severity, d.code])).toEqual([
      [14, 'error', 'syntax-error'],
      [24, 'error', 'syntax-error'],
    ]);
  });

  it('reports cycles once per member and keeps their edges', () => {
    const cycle = diagnosticsOf('errors/cycle.py').filter((d) => d.code === 'dependency-cycle');
    expect(cycle.map((d) => d.line)).toEqual([7, 12, 17]);
    expect(cycle[0]!.message).toBe('Dependency cycle: CycleA → CycleB → CycleC → CycleA (each requires the next)');
    expect(upstream('errors.cycle.CycleA')).toEqual(['errors.cycle.CycleB']);
    expect(diagnosticsOf('errors/cycle.py').find((d) => d.code === 'self-dependency')).toMatchObject({ line: 22, severity: 'info' });
    expect(diagnosticsOf('errors/cycle.py').find((d) => d.code === 'inheritance-cycle')).toMatchObject({ severity: 'error' });
  });

  it('turns unresolvable references into diagnostics and keeps the edges it can resolve', () => {
    expect(diagnosticsOf('errors/unresolved.py').map((d) => [d.line, d.code, d.message])).toEqual([
      [5, 'unresolved-import', 'Module "errors.cycle" has no "NotThere"'],
      [6, 'unresolved-import', 'Cannot find module ".missing_module" (looked for errors/missing_module.py)'],
      [11, 'unresolved-reference', '"Undefined" is not defined in errors.unresolved'],
      [11, 'external-reference', expect.stringContaining('ExternalUpstream comes from somewhere_installed')],
      [14, 'unknown-base', expect.stringContaining('UnknownBase is not shown as a task')],
    ]);
    expect(upstream('errors.unresolved.UsesUnknowns')).toEqual(['errors.cycle.CycleA']);
  });

  it('reports nothing for the well-formed fixtures but the recursion notes of the tasks that yield themselves', () => {
    const wellFormed = graph.diagnostics.filter((d) => !d.file.startsWith('errors/'));
    expect(wellFormed.filter((d) => d.code !== 'self-dependency')).toEqual([]);
    expect(wellFormed.map((d) => graph.tasks.find((t) => t.file === d.file && t.line === d.line)?.name).sort()).toEqual(['RecursesThroughClass', 'RecursesThroughClone']);
  });
});

describe('the JSON contract', () => {
  it('has exactly the documented top-level and edge fields', () => {
    expect(Object.keys(graph).sort()).toEqual(['diagnostics', 'edges', 'tasks']);
    for (const edge of graph.edges) expect(Object.keys(edge).sort()).toEqual(['from', 'kind', 'to']);
    for (const t of graph.tasks) {
      expect(t).toEqual(
        expect.objectContaining({ id: expect.any(String), name: expect.any(String), file: expect.any(String), line: expect.any(Number), params: expect.any(Array), outputs: expect.any(Array) }),
      );
      expect(['task', 'wrapper', 'external']).toContain(t.kind);
    }
  });

  it('points every edge at known tasks', () => {
    const ids = new Set(graph.tasks.map((t) => t.id));
    for (const edge of graph.edges) {
      expect(ids.has(edge.from) && ids.has(edge.to)).toBe(true);
    }
  });

  it('is the same on every run', () => {
    expect(indexWorkspace(FIXTURES).index.graph()).toEqual(graph);
  });
});
