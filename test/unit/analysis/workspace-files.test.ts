// Reading a workspace from disk: what is skipped and why, following imports, worker threads.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserFacingError } from '../../../extension/core/errors';
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
    expect(alone.index.graph().diagnostics.map((d) => d.code)).toContain('unresolved-import');
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
