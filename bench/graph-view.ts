// Graph view benchmark, in Debian's Chromium on the built webview (run via bench/graph-view.mjs).
// For generated pipeline graphs of each size:
//   - fresh: data posted to a just-opened panel -> graph settled on screen (cold workers),
//     and a second graph of the same size in the same panel (warm workers);
//   - cached: a new panel whose host cache holds the layout (a restart, a graph seen before);
//   - the longest main-thread task (PerformanceObserver 'longtask') while laying out, and during
//     a scripted pan and zoom, plus the slowest animation frame there;
//   - raw elkjs layered with default options on the same graphs, in a worker of the same page.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { GraphJson } from '../extension/core/analysis/types';
import { FileLayoutCache } from '../extension/core/graphLayout/fileCache';
import { GraphLoad, RenderStats, type RenderStatsMessage } from '../extension/shared/protocol';
import { generateGraph } from '../test/browser/fixtures/generatedGraph';
import { launchChromium, openGraphPage, startServers, type GraphPage } from '../test/browser/harness';
import { buildVisibleGraph, indexGraph } from '../extension/core/graphLayout/viewModel';

const sizes = (process.argv[2] ?? '200,1000,3000').split(',').map(Number);
const shape = (process.argv[3] ?? 'pipeline') as 'pipeline' | 'random';

interface LongTasks {
  max: number;
  count: number;
}

async function observeLongTasks(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __longtasks: { start: number; duration: number }[] };
    w.__longtasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longtasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
}

const now = (page: Page) => page.evaluate(() => performance.now());

async function longTasksBetween(page: Page, from: number, to: number): Promise<LongTasks> {
  const tasks = await page.evaluate(() => (window as unknown as { __longtasks: { start: number; duration: number }[] }).__longtasks);
  const inside = tasks.filter((t) => t.start + t.duration >= from && t.start <= to);
  const longest = inside.sort((a, b) => b.duration - a.duration)[0];
  if (longest && process.env.ATTRIBUTE) {
    // Which of the webview's measured steps ran inside the longest task.
    const steps = await page.evaluate(
      ({ start, end }) =>
        performance
          .getEntriesByType('measure')
          .filter((m) => m.name.startsWith('graph:') && m.startTime >= start - 1 && m.startTime <= end)
          .map((m) => `${m.name.slice(6)} ${Math.round(m.duration)}`),
      { start: longest.start, end: longest.start + longest.duration },
    );
    process.stdout.write(`    longest task ${Math.round(longest.duration)} ms: ${steps.join(', ') || 'no measured step (message decoding, GC, style/layout/paint)'}\n`);
  }
  return { max: longest?.duration ?? 0, count: inside.length };
}

async function post(page: GraphPage, graph: GraphJson): Promise<RenderStatsMessage> {
  const since = await page.postedCount();
  await page.send({ method: GraphLoad, graph, reason: 'open', scope: { kind: 'workspace' } });
  return page.waitForPosted(RenderStats, { since, timeout: 120_000 });
}

/** Drags and wheels over the graph for about two seconds, recording frame gaps. */
async function panAndZoom(page: Page): Promise<number> {
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __framing: boolean };
    w.__frames = [];
    w.__framing = true;
    let last = performance.now();
    const tick = (t: number) => {
      w.__frames.push(t - last);
      last = t;
      if (w.__framing) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const mouse = page.mouse;
  await mouse.move(600, 450);
  for (let i = 0; i < 6; i++) {
    await mouse.wheel(0, -240);
    await page.waitForTimeout(60);
  }
  await mouse.down();
  for (let i = 0; i < 30; i++) await mouse.move(600 - i * 12, 450 - i * 6, { steps: 1 });
  await mouse.up();
  for (let i = 0; i < 6; i++) {
    await mouse.wheel(0, 240);
    await page.waitForTimeout(60);
  }
  await mouse.down();
  for (let i = 0; i < 30; i++) await mouse.move(240 + i * 12, 270 + i * 6, { steps: 1 });
  await mouse.up();
  await page.waitForTimeout(300);
  return page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __framing: boolean };
    w.__framing = false;
    return Math.max(...w.__frames.slice(1));
  });
}

