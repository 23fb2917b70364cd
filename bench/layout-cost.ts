// What ELK costs on the graphs the benches generate, each laid out as the language server lays it
// out (core/graphLayout: split into components, jobs planned, runLayoutJob), in a fresh process
// with the layout worker's heap cap (server/layoutWorker.ts LAYOUT_WORKER_LIMITS) or the one given:
// per graph, its layers and ELK's dummy nodes as layering.ts counts them, whether it is laid out
// flat or in bands (bands.ts), ELK's time and the process's peak RSS; and beside it the time of the
// layered approximation a new panel paints first (approx.ts), for the whole workspace view, median of
// 5 in this process. `--flat` lays every component out flat, as before bands, to see what they save
// (those graphs run out of the cap).
// Usage: node bench/layout-cost.mjs [--cap MB] [--flat] [--only NAME]
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { GraphJson } from '../extension/core/analysis/types';
import { approximateComponents } from '../extension/core/graphLayout/approx';
import { planBands } from '../extension/core/graphLayout/bands';
import { splitComponents } from '../extension/core/graphLayout/components';
import { buildLayoutJob, readLayoutJob, runLayoutJob, type LayoutJobSpec } from '../extension/core/graphLayout/elk';
import { dummyCount, layerNodes } from '../extension/core/graphLayout/layering';
import { layoutGraph } from '../extension/core/graphLayout/layout';
import type { ComponentLayout } from '../extension/core/graphLayout/types';
import { buildVisibleGraph, indexGraph } from '../extension/core/graphLayout/viewModel';
import { generateGraph } from '../test/browser/fixtures/generatedGraph';
import { generateLuigiPipeline } from '../test/support/luigiPipeline';
import { moduleChainGraph } from '../test/support/moduleChainGraph';

/** graph-compare's pipeline as a GraphJson: its tasks in one module, FinalTask requiring the sinks. */
function comparePipeline(tasks: number): GraphJson {
  const pipeline = generateLuigiPipeline(tasks);
  const id = (name: string) => `pipeline.${name}`;
  const names = [...pipeline.names, pipeline.final];
  const required = new Set(pipeline.edges.map(([from]) => from));
  const edges = pipeline.edges.map(([from, to]) => ({ from: id(pipeline.names[from]!), to: id(pipeline.names[to]!), kind: 'requires' as const }));
  pipeline.names.forEach((name, i) => {
    if (!required.has(i)) edges.push({ from: id(name), to: id(pipeline.final), kind: 'requires' });
  });
  return {
    tasks: names.map((name, i) => ({ id: id(name), name, kind: 'task' as const, file: 'pipeline.py', line: i + 1, params: [], outputs: [], module: 'pipeline' })),
    edges,
    diagnostics: [],
  };
}

const GRAPHS: Record<string, () => GraphJson> = {
  'graph.mjs 100x10 (lsp.mjs --corpus)': () => moduleChainGraph(100),
  'graph.mjs 200x10 (lsp.mjs part 1)': () => moduleChainGraph(200),
  'graph-compare 1,000': () => comparePipeline(1000),
  'graph-compare 3,000': () => comparePipeline(3000),
  'graph-view 3,000 pipeline': () => generateGraph({ tasks: 3000, seed: 1 }),
  'graph-view 1,000 random': () => generateGraph({ tasks: 1000, seed: 1, shape: 'random' }),
};

/** The jobs the layout service would run for the workspace view of `graph`. */
async function jobsOf(graph: GraphJson): Promise<LayoutJobSpec[]> {
  const jobs: LayoutJobSpec[] = [];
  const visible = buildVisibleGraph(indexGraph(graph), { scope: { kind: 'workspace' } });
  const stub = (job: LayoutJobSpec): ComponentLayout[] =>
    job.components.map((c) => ({ key: c.key, width: 0, height: 0, nodes: Object.fromEntries(c.nodes.map((n) => [n.id, [0, 0, n.width, n.height]])), edges: Object.fromEntries(c.edges.map((e) => [e.id, []])) }));
  await layoutGraph(visible, 'RIGHT', { runner: { run: async (js) => (jobs.push(...js), js.map(stub)) } });
  return jobs;
}

