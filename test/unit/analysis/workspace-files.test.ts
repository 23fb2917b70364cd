// Reading a workspace from disk: what is skipped and why, following imports, worker threads.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserFacingError } from '../../../extension/core/errors';
import { FactsCache } from '../../../extension/core/analysis/facts-cache';
import { FACTS_WORKER_DATA } from '../../../extension/core/analysis/facts-worker';
import { findPythonFiles, indexWorkspace, indexWorkspaceParallel, MAX_FILE_BYTES } from '../../../extension/core/analysis/workspace-files';

const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures', 'graph');
const TASK = 'import luigi\n\n\nclass Kept(luigi.Task):\n    pass\n';

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'graph-files-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function workspace(name: string, files: Record<string, string | Buffer>): string {
  const root = path.join(scratch, name);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
  return root;
}

describe('findPythonFiles', () => {
  it('skips virtual environments, node_modules, caches, hidden and site-packages folders', () => {
    const root = workspace('walk', {
      'pkg/tasks.py': TASK,
      'pkg/sub/more.py': TASK,
      'notes.txt': 'not python',
      '.venv/lib/x.py': TASK,
      'node_modules/m/x.py': TASK,
      '.git/hooks/x.py': TASK,
      'pkg/__pycache__/x.py': TASK,
      'lib/site-packages/x.py': TASK,
      'my-env/pyvenv.cfg': 'home = /usr/bin',
      'my-env/lib/x.py': TASK,
    });
    expect(findPythonFiles(root).map((f) => path.relative(root, f))).toEqual(['pkg/sub/more.py', 'pkg/tasks.py']);
  });
});

describe('indexWorkspace', () => {
  it('skips binary, huge and non-UTF-8 files with a diagnostic and keeps the rest', () => {
    const root = workspace('skips', {
      'good.py': TASK,
      'binary.py': Buffer.from([0x69, 0x6d, 0x00, 0x01, 0x02]),
      'latin1.py': Buffer.from('# caf\xe9\nimport luigi\n', 'latin1'),
      'huge.py': `# ${'x'.repeat(MAX_FILE_BYTES)}\n`,
      'bom.py': `\ufeff${TASK.replace('Kept', 'WithBom')}`,
    });
    const graph = indexWorkspace(root).index.graph();
    expect(graph.tasks.map((t) => t.id)).toEqual(['bom.WithBom', 'good.Kept']);
    expect(graph.diagnostics.map((d) => [d.file, d.line, d.severity, d.code, d.message])).toEqual([
      ['binary.py', 1, 'warning', 'skipped-file', 'Skipped: binary file (contains NUL bytes)'],
      ['huge.py', 1, 'warning', 'skipped-file', 'Skipped: 2.0 MB is larger than the 2 MB analysed per file'],
      ['latin1.py', 1, 'warning', 'skipped-file', 'Skipped: not valid UTF-8 (re-save the file as UTF-8 to analyse it)'],
    ]);
  });

  it('follows imports out of the given paths, unless told not to', () => {
    const followed = indexWorkspace(FIXTURES, { paths: ['orders/reports.py'] });
    expect(followed.files).toEqual(['orders/__init__.py', 'orders/aggregates.py', 'orders/exports.py', 'orders/loads.py', 'orders/reports.py', 'orders/settings.py']);
    const upstream = followed.index.graph().edges.filter((e) => e.to === 'orders.reports.RevenueReport');
    expect(upstream.map((e) => e.from)).toEqual(['orders.aggregates.DailyRevenue']);

    const alone = indexWorkspace(FIXTURES, { paths: ['orders/reports.py'], followImports: false });
    expect(alone.files).toEqual(['orders/reports.py']);
    // What was left out is outside the analysed files, not missing: the folder may hold more.
    const codes = alone.index.graph().diagnostics.map((d) => d.code);
    expect(codes).toContain('external-reference');
    expect(codes).not.toContain('unresolved-import');
  });

  it('says how to fix a missing path, a path outside the root, a missing root', () => {
    const fail = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return error as UserFacingError;
      }
      throw new Error('did not fail');
    };
    const missing = fail(() => indexWorkspace(FIXTURES, { paths: ['nope'] }));
    expect(missing).toBeInstanceOf(UserFacingError);
    expect(missing.message).toContain('does not exist');
    const outside = fail(() => indexWorkspace(path.join(FIXTURES, 'forms'), { paths: [path.join(FIXTURES, 'orders')] }));
    expect(outside.message).toContain('is outside the root');
    expect(outside.fix).toContain('--root');
    expect(fail(() => indexWorkspace(path.join(scratch, 'no-such-root'))).message).toContain('Root folder');
  });
});