/** Raw elkjs: default layered options, flat graph, in a worker of the same page. */
async function rawElk(page: Page, workerUrl: string, graph: GraphJson): Promise<{ cold: number; warm: number }> {
  const visible = buildVisibleGraph(indexGraph(graph), { scope: { kind: 'workspace' } });
  const elkGraph = {
    id: 'root',
    layoutOptions: { 'elk.algorithm': 'layered' },
    children: visible.nodes.map((n) => ({ id: n.id, width: n.width, height: n.height })),
    edges: visible.edges.map((e) => ({ id: e.id, sources: [e.from], targets: [e.to] })),
  };
  return page.evaluate(
    async ({ workerUrl, elkGraph }) => {
      const source = await (await fetch(workerUrl)).text();
      const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
      let id = 0;
      const call = (message: Record<string, unknown>) =>
        new Promise<unknown>((resolve, reject) => {
          const myId = id++;
          const listener = (e: MessageEvent) => {
            if (e.data.id !== myId) return;
            worker.removeEventListener('message', listener);
            if (e.data.error) reject(new Error(JSON.stringify(e.data.error)));
            else resolve(e.data.data);
          };
          worker.addEventListener('message', listener);
          worker.postMessage({ id: myId, ...message });
        });
      await call({ cmd: 'register', algorithms: ['layered'] });
      const time = async () => {
        const t0 = performance.now();
        await call({ cmd: 'layout', graph: structuredClone(elkGraph), layoutOptions: {}, options: {} });
        return performance.now() - t0;
      };
      const cold = await time();
      const warm = await time();
      worker.terminate();
      return { cold, warm };
    },
    { workerUrl, elkGraph },
  );
}

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Round {
  nodes: number;
  edges: number;
  cold: number;
  coldElk: number;
  components: number;
  warm: number;
  cached: number;
  disk: number;
  layoutTask: number;
  layoutTasksOver50: number;
  panTask: number;
  worstFrame: number;
  mode: string;
  rawCold: number;
  rawWarm: number;
}

async function round(browser: Awaited<ReturnType<typeof launchChromium>>, servers: Awaited<ReturnType<typeof startServers>>, size: number, seed: number): Promise<Round> {
  const graph = generateGraph({ tasks: size, seed, shape });
  const second = generateGraph({ tasks: size, seed: seed + 1000, shape });

  const first = await openGraphPage(browser, servers, { viewport: { width: 1200, height: 900 } });
  await first.waitForPosted('graph/ready');
  await observeLongTasks(first.page);
  let t0 = await now(first.page);
  const cold = await post(first, graph);
  let t1 = await now(first.page);
  const coldTasks = await longTasksBetween(first.page, t0, t1);
  t0 = await now(first.page);
  const warm = await post(first, second);
  t1 = await now(first.page);
  const warmTasks = await longTasksBetween(first.page, t0, t1);
  t0 = await now(first.page);
  const worstFrame = await panAndZoom(first.page);
  t1 = await now(first.page);
  const panTasks = await longTasksBetween(first.page, t0, t1);
  const mode = await first.page.evaluate(() => (document.querySelector('canvas.overview')!.classList.contains('hidden') ? 'svg' : 'canvas'));
  const hostCache = await first.hostCache();
  const raw = await rawElk(first.page, `${servers.assetOrigin}/elk-worker.min.js`, graph);
  await first.close();

  // The restart scenario: the host's cache holds the layout; the workers are cold.
  const reopened = await openGraphPage(browser, servers, { viewport: { width: 1200, height: 900 }, hostCache });
  await reopened.waitForPosted('graph/ready');
  await observeLongTasks(reopened.page);
  t0 = await now(reopened.page);
  const cached = await post(reopened, graph);
  t1 = await now(reopened.page);
  const cachedTasks = await longTasksBetween(reopened.page, t0, t1);
  await reopened.close();
  if (cached.computedComponents !== 0) throw new Error(`cached reopen laid out ${cached.computedComponents} components`);

  // The host side of a cached open: reading the entries back from disk.
  const dir = await mkdtemp(path.join(tmpdir(), 'lsg-bench-'));
  const fileCache = new FileLayoutCache(dir);
  fileCache.put(hostCache);
  await fileCache.flush();
  const r0 = performance.now();
  await new FileLayoutCache(dir).get(hostCache.map((e) => e.key));
  const disk = performance.now() - r0;
  await rm(dir, { recursive: true, force: true });

  return {
    nodes: cold.nodes,
    edges: cold.edges,
    cold: cold.totalMs,
    coldElk: cold.layoutMs,
    components: cold.computedComponents,
    warm: warm.totalMs,
    cached: cached.totalMs,
    disk,
    layoutTask: Math.max(coldTasks.max, warmTasks.max, cachedTasks.max),
    layoutTasksOver50: coldTasks.count + warmTasks.count + cachedTasks.count,
    panTask: panTasks.max,
    worstFrame,
    mode,
    rawCold: raw.cold,
    rawWarm: raw.warm,
  };
}