/** The layered approximation of the workspace view's components (what a new panel paints before ELK's layout), median of 5. */
function approximationMs(graph: GraphJson): number {
  const components = splitComponents(buildVisibleGraph(indexGraph(graph), { scope: { kind: 'workspace' } }), 'RIGHT');
  const times = Array.from({ length: 5 }, () => {
    const started = performance.now();
    approximateComponents(components, 'RIGHT');
    return performance.now() - started;
  }).sort((a, b) => a - b);
  return times[2]!;
}

/**
 * server/layoutWorker.ts LAYOUT_WORKER_LIMITS.maxOldGenerationSizeMb (not imported: that module's
 * node:module import collides with run-ts.mjs's banner in the bundle).
 */
const WORKER_CAP_MB = 384;

const arg = (name: string) => (process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1] : undefined);

async function child(name: string, flat: boolean): Promise<void> {
  // `require` is run-ts.mjs's, resolving from the repository.
  const ELK = require('elkjs/lib/elk.bundled.js') as new () => { layout(graph: unknown): Promise<never> };
  const elk = new ELK();
  const jobs = await jobsOf(GRAPHS[name]!());
  const started = performance.now();
  for (const job of jobs) {
    if (flat) readLayoutJob(job.components, await elk.layout(buildLayoutJob(job.components, job.direction)));
    else await runLayoutJob((graph) => elk.layout(graph), job);
  }
  const ms = performance.now() - started;
  const peak = Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;
  process.stdout.write(JSON.stringify({ ms, peak }));
}

async function main(): Promise<void> {
  const cap = Number(arg('cap') ?? WORKER_CAP_MB);
  const flat = process.argv.includes('--flat');
  console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; ELK heap cap ${cap} MB${flat ? '; every component flat (--flat)' : ''}`);
  for (const name of Object.keys(GRAPHS)) {
    if (arg('only') && !name.includes(arg('only')!)) continue;
    const jobs = await jobsOf(GRAPHS[name]!());
    const components = jobs.flatMap((j) => j.components);
    const largest = components.reduce((a, b) => (b.nodes.length > a.nodes.length ? b : a));
    const index = new Map(largest.nodes.map((n, i) => [n.id, i]));
    const edges = largest.edges.map((e) => [index.get(e.from)!, index.get(e.to)!] as const);
    const layer = layerNodes(largest.nodes.length, edges);
    const plan = planBands(largest);
    const run = spawnSync(process.execPath, [`--max-old-space-size=${cap}`, '--max-semi-space-size=16', fileURLToPath(import.meta.url), '--child', name, ...(flat ? ['--flat'] : [])], { encoding: 'utf8', timeout: 600_000 });
    const result = run.status === 0 ? (JSON.parse(run.stdout) as { ms: number; peak: number }) : undefined;
    const outcome = result ? `ELK ${(result.ms / 1000).toFixed(1)} s, peak RSS ${result.peak.toFixed(0)} MB` : /heap out of memory/i.test(run.stderr) ? 'ran out of the heap cap' : `failed (${run.status ?? run.signal})`;
    const how = flat || !plan ? 'flat' : `${plan.bands} bands, costliest level ~${plan.cost.toLocaleString('en')}`;
    console.log(
      `${name}: ${largest.nodes.length} nodes, ${largest.edges.length} edges, ${Math.max(...layer) + 1} layers, ~${dummyCount(layer, edges).toLocaleString('en')} dummies flat -> ${how}: ${outcome}; ` +
        `the approximation of the whole view ${approximationMs(GRAPHS[name]!()).toFixed(1)} ms`,
    );
  }
}

if (process.argv.includes('--child')) await child(arg('child')!, process.argv.includes('--flat'));
else await main();
