// The client-side model of a multi-root window (extension/vscode/folderGraphs.ts): one graph per
// folder as the server sends them, and the folder of a file or a task, with the same task id in
// both folders (two pipelines with a pipeline.py each).
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { GraphJson, TaskNode } from '../../../extension/core/analysis/types';
import { FolderGraphs } from '../../../extension/vscode/folderGraphs';

const task = (name: string, file: string, line: number, endLine: number): TaskNode =>
  ({ id: `${file.replace(/\.py$/, '').replace(/\//g, '.')}.${name}`, name, file, line, endLine, module: file.replace(/\.py$/, ''), kind: 'task', params: [], outputs: [], doc: undefined }) as unknown as TaskNode;
const graph = (...tasks: TaskNode[]): GraphJson => ({ tasks, edges: [], diagnostics: [] });

const ORDERS = path.resolve('/work/orders');
const BILLING = path.resolve('/work/billing');
const NESTED = path.join(ORDERS, 'vendor');

describe('FolderGraphs', () => {
  const model = () => {
    const m = new FolderGraphs();
    m.add('file:///work/orders', ORDERS);
    m.add('file:///work/billing', BILLING);
    m.set('file:///work/orders', ORDERS, graph(task('Load', 'pipeline.py', 3, 10), task('Export', 'pipeline.py', 12, 20)));
    m.set('file:///work/billing', BILLING, graph(task('Load', 'pipeline.py', 5, 9), task('Invoice', 'jobs/invoice.py', 1, 8)));
    return m;
  };

  test('a file is looked up in its own folder: the same relative path in two folders gives each its tasks', () => {
    const m = model();
    expect(m.tasksIn(path.join(ORDERS, 'pipeline.py')).map((t) => t.name)).toEqual(['Load', 'Export']);
    expect(m.tasksIn(path.join(BILLING, 'pipeline.py')).map((t) => t.name)).toEqual(['Load']);
    expect(m.taskAt(path.join(BILLING, 'pipeline.py'), 6)?.line).toBe(5);
    expect(m.taskAt(path.join(ORDERS, 'pipeline.py'), 6)?.line).toBe(3);
    expect(m.tasksIn(path.join(BILLING, 'jobs', 'invoice.py')).map((t) => t.name)).toEqual(['Invoice']);
    expect(m.tasksIn(path.resolve('/elsewhere/pipeline.py'))).toEqual([]);
  });

  test('a task knows its folder: its file is under that folder, and an id in both folders resolves in the preferred one first', () => {
    const m = model();
    const billingLoad = m.tasksIn(path.join(BILLING, 'pipeline.py'))[0]!;
    expect(m.folderOf(billingLoad)?.uri).toBe('file:///work/billing');
    expect(m.fileOf(billingLoad)).toBe(path.join(BILLING, 'pipeline.py'));
    expect(m.task('pipeline.Load', 'file:///work/billing')).toBe(billingLoad);
    expect(m.folderOf(m.task('pipeline.Load', 'file:///work/orders')!)?.uri).toBe('file:///work/orders');
    expect(m.task('jobs.invoice.Invoice', 'file:///work/orders')?.name).toBe('Invoice');
    expect(m.task('nowhere.Missing')).toBeUndefined();
  });

  test('nested folders: a file belongs to the innermost; a removed folder is gone; a fresh graph replaces the old', () => {
    const m = model();
    m.add('file:///work/orders/vendor', NESTED);
    m.set('file:///work/orders/vendor', NESTED, graph(task('Vendored', 'lib.py', 1, 4)));
    expect(m.folderOfPath(path.join(NESTED, 'lib.py'))).toMatchObject({ folder: { uri: 'file:///work/orders/vendor' }, relative: 'lib.py' });
    expect(m.folderOfPath(path.join(ORDERS, 'pipeline.py'))?.folder.uri).toBe('file:///work/orders');
    m.remove('file:///work/billing');
    expect(m.tasksIn(path.join(BILLING, 'pipeline.py'))).toEqual([]);
    expect(m.all().map((f) => f.uri)).toEqual(['file:///work/orders', 'file:///work/orders/vendor']);
    m.set('file:///work/orders', ORDERS, graph(task('Renamed', 'pipeline.py', 3, 10)));
    expect(m.tasksIn(path.join(ORDERS, 'pipeline.py')).map((t) => t.name)).toEqual(['Renamed']);
    // add() of a known folder keeps its graph.
    m.add('file:///work/orders', ORDERS);
    expect(m.get('file:///work/orders')?.graph.tasks).toHaveLength(1);
  });
});
