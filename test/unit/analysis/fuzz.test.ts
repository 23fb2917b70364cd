// Unbreakable on broken input: seeded mutants of real Luigi files (test/fixtures/fuzz, copied
// from spotify/luigi) go through the code paths of `graph` (indexWorkspaceParallel with a facts
// worker) and `lint` (lintWorkspace). Nothing may throw, every intact file's results must stand,
// and no file may take unbounded time. bench/fuzz.mjs runs thousands at the full sizes.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pythonMutants, MUTATION_KINDS } from '../../../bench/python-mutants';
import { ANALYSIS_FAILED } from '../../../extension/core/analysis/analysis-failure';
import { FactsCache, contentHash } from '../../../extension/core/analysis/facts-cache';
import { FACTS_FORMAT } from '../../../extension/core/analysis/module-facts';
import type { Tree } from '../../../extension/core/analysis/python-parser';
import { FACTS_WORKER_DATA } from '../../../extension/core/analysis/facts-worker';
import { indexWorkspace, indexWorkspaceParallel } from '../../../extension/core/analysis/workspace-files';
import { decodePython } from '../../../extension/core/analysis/source-files';
import { WorkspaceIndex } from '../../../extension/core/analysis/workspace-index';
import { Linter } from '../../../extension/core/lint/engine';
import { lintWorkspace } from '../../../extension/core/lint/workspace';

const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures', 'fuzz');
const SOURCES = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.py'))
  .sort()
  .map((name) => ({ name, text: readFileSync(path.join(FIXTURES, name), 'utf8') }));
// Smaller than the sizes (bench/fuzz.mjs uses those) but past every walk's limit:
// nesting beyond MAX_NESTING (1,000), chains of 12,000, lines of 120,000 characters.
const SCALE = { depth: [1200, 3000] as [number, number], terms: 12_000, lineChars: 120_000 };
const MUTANTS = pythonMutants(SOURCES, 200, 20261205, SCALE);
/** A generous bound on one file's analysis: a hang, not a slow machine, should trip it. */
const PER_FILE_MS = 15_000;