describe('the facts cache', () => {
  it('parses only what changed since the last run, and forgets deleted files', () => {
    const root = path.join(scratch, 'cached');
    cpSync(path.join(FIXTURES, 'orders'), path.join(root, 'orders'), { recursive: true });
    const folder = path.join(scratch, 'cache-folder');
    const run = () => {
      const cache = FactsCache.open(root, folder);
      const { index } = indexWorkspace(root, { cache, keepTrees: false });
      return { cache, graph: index.graph() };
    };
    const first = run();
    expect(first.cache.stats).toEqual({ hits: 0, misses: 6 });
    const second = run();
    expect(second.cache.stats).toEqual({ hits: 6, misses: 0 });
    expect(second.graph).toEqual(first.graph);

    const reports = path.join(root, 'orders', 'reports.py');
    writeFileSync(reports, readFileSync(reports, 'utf8').replace('agg.DailyRevenue(batch=self.batch)', 'agg.TopCustomers(batch=self.batch)'));
    rmSync(path.join(root, 'orders', 'settings.py'));
    const third = run();
    expect(third.cache.stats).toEqual({ hits: 4, misses: 1 });
    expect(third.graph).toEqual(indexWorkspace(root).index.graph());
    const saved = JSON.parse(readFileSync(third.cache.file, 'utf8')) as { entries: Record<string, unknown> };
    expect(Object.keys(saved.entries).sort()).toEqual(['orders/__init__.py', 'orders/aggregates.py', 'orders/exports.py', 'orders/loads.py', 'orders/reports.py']);
  });

  it('ignores a damaged cache file or one of another format', () => {
    const root = workspace('cache-damage', { 'a.py': TASK });
    const folder = path.join(scratch, 'cache-damage-folder');
    FactsCache.open(root, folder); // nothing there yet
    indexWorkspace(root, { cache: FactsCache.open(root, folder) });
    const [file] = readdirSync(folder);
    writeFileSync(path.join(folder, file!), '{"format": 1, "entries": ');
    expect(indexWorkspace(root, { cache: FactsCache.open(root, folder) }).index.graph().tasks.map((t) => t.id)).toEqual(['a.Kept']);
    writeFileSync(path.join(folder, file!), JSON.stringify({ format: -1, entries: { 'a.py': { hash: 'x', facts: {} } } }));
    const cache = FactsCache.open(root, folder);
    indexWorkspace(root, { cache });
    expect(cache.stats).toEqual({ hits: 0, misses: 1 });
  });
});

describe('indexWorkspaceParallel', () => {
  let bundle: string;
  beforeAll(async () => {
    // The worker needs JavaScript: bundle the analysis core the way the CLI build does.
    bundle = path.join(scratch, 'analysis.cjs');
    await esbuild.build({
      entryPoints: [path.resolve(__dirname, '../../../extension/core/analysis/index.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: bundle,
      logLevel: 'warning',
    });
  });

  it('gives the same graph with worker threads as on one thread', async () => {
    const root = path.join(scratch, 'parallel');
    cpSync(FIXTURES, root, { recursive: true });
    writeFileSync(path.join(root, 'binary.py'), Buffer.from([0, 1, 2]));
    let started = 0;
    const { index } = await indexWorkspaceParallel(root, {
      workers: 2,
      parallelFromBytes: 0,
      startWorker: () => {
        started++;
        return new Worker(bundle, { workerData: FACTS_WORKER_DATA });
      },
    });
    expect(started).toBe(2);
    expect(index.graph()).toEqual(indexWorkspace(root).index.graph());
    expect(index.graph().diagnostics.some((d) => d.file === 'binary.py' && d.code === 'skipped-file')).toBe(true);

    // With a cache: workers fill it, the next run needs no parsing at all.
    const folder = path.join(scratch, 'parallel-cache');
    const startWorker = () => new Worker(bundle, { workerData: FACTS_WORKER_DATA });
    const cold = FactsCache.open(root, folder);
    const filled = await indexWorkspaceParallel(root, { workers: 1, parallelFromBytes: 0, startWorker, cache: cold });
    const warm = FactsCache.open(root, folder);
    const reused = await indexWorkspaceParallel(root, { workers: 1, parallelFromBytes: 0, startWorker, cache: warm });
    expect(cold.stats.hits).toBe(0);
    expect(warm.stats).toEqual({ hits: cold.stats.misses, misses: 0 });
    expect(reused.index.graph()).toEqual(filled.index.graph());
    expect(reused.index.graph()).toEqual(index.graph());
  });

  it('stays on this thread for small workspaces', async () => {
    let started = 0;
    await indexWorkspaceParallel(FIXTURES, {
      startWorker: () => {
        started++;
        return new Worker(bundle, { workerData: FACTS_WORKER_DATA });
      },
    });
    expect(started).toBe(0);
  });
});
