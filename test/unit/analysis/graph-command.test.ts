// `luigi-spanner graph` through commander, as the CLI runs it, and its DOT / Mermaid renderings.
import { Command } from 'commander';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerGraphCommand } from '../../../extension/cli/commands/graph';
import { withLineage } from '../../../extension/core/analysis/lineage';
import { toDot, toMermaid } from '../../../extension/core/analysis/render';
import type { GraphJson } from '../../../extension/core/analysis/types';
import { indexWorkspace } from '../../../extension/core/analysis/workspace-files';

const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures', 'graph');

async function runGraph(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const program = new Command().exitOverride();
  registerGraphCommand(program);
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    await program.parseAsync(['node', 'luigi-spanner', 'graph', ...args]);
  } finally {
    vi.restoreAllMocks();
  }
  return { stdout, stderr };
}

describe('luigi-spanner graph', () => {
  let cacheFolder: string;
  beforeAll(() => {
    cacheFolder = mkdtempSync(path.join(os.tmpdir(), 'graph-cache-'));
    vi.stubEnv('LUIGI_SPANNER_CACHE_DIR', cacheFolder);
  });
  afterAll(() => {
    vi.unstubAllEnvs();
    rmSync(cacheFolder, { recursive: true, force: true });
  });
  afterEach(() => vi.restoreAllMocks());

  it('keeps facts in the cache folder for the next run, unless --no-cache', async () => {
    const first = await runGraph([path.join(FIXTURES, 'forms'), '--root', FIXTURES]);
    expect(readdirSync(cacheFolder).filter((f) => f.startsWith('graph-facts-'))).toHaveLength(1);
    const second = await runGraph([path.join(FIXTURES, 'forms'), '--root', FIXTURES]);
    const uncached = await runGraph([path.join(FIXTURES, 'forms'), '--root', FIXTURES, '--no-cache']);
    expect(second.stdout).toBe(first.stdout);
    expect(uncached.stdout).toBe(first.stdout);
  });

  it('prints the JSON graph of the given paths, files relative to --root', async () => {
    const { stdout } = await runGraph([path.join(FIXTURES, 'orders'), '--root', FIXTURES, '--format', 'json']);
    const graph = JSON.parse(stdout) as GraphJson;
    expect(graph).toEqual(withLineage(indexWorkspace(FIXTURES, { paths: ['orders'] }).index.graph()));
    expect(graph.tasks.every((t) => t.file.startsWith('orders/'))).toBe(true);
  });

  it('defaults to JSON and the current folder as root', async () => {
    const cwd = process.cwd();
    process.chdir(FIXTURES);
    try {
      const { stdout } = await runGraph(['errors/cycle.py']);
      const graph = JSON.parse(stdout) as GraphJson;
      expect(graph.tasks.map((t) => t.id)).toEqual(['errors.cycle.CycleA', 'errors.cycle.CycleB', 'errors.cycle.CycleC', 'errors.cycle.Daily']);
      expect(graph.diagnostics.filter((d) => d.code === 'dependency-cycle')).toHaveLength(3);
    } finally {
      process.chdir(cwd);
    }
  });

  it('prints DOT and Mermaid, with diagnostics on stderr', async () => {
    const dot = await runGraph([path.join(FIXTURES, 'errors', 'cycle.py'), '--root', FIXTURES, '--format', 'dot']);
    expect(dot.stdout).toContain('"errors.cycle.CycleB" -> "errors.cycle.CycleA";');
    expect(dot.stderr).toContain('errors/cycle.py:7: warning: Dependency cycle: CycleA → CycleB → CycleC → CycleA');
    const mermaid = await runGraph([path.join(FIXTURES, 'orders'), '--root', FIXTURES, '--format', 'mermaid']);
    expect(mermaid.stdout.startsWith('flowchart LR\n')).toBe(true);
    expect(mermaid.stderr).toBe('');
  });

  it('rejects an unknown format and a missing path with a fix', async () => {
    await expect(runGraph(['--format', 'png'])).rejects.toThrow(/Allowed choices are json, dot, mermaid, svg/);
    await expect(runGraph([path.join(FIXTURES, 'missing'), '--root', FIXTURES])).rejects.toMatchObject({
      message: expect.stringContaining('does not exist'),
      fix: expect.stringContaining('Check the path'),
    });
  });
});

describe('toDot and toMermaid', () => {
  const graph: GraphJson = {
    tasks: [
      { id: 'p.a.Load', name: 'Load', kind: 'task', file: 'p/a.py', line: 1, params: [], outputs: [], module: 'p.a' },
      { id: 'p.a.Raw', name: 'Raw "x"', kind: 'external', file: 'p/a.py', line: 5, params: [], outputs: [], module: 'p.a' },
      { id: 'p.b.All', name: 'All', kind: 'wrapper', file: 'p/b.py', line: 1, params: [], outputs: [], module: 'p.b' },
    ],
    edges: [
      { from: 'p.a.Raw', to: 'p.a.Load', kind: 'requires' },
      { from: 'p.a.Load', to: 'p.b.All', kind: 'dynamic' },
    ],
    diagnostics: [],
  };

  it('renders DOT with one cluster per module, escaped labels and dashed dynamic edges', () => {
    expect(toDot(graph)).toBe(
      [
        'digraph pipeline {',
        '  rankdir=LR;',
        '  node [shape=box, fontname="Helvetica"];',
        '  subgraph cluster_0 {',
        '    label="p.a";',
        '    "p.a.Load" [label="Load", style="rounded"];',
        '    "p.a.Raw" [label="Raw \\"x\\"", style="rounded,filled", fillcolor="#eeeeee"];',
        '  }',
        '  subgraph cluster_1 {',
        '    label="p.b";',
        '    "p.b.All" [label="All", style="rounded,dashed"];',
        '  }',
        '  "p.a.Raw" -> "p.a.Load";',
        '  "p.a.Load" -> "p.b.All" [style=dashed, label="dynamic"];',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('renders Mermaid with plain node ids, a shape per kind and dotted dynamic edges', () => {
    expect(toMermaid(graph)).toBe(
      [
        'flowchart LR',
        '  subgraph m0["p.a"]',
        '    t0["Load"]',
        '    t1(["Raw #quot;x#quot;"])',
        '  end',
        '  subgraph m1["p.b"]',
        '    t2[["All"]]',
        '  end',
        '  t1 --> t0',
        '  t0 -.->|dynamic| t2',
        '',
      ].join('\n'),
    );
  });
});
