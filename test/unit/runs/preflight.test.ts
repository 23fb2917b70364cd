// Run preflight: a syntax error in the task's file or an upstream task's file stops the run
// before the emulator or Python start, named with its place.
import { describe, expect, it } from 'vitest';
import { WorkspaceIndex } from '../../../extension/core/analysis';
import { describeSyntaxErrors, syntaxErrorsBlockingRun } from '../../../extension/core/runs/preflight';
import { downstreamRoots, lastStateByFamily, tablesOf } from '../../../extension/core/runs/taskStates';
import { notStartedRecord, type RunRecord } from '../../../extension/core/runs/history';

const upstream = `import luigi

class Extract(luigi.Task):
    def run(self):
        pass
`;
const downstream = `import luigi
from up import Extract

class Load(luigi.Task):
    def requires(self):
        return Extract()

class Report(luigi.Task):
    def requires(self):
        return Load()

class Audit(luigi.Task):
    def requires(self):
        return Load()
`;

function index(files: Record<string, string>): WorkspaceIndex {
  const idx = new WorkspaceIndex({ root: '/ws' });
  for (const [name, text] of Object.entries(files)) idx.setFile(`/ws/${name}`, text);
  return idx;
}

describe('syntaxErrorsBlockingRun', () => {
  it('finds nothing in files that parse', () => {
    const graph = index({ 'up.py': upstream, 'down.py': downstream }).graph();
    const load = graph.tasks.find((t) => t.name === 'Load')!;
    expect(syntaxErrorsBlockingRun(graph, load.id)).toEqual([]);
  });

  it("names the error in the task's own file with its line", () => {
    const broken = downstream.replace('class Report(luigi.Task):', 'class Report(luigi.Task)');
    const graph = index({ 'up.py': upstream, 'down.py': broken }).graph();
    const load = graph.tasks.find((t) => t.name === 'Load')!;
    const errors = syntaxErrorsBlockingRun(graph, load.id);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({ file: 'down.py', line: 8, code: 'syntax-error' });
    expect(describeSyntaxErrors(errors)).toMatch(/^Syntax error at down\.py:8:\d+: .+Fix it before running/);
  });

  it("counts an upstream task's file, not an unrelated one", () => {
    const brokenUp = upstream.replace('def run(self):', 'def run(self)');
    const graph = index({ 'up.py': brokenUp, 'down.py': downstream, 'other.py': 'x = (\n' }).graph();
    const load = graph.tasks.find((t) => t.name === 'Load')!;
    const files = syntaxErrorsBlockingRun(graph, load.id).map((e) => e.file);
    expect(files).toContain('up.py');
    expect(files).not.toContain('other.py');
  });
});

describe('task states and downstream', () => {
  it('runs the final tasks downstream of a task, or the task itself when nothing requires it', () => {
    const graph = index({ 'up.py': upstream, 'down.py': downstream }).graph();
    const id = (name: string) => graph.tasks.find((t) => t.name === name)!.id;
    expect(downstreamRoots(graph, id('Extract')).map((t) => t.name).sort()).toEqual(['Audit', 'Report']);
    expect(downstreamRoots(graph, id('Report')).map((t) => t.name)).toEqual(['Report']);
  });

  it("keeps each family's newest state (history is newest first)", () => {
    const run = (status: string, at: string): RunRecord => ({
      runId: at, task: 'Load', file: 'down.py', params: {}, startedAt: at, status: 'X', success: false, cancelled: false, database: 'run-1-a',
      tasks: [{ id: `Load_${at}`, family: 'Load', status }],
    });
    const states = lastStateByFamily([run('failed', '2026-12-05T10:00:00Z'), run('succeeded', '2026-12-04T10:00:00Z')]);
    expect(states.get('Load')).toEqual({ status: 'failed', startedAt: '2026-12-05T10:00:00Z' });
  });

  it('lists the tables a task writes and its outputs name, once each', () => {
    const graph = index({ 'up.py': upstream }).graph();
    const task = { ...graph.tasks[0]!, tables: ['Orders'], outputs: [{ target: 'SpannerTarget', source: 'x', tables: ['Orders', 'Audit'] }] };
    expect(tablesOf(task)).toEqual(['Orders', 'Audit']);
  });
});

describe('notStartedRecord', () => {
  it('records an attempt that never started, with the reason and no database', () => {
    const record = notStartedRecord({ task: 'Load', file: '/ws/down.py', params: { day: '1' }, startedAt: new Date('2026-12-05T10:00:00Z'), reason: 'no image', fix: 'build it', code: 'IMAGE_MISSING' });
    expect(record).toMatchObject({ status: 'NOT_STARTED', success: false, database: '', tasks: [], notStarted: { reason: 'no image', fix: 'build it', code: 'IMAGE_MISSING' } });
    expect(record.runId).toMatch(/^not-started-/);
  });
});
