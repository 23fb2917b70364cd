// The static graph must equal the graph Luigi itself builds: the fixture packages are imported
// with the venv's real Luigi, every task is instantiated and requires() flattened (plus the
// tasks a generator run() yields). Needs Python and Luigi only, not the emulator.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { indexWorkspace } from '../../extension/core/analysis/workspace-files';
import { REPO_ROOT, testPython } from '../support/python';

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'graph');

interface RuntimeGraph {
  tasks: string[];
  edges: Array<{ from: string; to: string; kind: string }>;
}

function runtimeGraph(packages: string[]): RuntimeGraph {
  const stdout = execFileSync(testPython(), [path.join(FIXTURES, 'flatten_requires.py'), FIXTURES, ...packages], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
  return JSON.parse(stdout) as RuntimeGraph;
}

const edgeKey = (e: { from: string; to: string; kind: string }) => `${e.from} -> ${e.to} (${e.kind})`;

// Floors keep the comparison from passing on an empty graph.
describe.each([
  { pkg: 'forms', minTasks: 37, minEdges: 48 },
  { pkg: 'orders', minTasks: 10, minEdges: 10 },
])('static graph of $pkg equals the one Luigi builds at runtime', ({ pkg, minTasks, minEdges }) => {
  const runtime = runtimeGraph([pkg]);
  const { index } = indexWorkspace(FIXTURES, { paths: [pkg] });
  const graph = index.graph();

  it('finds the same tasks', () => {
    expect(runtime.tasks.length).toBeGreaterThanOrEqual(minTasks);
    expect(graph.tasks.map((t) => t.id).sort()).toEqual([...runtime.tasks].sort());
  });

  it('finds the same edges, requires and dynamic', () => {
    expect(runtime.edges.length).toBeGreaterThanOrEqual(minEdges);
    expect(graph.edges.map(edgeKey).sort()).toEqual(runtime.edges.map(edgeKey).sort());
  });

  it('reports nothing unresolved; only the tasks that yield themselves get the recursion note', () => {
    const selfLoops = runtime.edges.filter((e) => e.from === e.to).map((e) => e.to);
    const taskOf = (d: { file: string; line: number }) => graph.tasks.find((t) => t.file === d.file && t.line === d.line)?.id;
    expect(graph.diagnostics.filter((d) => d.code !== 'self-dependency')).toEqual([]);
    expect(graph.diagnostics.filter((d) => d.code === 'self-dependency').map(taskOf).sort()).toEqual(selfLoops.sort());
  });
});