async function main(): Promise<void> {
  const rounds = Number(process.env.ROUNDS ?? 3);
  const servers = await startServers();
  const browser = await launchChromium();
  const os = await import('node:os');
  const loadBefore = os.loadavg()[0]!;
  const rows: string[][] = [];
  try {
    for (const size of sizes) {
      const results: Round[] = [];
      for (let r = 0; r < rounds; r++) {
        results.push(await round(browser, servers, size, 11 + r));
        const x = results.at(-1)!;
        process.stdout.write(`  ${size} round ${r + 1}: fresh ${fmt(x.cold)} (ELK ${fmt(x.coldElk)}), warm ${fmt(x.warm)}, cached ${fmt(x.cached)}, longest task ${fmt(x.layoutTask)} / pan ${fmt(x.panTask)}, raw ${fmt(x.rawCold)} / ${fmt(x.rawWarm)}\n`);
      }
      const m = (key: keyof Round) => median(results.map((x) => x[key] as number));
      const max = (key: keyof Round) => Math.max(...results.map((x) => x[key] as number));
      rows.push([
        `${size}`,
        `${results[0]!.nodes}/${results[0]!.edges}`,
        `${fmt(m('cold'))} (ELK ${fmt(m('coldElk'))})`,
        fmt(m('warm')),
        `${fmt(m('cached'))} (+ disk ${fmt(m('disk'))})`,
        `${fmt(max('layoutTask'))} (${results.reduce((n, x) => n + x.layoutTasksOver50, 0)} > 50 ms)`,
        `${fmt(max('panTask'))}, frame ${fmt(max('worstFrame'))}, ${results[0]!.mode}`,
        `${fmt(m('rawCold'))} / ${fmt(m('rawWarm'))}`,
      ]);
    }
  } finally {
    await browser.close();
    await servers.close();
  }
  const header = ['tasks', 'nodes/edges', 'fresh (cold panel)', 'fresh (warm)', 'cached reopen', 'longest task: layout', 'longest task: pan+zoom', 'raw elkjs cold / warm'];
  process.stdout.write(`\nGraph view, ${shape} graphs, medians of ${rounds} rounds (longest tasks: max), Chromium ${browser.version()}, ${os.cpus().length} cores, load average ${loadBefore.toFixed(1)} -> ${os.loadavg()[0]!.toFixed(1)}\n`);
  process.stdout.write(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|\n`);
  for (const row of rows) process.stdout.write(`| ${row.join(' | ')} |\n`);
}

await main();
