// The incremental index: after any sequence of edits its graph must equal the graph of a
// fresh index over the same texts, while an edit re-reads nothing from disk.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findPythonFiles, indexWorkspace } from '../../../extension/core/analysis/workspace-files';
import { WorkspaceIndex } from '../../../extension/core/analysis/workspace-index';

const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures', 'graph');

/** The fixture texts, root-relative, as a mutable workspace held in memory. */
function fixtureTexts(): Map<string, string> {
  const texts = new Map<string, string>();
  for (const file of findPythonFiles(FIXTURES)) texts.set(path.relative(FIXTURES, file).split(path.sep).join('/'), readFileSync(file, 'utf8'));
  return texts;
}

function freshGraph(texts: Map<string, string>) {
  const index = new WorkspaceIndex();
  for (const [file, text] of texts) index.setFile(file, text);
  return index.graph();
}

const edit = (texts: Map<string, string>, file: string, from: string, to: string) => {
  const text = texts.get(file)!;
  expect(text).toContain(from);
  texts.set(file, text.replace(from, to));
};

describe('WorkspaceIndex', () => {
  let scratch: string | undefined;
  afterEach(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    scratch = undefined;
  });

  it('after each edit, equals a fresh index of the same texts', () => {
    const texts = fixtureTexts();
    const index = new WorkspaceIndex();
    for (const [file, text] of texts) index.setFile(file, text);
    expect(index.graph()).toEqual(freshGraph(texts));

    const steps: Array<() => void> = [
      // a new dependency in one file
      () => edit(texts, 'forms/shapes.py', 'return [Clean(), Source()]', 'return [Clean(), Source(), Partition()]'),
      // a base class renamed: its subclasses in other files stop being tasks
      () => edit(texts, 'forms/base.py', 'class BaseStep(luigi.Task):', 'class BaseStage(luigi.Task):'),
      // ... and back
      () => edit(texts, 'forms/base.py', 'class BaseStage(luigi.Task):', 'class BaseStep(luigi.Task):'),
      // a syntax error mid-file, then fixed
      () => edit(texts, 'forms/dynamic.py', 'class Summary(luigi.Task):', 'class Summary(luigi.Task:'),
      () => edit(texts, 'forms/dynamic.py', 'class Summary(luigi.Task:', 'class Summary(luigi.Task):'),
      // the module a relative import points at appears, then disappears
      () => texts.set('errors/missing_module.py', 'import luigi\n\n\nclass Ghost(luigi.ExternalTask):\n    pass\n'),
      () => texts.delete('errors/missing_module.py'),
      // a whole file removed: its dependents' references break
      () => texts.delete('orders/exports.py'),
      () => texts.set('orders/exports.py', readFileSync(path.join(FIXTURES, 'orders/exports.py'), 'utf8')),
      // a re-export through a package __init__
      () => texts.set('forms/__init__.py', 'from .base import Clean as PackageClean\n'),
      () => edit(texts, 'forms/aliases.py', 'return base.Clean()', 'return forms.PackageClean()\n\n\nimport forms'),
      // a new cycle across files
      () => edit(texts, 'forms/base.py', 'return Source(name=self.name)', 'from .shapes import ReturnsOne\n        return [Source(name=self.name), ReturnsOne()]'),
    ];
    for (const step of steps) {
      const before = new Set(texts.keys());
      step();
      for (const file of before) if (!texts.has(file)) index.removeFile(file);
      for (const [file, text] of texts) index.setFile(file, text);
      expect(index.graph()).toEqual(freshGraph(texts));
    }
    // The steps did change the graph: the cycle through Clean is there.
    expect(index.graph().diagnostics.some((d) => d.code === 'dependency-cycle' && d.file === 'forms/base.py')).toBe(true);
  });

  it('recomputes only the edited file and the files that read it', () => {
    const texts = fixtureTexts();
    const index = new WorkspaceIndex();
    for (const [file, text] of texts) index.setFile(file, text);
    index.graph();
    expect(index.lastRecomputed()).toHaveLength(texts.size);
    index.setFile('forms/dynamic.py', `${texts.get('forms/dynamic.py')}\n# edited\n`);
    index.graph();
    expect(index.lastRecomputed()).toEqual(['forms/dynamic.py']);
    index.setFile('orders/exports.py', texts.get('orders/exports.py')!.replace('The catalogue export.', 'The catalogue.'));
    index.graph();
    // loads imports from exports; aggregates and reports only look at classes in loads.
    expect(index.lastRecomputed()).toEqual(['orders/exports.py', 'orders/loads.py']);
  });

  it('re-analyses an edited file without reading the workspace again', () => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'graph-index-'));
    cpSync(FIXTURES, scratch, { recursive: true });
    const { index } = indexWorkspace(scratch);
    const edited = readFileSync(path.join(scratch, 'orders/reports.py'), 'utf8').replace('return agg.DailyRevenue(batch=self.batch)', 'return [agg.DailyRevenue(batch=self.batch), agg.TopCustomers()]');
    rmSync(scratch, { recursive: true, force: true }); // nothing left on disk to read
    index.setFile(path.join(scratch, 'orders/reports.py'), edited);
    const upstream = index.graph().edges.filter((e) => e.to === 'orders.reports.RevenueReport').map((e) => e.from);
    expect(upstream.sort()).toEqual(['orders.aggregates.DailyRevenue', 'orders.aggregates.TopCustomers']);
    expect(index.graph().tasks.length).toBeGreaterThan(40);
  });

  it('answers per-file questions: tasks in a file, the task at a line, a task by id', () => {
    const index = new WorkspaceIndex({ root: '/work/space' });
    index.setFile('/work/space/pkg/tasks.py', 'import luigi\n\n\nclass A(luigi.Task):\n    """A."""\n\n    def run(self):\n        pass\n\n\nclass B(A):\n    pass\n');
    expect(index.files()).toEqual(['pkg/tasks.py']);
    expect(index.tasksInFile('pkg/tasks.py').map((t) => [t.id, t.line, t.endLine])).toEqual([
      ['pkg.tasks.A', 4, 8],
      ['pkg.tasks.B', 11, 12],
    ]);
    expect(index.taskAt('/work/space/pkg/tasks.py', 7)?.name).toBe('A');
    expect(index.taskAt('pkg/tasks.py', 9)).toBeUndefined();
    expect(index.task('pkg.tasks.B')?.file).toBe('pkg/tasks.py');
    expect(index.isTask('pkg/tasks.py', 'B')).toBe(true);
    expect(index.resolve('pkg/tasks.py', ['luigi', 'Task'])).toEqual({ kind: 'external', qualifiedName: 'luigi.Task' });
    expect(index.tree('pkg/tasks.py')?.topNode.name).toBe('Script');
  });

  it('keeps the graph object until something changes', () => {
    const index = new WorkspaceIndex();
    index.setFile('a.py', 'import luigi\nclass A(luigi.Task):\n    pass\n');
    const first = index.graph();
    expect(index.graph()).toBe(first);
    index.setFile('a.py', 'import luigi\nclass A(luigi.Task):\n    pass\n'); // same text: no change
    expect(index.graph()).toBe(first);
    index.setFile('a.py', 'import luigi\nclass A(luigi.WrapperTask):\n    pass\n');
    expect(index.graph()).not.toBe(first);
    expect(index.graph().tasks[0]?.kind).toBe('wrapper');
  });

  it('shows skipped files as diagnostics and forgets them when removed', () => {
    const index = new WorkspaceIndex();
    index.markSkipped('data/dump.py', 'Skipped: binary file (contains NUL bytes)');
    expect(index.graph().diagnostics).toEqual([{ file: 'data/dump.py', line: 1, severity: 'warning', message: 'Skipped: binary file (contains NUL bytes)', code: 'skipped-file' }]);
    expect(index.removeFile('data/dump.py')).toBe(true);
    expect(index.graph().diagnostics).toEqual([]);
  });
});
