// A workspace that holds Luigi's own source (luigi's repository, or a copy vendored into a
// monorepo): `import luigi` then resolves to luigi/__init__.py in the workspace, where Task is a
// plain class. Tasks and parameters must still be known, as when Luigi is installed. The Luigi
// here is the real one, copied from the project's .venv (the pinned luigi 3.8.1).
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { indexWorkspace } from '../../../extension/core/analysis/workspace-files';
import { lintWorkspace } from '../../../extension/core/lint/workspace';

const REPO = path.resolve(__dirname, '..', '..', '..');
const VENV_LIB = path.join(REPO, '.venv', 'lib');
const INSTALLED_LUIGI = path.join(VENV_LIB, readdirSync(VENV_LIB).find((d) => d.startsWith('python3'))!, 'site-packages', 'luigi');

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'vendored-luigi-'));
  cpSync(INSTALLED_LUIGI, path.join(work, 'luigi'), { recursive: true, filter: (p) => !p.includes('__pycache__') });
  writeFileSync(
    path.join(work, 'pipeline.py'),
    [
      'import datetime',
      'import luigi',
      'from luigi import WrapperTask',
      '',
      '',
      'class Extract(luigi.ExternalTask):',
      '    day = luigi.DateParameter(default=datetime.date.today())',
      '',
      '',
      'class Load(luigi.Task):',
      '    day = luigi.DateParameter()',
      '',
      '    def requires(self):',
      '        return Extract(day=self.day)',
      '',
      '',
      'class All(WrapperTask):',
      '    def requires(self):',
      '        return Load(day=datetime.date(2024, 1, 1))',
      '',
    ].join('\n'),
  );
  // luigi/examples/terasort.py's shape: a contrib base reached through `import luigi.contrib.x`,
  // a Config section, and a unittest class with a run() method.
  writeFileSync(
    path.join(work, 'jobs.py'),
    [
      'import unittest',
      'import luigi',
      'import luigi.contrib.external_program',
      '',
      '',
      'class settings(luigi.Config):',
      '    retries = luigi.IntParameter(default=3)',
      '',
      '',
      'class Sort(luigi.contrib.external_program.ExternalProgramTask):',
      '    def program_args(self):',
      '        return ["sort"]',
      '',
      '',
      'class SortTest(unittest.TestCase):',
      '    def run(self, result=None):',
      '        return super().run(result)',
      '',
    ].join('\n'),
  );
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('a workspace holding Luigi itself', () => {
  test('the pipeline tasks, their kinds, parameters and edges are found', () => {
    const { index } = indexWorkspace(work, { paths: [path.join(work, 'pipeline.py')] });
    const graph = index.graph();
    const mine = graph.tasks.filter((t) => t.file === 'pipeline.py');
    expect(mine.map((t) => [t.name, t.kind])).toEqual([
      ['Extract', 'external'],
      ['Load', 'task'],
      ['All', 'wrapper'],
    ]);
    expect(mine.find((t) => t.name === 'Load')?.params.map((p) => p.name)).toEqual(['day']);
    expect(graph.edges).toEqual(expect.arrayContaining([
      expect.objectContaining({ from: 'pipeline.Extract', to: 'pipeline.Load' }),
      expect.objectContaining({ from: 'pipeline.Load', to: 'pipeline.All' }),
    ]));
  });

  test('the lint sees the task parameter that defaults to the wall clock', () => {
    const { findings } = lintWorkspace(work, { paths: [path.join(work, 'pipeline.py')] });
    expect(findings.filter((f) => f.file === 'pipeline.py').map((f) => [f.code, f.line])).toEqual([['LS004', 7]]);
  });

  test('a graph of some files shows their tasks, never Luigi\'s own classes, and follows `import luigi.contrib.x`', () => {
    const { index } = indexWorkspace(work, { paths: [path.join(work, 'jobs.py')] });
    const graph = index.graph();
    // Luigi's modules are the library: no Config sections, WrapperTask or contrib bases as tasks.
    expect(graph.tasks.map((t) => [t.file, t.name, t.kind])).toEqual([['jobs.py', 'Sort', 'task']]);
    // No unresolved contrib module, and no note on the unittest class (the standard library is no Luigi).
    expect(graph.diagnostics).toEqual([]);
  });
});
