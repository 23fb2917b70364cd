// The server's first index of a folder (extension/server/folder.ts): in slices with pauses between
// them, the modules an open document imports read before the rest, progress as it goes; and the
// lint engine's memory diet (a hash instead of each file's text) giving the same findings.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { FolderAnalysis } from '../../../extension/server/folder';
import { WorkspaceIndex } from '../../../extension/core/analysis/workspace-index';
import { Linter } from '../../../extension/core/lint/engine';
import { detached, hashText } from '../../../extension/core/memory';

let root: string;

const write = (file: string, text: string) => {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
};

const PIPELINE = `import luigi

from lib.base import SpannerStep


class Load(SpannerStep):
    def requires(self):
        return Extract()


class Extract(luigi.ExternalTask):
    pass
`;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'folder-load-'));
  // Forty modules that sort before the pipeline's, and the base class it imports, sorted last.
  for (let i = 0; i < 40; i++) write(`a_noise/mod_${String(i).padStart(2, '0')}.py`, `def f${i}():\n    return ${i}\n`);
  write('lib/__init__.py', '');
  write('lib/base.py', 'import luigi\n\n\nclass SpannerStep(luigi.Task):\n    def complete(self):\n        return False\n');
  write('pipeline.py', PIPELINE);
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('FolderAnalysis.load', () => {
  test('an open document and what it imports are indexed first; the rest follows in slices, with progress', async () => {
    const analysis = new FolderAnalysis(root, 'file:///folder', { config: {}, migrationsDir: undefined });
    analysis.setOpenText('pipeline.py', PIPELINE);
    const atFirstPause: { base: boolean; noise: number; loading: boolean; lensTask: string | undefined }[] = [];
    const progress: Array<[number, number]> = [];
    await analysis.load({
      sliceMs: 0,
      pause: async () => {
        if (atFirstPause.length === 0) {
          const noise = analysis.index.files().filter((f) => f.startsWith('a_noise/')).length;
          const load = analysis.index.tasksInFile('pipeline.py').find((t) => t.name === 'Load');
          atFirstPause.push({ base: analysis.index.has('lib/base.py'), noise, loading: analysis.loading, lensTask: load?.name });
        }
        await new Promise((resolve) => setImmediate(resolve));
      },
      progress: (done, total) => progress.push([done, total]),
    });
    // The base class was read in the first slice, before any of the forty modules that sort first:
    // the open file's task is recognised through it at once.
    expect(atFirstPause).toEqual([{ base: true, noise: 0, loading: true, lensTask: 'Load' }]);
    expect(analysis.loading).toBe(false);
    expect(analysis.index.files()).toHaveLength(43);
    expect(progress.at(-1)).toEqual([43, 43]);
    expect(progress.map(([done]) => done)).toEqual([...progress.map(([done]) => done)].sort((a, b) => a - b));
    expect(progress.length).toBeGreaterThan(40);
  });

  test('a document opened while the folder loads moves its imports to the front', async () => {
    const analysis = new FolderAnalysis(root, 'file:///folder', { config: {}, migrationsDir: undefined });
    let pauses = 0;
    let baseAfterOpen: { noise: number; base: boolean } | undefined;
    await analysis.load({
      sliceMs: 0,
      pause: async () => {
        pauses++;
        if (pauses === 2) analysis.setOpenText('pipeline.py', PIPELINE);
        if (pauses === 3) baseAfterOpen = { noise: analysis.index.files().filter((f) => f.startsWith('a_noise/')).length, base: analysis.index.has('lib/base.py') };
      },
    });
    expect(baseAfterOpen).toEqual({ noise: 2, base: true });
    expect(analysis.index.tasksInFile('pipeline.py').map((t) => t.name).sort()).toEqual(['Extract', 'Load']);
  });

  test('a file that cannot be read is recorded, the others indexed', async () => {
    write('binary.py', '\u0000\u0001 not python');
    const analysis = new FolderAnalysis(root, 'file:///folder', { config: {}, migrationsDir: undefined });
    await analysis.load({ pause: async () => {} });
    expect(analysis.index.files()).toContain('pipeline.py');
    expect(analysis.index.graph().diagnostics.filter((d) => d.file === 'binary.py').map((d) => d.code)).toEqual(['skipped-file']);
  });
});

describe('lint without keeping texts', () => {
  const SOURCE = `import luigi
from google.cloud import spanner


class Write(luigi.Task):
    def run(self):
        def work(transaction):
            transaction.insert("Orders", ["OrderId"], [(1,)])

        spanner.Client().instance("i").database("d").run_in_transaction(work)
`;

  test('the same findings and quick fixes as with texts kept; a changed text is linted again', () => {
    const kept = new WorkspaceIndex({ root: '/w' });
    kept.setFile('p.py', SOURCE);
    const withTexts = new Linter({ index: kept }).lintPythonFile('p.py', SOURCE);
    const bare = new WorkspaceIndex({ root: '/w', keepTrees: false });
    bare.setFacts('p.py', detached(new WorkspaceIndex({ root: '/w', keepTrees: false }).setFile('p.py', SOURCE)));
    const linter = new Linter({ index: bare, keepTrees: false });
    const first = linter.lintPythonFile('p.py', SOURCE);
    expect(first.length).toBeGreaterThan(0);
    expect(first).toEqual(withTexts);
    expect(first.flatMap((f) => f.fixes ?? []).some((fix) => fix.title.startsWith('Suppress'))).toBe(true);
    expect(linter.lintPythonFile('p.py', SOURCE)).toEqual(first);
    const onInsert = first.find((f) => f.line === 8)!;
    const suppressed = SOURCE.replace('[(1,)])', `[(1,)])  # luigi-spanner: ignore[${onInsert.code}]`);
    const codes = (text: string) => linter.lintPythonFile('p.py', text).map((f) => `${f.code}@${f.line}`);
    expect(codes(suppressed)).toEqual(codes(SOURCE).filter((c) => c !== `${onInsert.code}@8`));
    expect(codes(SOURCE)).toEqual(first.map((f) => `${f.code}@${f.line}`));
  });

  test('hashText tells texts apart by content and length', () => {
    expect(hashText('class A:\n    pass\n')).toBe(hashText('class A:\n    pass\n'));
    expect(hashText('class A:\n    pass\n')).not.toBe(hashText('class B:\n    pass\n'));
    expect(hashText('ab')).not.toBe(hashText('ba'));
    expect(hashText('')).not.toBe(hashText('\u0000'));
  });
});