let work: string;
let workerScript: string;
let root: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'fuzz-'));
  workerScript = path.join(work, 'analysis-worker.js');
  await build({ entryPoints: [path.resolve(__dirname, '../../../extension/core/analysis/facts-worker.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: workerScript, logLevel: 'error' });
  // The mutants, and each seed file intact beside them (in its own folder, as in a real repository).
  root = path.join(work, 'ws');
  mkdirSync(path.join(root, 'mutants'), { recursive: true });
  mkdirSync(path.join(root, 'intact'));
  for (const m of MUTANTS) writeFileSync(path.join(root, 'mutants', `${m.name}.py`), m.bytes);
  for (const s of SOURCES) writeFileSync(path.join(root, 'intact', s.name), s.text);
}, 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * Whether a parser tree has nodes whose type is missing (reading their name throws): what
 * @lezer/common's flat build of trees deeper than 2,500 levels gave on chains and unclosed
 * brackets before extension/core/python/deep-trees.ts (test/unit/python/deep-trees.test.ts).
 */
function treeHasUntypedNodes(tree: Tree | undefined): boolean {
  if (!tree) return false;
  const pending = [tree.topNode];
  while (pending.length > 0) {
    const node = pending.pop()!;
    try {
      void node.name;
    } catch {
      return true;
    }
    for (let child = node.firstChild; child; child = child.nextSibling) pending.push(child);
  }
  return false;
}

/** The intact seeds alone: what must stand whatever sits beside them. */
function intactGraph() {
  const dir = path.join(work, 'alone');
  mkdirSync(path.join(dir, 'intact'), { recursive: true });
  for (const s of SOURCES) writeFileSync(path.join(dir, 'intact', s.name), s.text);
  return indexWorkspace(dir, { keepTrees: false }).index.graph();
}

describe('seeded mutants of real Luigi files', () => {
  it('cover every kind of damage', () => {
    expect(new Set(MUTANTS.map((m) => m.kind))).toEqual(new Set(MUTATION_KINDS));
    expect(MUTANTS.length).toBeGreaterThanOrEqual(200);
  });

  it('each file: indexed and linted without a throw, in bounded time; the graph never needs the per-file net', () => {
    const slow: string[] = [];
    for (const mutant of MUTANTS) {
      const source = decodePython(mutant.bytes);
      if ('skipped' in source) {
        expect(mutant.kind, `${mutant.name}: only the non-UTF-8 mutants are skipped`).toBe('non-utf8');
        continue;
      }
      const index = new WorkspaceIndex();
      const file = `${mutant.name}.py`;
      const started = performance.now();
      index.setFile(file, source.text);
      const graph = index.graph();
      const findings = new Linter({ index }).lintPythonFile(file, source.text);
      const ms = performance.now() - started;
      if (ms > PER_FILE_MS) slow.push(`${mutant.name} (${mutant.detail}): ${Math.round(ms)} ms`);
      // The walks are bounded, so nothing should even reach the per-file net.
      expect(graph.diagnostics.filter((d) => d.code === ANALYSIS_FAILED), `${mutant.name} (${mutant.detail})`).toEqual([]);
      // No file may reach the per-file net: every tree has typed nodes, and the lint reads it all.
      expect(treeHasUntypedNodes(index.tree(file)), `${mutant.name} (${mutant.detail}): a node without a type`).toBe(false);
      expect(findings.filter((f) => f.code === ANALYSIS_FAILED), `${mutant.name} (${mutant.detail})`).toEqual([]);
    }
    expect(slow).toEqual([]);
  }, 600_000);

  it('graph over the folder (main thread and a facts worker): the intact files give the same tasks and edges as alone', async () => {
    const alone = intactGraph();
    const { index } = await indexWorkspaceParallel(root, {
      keepTrees: false,
      workers: 1,
      parallelFromBytes: 0,
      startWorker: () => new Worker(workerScript, { workerData: FACTS_WORKER_DATA }),
    });
    const graph = index.graph();
    const intact = (id: string) => id.startsWith('intact.');
    expect(graph.tasks.filter((t) => intact(t.id))).toEqual(alone.tasks);
    expect(graph.edges.filter((e) => intact(e.to))).toEqual(alone.edges);
    expect(graph.diagnostics.filter((d) => d.code === ANALYSIS_FAILED)).toEqual([]);
    // Every mutant file is accounted for: indexed, or skipped with the reason.
    const skipped = new Set(graph.diagnostics.filter((d) => d.code === 'skipped-file').map((d) => d.file));
    for (const m of MUTANTS) expect(index.has(`mutants/${m.name}.py`) || skipped.has(`mutants/${m.name}.py`), m.name).toBe(true);
  }, 600_000);

  it('lint over the folder: the intact files give the same findings as alone', () => {
    const alone = lintWorkspace(path.join(work, 'alone')).findings.map((f) => `${f.code} ${f.file}:${f.line}`);
    const all = lintWorkspace(root).findings;
    expect(all.filter((f) => f.file.startsWith('intact/')).map((f) => `${f.code} ${f.file}:${f.line}`)).toEqual(alone);
    expect(all.filter((f) => f.code === ANALYSIS_FAILED)).toEqual([]);
  }, 600_000);
});

describe('a file whose analysis throws', () => {
  it('graph: becomes one analysis-failed diagnostic, the other files stand (a damaged facts cache)', async () => {
    const dir = mkdtempSync(path.join(work, 'cache-'));
    for (const s of SOURCES) writeFileSync(path.join(dir, s.name), s.text);
    // A cache entry of the right version and hash but the wrong shape (an edited or damaged cache file).
    const cacheFolder = path.join(dir, '.cache');
    const cache = FactsCache.open(dir, cacheFolder);
    const damaged = 'hello_world.py';
    cache.set(damaged, contentHash(readFileSync(path.join(dir, damaged))), { classes: [{ name: 'HelloWorldTask' }], imports: [], values: [], syntaxErrors: [], lineCount: 1 } as never);
    cache.save();
    expect(JSON.parse(readFileSync(cache.file, 'utf8')).format).toBe(FACTS_FORMAT);

    const { index } = await indexWorkspaceParallel(dir, { cache: FactsCache.open(dir, cacheFolder) });
    const graph = index.graph();
    const failed = graph.diagnostics.filter((d) => d.code === ANALYSIS_FAILED);
    expect(failed.map((d) => `${d.file}:${d.line}:${d.severity}`)).toEqual([`${damaged}:1:error`]);
    expect(failed[0]!.message).toMatch(/^Not analysed: the analysis failed on this file \(.+\)/);
    const alone = indexWorkspace(dir, { paths: SOURCES.filter((s) => s.name !== damaged).map((s) => path.join(dir, s.name)), followImports: false }).index.graph();
    expect(graph.tasks).toEqual(alone.tasks);
    expect(graph.edges).toEqual(alone.edges);
  });

  it('lint: becomes one analysis-failed finding, the other files are linted as usual', () => {
    const index = new WorkspaceIndex();
    for (const s of SOURCES) index.setFile(s.name, s.text);
    const linter = new Linter({ index });
    const before = linter.lintPythonFile('wordcount.py', SOURCES.find((s) => s.name === 'wordcount.py')!.text);
    // Facts that do not match the shape extraction gives, as a damaged facts cache hands them over.
    index.setFacts('broken.py', { classes: [], imports: [], values: [], syntaxErrors: null, lineCount: 1 } as never);
    const findings = linter.lintPythonFile('broken.py', 'class Broken(object):\n    pass\n');
    expect(findings.map((f) => `${f.code}:${f.severity}:${f.line}`)).toEqual([`${ANALYSIS_FAILED}:error:1`]);
    expect(linter.lintPythonFile('wordcount.py', SOURCES.find((s) => s.name === 'wordcount.py')!.text)).toEqual(before);
  });
});
