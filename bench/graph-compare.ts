// Our graph view beside Luigi's own visualiser, on the very same generated pipelines, in one run
// (run via bench/graph-compare.mjs). For each size one Python module (test/support/luigiPipeline.ts,
// ~2.3 requirements per task, a FinalTask wrapper over the sinks) feeds both sides:
//   - Luigi: `luigid` from the venv on 127.0.0.1, a worker that only schedules FinalTask (nothing
//     runs), then /static/visualiser/index.html#tab=graph&taskId=<FinalTask>&visType=svg|d3 in
//     Debian's Chromium. Its page imports web fonts: every host but 127.0.0.1 fails to resolve at
//     once (--host-resolver-rules), as offline. Timed from navigation start to settled: the last
//     DOM change inside #graphPlaceholder once all tasks are drawn and nothing changed for QUIET_MS
//     (the page draws the graph three times: the last draw counts).
//   - ours, the realistic flow: the language server (dist/server.js --stdio, a fresh layout cache)
//     indexes the folder and lays out ahead, and the host fetches the opening layouts; then the
//     command: a new panel (the built webview, the host's HTML and CSP) gets the graph and its
//     layouts as the host gives them (bench/panelFlow.ts: in the page's HTML when held, which they
//     are here), and draws. Timed from navigation start (the command) to the webview's settled
//     render (graph/renderStats) and its first paint.
//   - ours, cold new panel: the same page without a language server's layouts (ELK in the
//     webview's fresh workers), as before the layout service; also from navigation start.
// Medians of ROUNDS page loads per figure; longest main-thread task (PerformanceObserver longtask).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import {
  createProtocolConnection,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import type { GraphJson } from '../extension/core/analysis/types';
import {
  LspGraphLayoutRequest,
  LspGraphRequest,
  RenderStats,
  type LspGraphLayoutParams,
  type LspGraphLayoutResult,
  type LspGraphResult,
  type RenderStatsMessage,
} from '../extension/shared/protocol';
import { newPanelFlow, prefetchOpening } from './panelFlow';
import { openGraphPage, startServers, type GraphPage, type Servers } from '../test/browser/harness';
import { generateLuigiPipeline } from '../test/support/luigiPipeline';

const root = path.resolve(__dirname, '..', '..');
const sizes = (process.argv[2] ?? '200,1000,3000').split(',').map(Number);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const D3_MAX_TASKS = Number(process.env.D3_MAX_TASKS ?? 1000);
const D3_ROUNDS = Number(process.env.D3_ROUNDS ?? ROUNDS);
/** Rounds of Luigi's SVG renderer (0 while working on ours: its figures are n/a then). */
const LUIGI_ROUNDS = Number(process.env.LUIGI_ROUNDS ?? ROUNDS);
/** Luigi's page is settled once nothing in its graph changed for this long. */
const QUIET_MS = 2000;
const VIEWPORT = { width: 1200, height: 900 };
const venvBin = path.join(root, '.venv', 'bin');

const fmt = (ms: number | undefined) => (ms === undefined || !Number.isFinite(ms) ? 'n/a' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
const median = (xs: number[]) => (xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    // Luigi's page imports web fonts: lookups fail at once, as offline. Both sides run alike.
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'],
  });
}

// ---------------------------------------------------------------------------------------------
// Luigi
// ---------------------------------------------------------------------------------------------

interface Luigid {
  url: string;
  stop(): void;
}

async function startLuigid(dir: string): Promise<Luigid> {
  const port = await freePort();
  const child = spawn(path.join(venvBin, 'luigid'), ['--address', '127.0.0.1', '--port', String(port), '--state-path', path.join(dir, 'luigid-state.pickle'), '--logdir', dir], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const stop = () => {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`luigid exited (${child.exitCode}): ${stderr}`);
    const ok = await fetch(`${url}/static/visualiser/index.html`).then((r) => r.ok, () => false);
    if (ok) return { url, stop };
    await sleep(100);
  }
  stop();
  throw new Error(`luigid did not answer on ${url} within 10 s: ${stderr}`);
}

/** Schedules FinalTask and everything it requires on luigid without running anything; returns its task id. */
function scheduleAll(workspace: string, url: string): string {
  const script = [
    'import sys',
    `sys.path.insert(0, ${JSON.stringify(workspace)})`,
    'import luigi, luigi.rpc, luigi.worker, pipeline',
    `scheduler = luigi.rpc.RemoteScheduler(${JSON.stringify(url)})`,
    'task = pipeline.FinalTask()',
    'with luigi.worker.Worker(scheduler=scheduler) as worker:',
    '    assert worker.add(task), "scheduling failed"',
    'print(task.task_id)',
  ].join('\n');
  const result = spawnSync(path.join(venvBin, 'python'), ['-c', script], { encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0) throw new Error(`scheduling on luigid failed: ${result.stderr}`);
  return result.stdout.trim().split('\n').at(-1)!;
}

interface LuigiTiming {
  settled: number;
  firstDraw: number;
  draws: number;
  longestTask: number;
}

async function timeLuigi(browser: Browser, url: string, taskId: string, visType: 'svg' | 'd3', tasks: number): Promise<LuigiTiming> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    // The SVG renderer's jQuery cannot set a class on SVG elements: its nodes are found by the
    // task id on their link; the D3 renderer's are dagre-d3's g.node.
    await page.addInitScript((selector) => {
      const w = window as unknown as { __lsg: { first: number; last: number; draws: number; nodes: number; longest: number } };
      w.__lsg = { first: 0, last: 0, draws: 0, nodes: 0, longest: 0 };
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__lsg.longest = Math.max(w.__lsg.longest, e.duration);
      }).observe({ type: 'longtask', buffered: true });
      new MutationObserver((records) => {
        const placeholder = document.getElementById('graphPlaceholder');
        if (!placeholder || !records.some((r) => placeholder.contains(r.target))) return;
        const now = performance.now();
        const nodes = placeholder.querySelectorAll(selector).length;
        if (nodes > 0 && w.__lsg.first === 0) w.__lsg.first = now;
        if (nodes > 0 && w.__lsg.nodes === 0) w.__lsg.draws++;
        w.__lsg.nodes = nodes;
        w.__lsg.last = now;
      }).observe(document, { childList: true, subtree: true, attributes: true });
    }, visType === 'svg' ? 'a[data-task-id]' : 'g.node');
    await page.goto(`${url}/static/visualiser/index.html#tab=graph&taskId=${encodeURIComponent(taskId)}&visType=${visType}`, { timeout: 60_000 });
    const deadline = Date.now() + 600_000;
    for (;;) {
      await sleep(250);
      // Runs on the page's main thread: it waits while the page is busy drawing.
      const s = await page.evaluate(() => ({ ...(window as unknown as { __lsg: { first: number; last: number; draws: number; nodes: number; longest: number } }).__lsg, now: performance.now() }));
      if (s.nodes >= tasks && s.now - s.last >= QUIET_MS) return { settled: s.last, firstDraw: s.first, draws: s.draws, longestTask: s.longest };
      if (Date.now() > deadline) throw new Error(`Luigi's ${visType} page did not settle: ${s.nodes} of ${tasks} tasks drawn`);
    }
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Ours
// ---------------------------------------------------------------------------------------------

interface LanguageServer {
  connection: ProtocolConnection;
  graph: GraphJson;
  /** Folder open -> graph answered -> layouts ahead done (server log). */
  indexMs: number;
  aheadMs: number;
  stop(): Promise<void>;
}

async function startLanguageServer(workspace: string, cacheDirectory: string): Promise<LanguageServer> {
  const child: ChildProcess = spawn(process.execPath, [path.join(root, 'dist', 'server.js'), '--stdio'], { cwd: workspace, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const logs: string[] = [];
  connection.onNotification('window/logMessage', (params: { message: string }) => void logs.push(params.message));
  connection.listen();
  const uri = pathToFileURL(workspace).toString();
  const started = performance.now();
  await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: uri,
    workspaceFolders: [{ uri, name: 'bench' }],
    capabilities: {},
    initializationOptions: { graphLayouts: { cacheDirectory } },
  });
  await connection.sendNotification(InitializedNotification.type, {});
  const { graph } = await connection.sendRequest<LspGraphResult>(LspGraphRequest, {});
  const indexMs = performance.now() - started;
  // The index settled; the user runs the command once the server laid out ahead.
  const deadline = Date.now() + 300_000;
  while (!logs.some((l) => /laid out \d+ graph components ahead/.test(l))) {
    if (Date.now() > deadline) throw new Error(`the server never laid out ahead: ${logs.join('\n')}\n${stderr}`);
    await sleep(20);
  }
  const aheadMs = performance.now() - started;
  // The host then holds the opening layouts (vscode/graph/index.ts, a second after the change).
  const held = await prefetchOpening(graph, (keys, jobs, options) => connection.sendRequest<LspGraphLayoutResult>(LspGraphLayoutRequest, { keys, ...(jobs ? { jobs } : {}), ...options } as LspGraphLayoutParams));
  if (!held) throw new Error('the host could not hold the opening layouts: the server lacks some of them');
  return {
    connection,
    graph,
    indexMs,
    aheadMs,
    stop: async () => {
      await connection.sendRequest(ShutdownRequest.type).catch(() => undefined);
      await connection.sendNotification(ExitNotification.type).catch(() => undefined);
      connection.dispose();
      child.kill();
    },
  };
}

interface OurTiming {
  /** How the graph came (panelFlow.ts). */
  mode: string;
  settled: number;
  /** The page said ready (its script ran): the panel's own start-up, before any data. */
  ready: number;
  /** From the graph arriving in the page to settled: the issue's first measure of "ours". */
  fromData: number;
  firstPaint: number;
  longestTask: number;
  stats: RenderStatsMessage;
}

/** A new panel: navigation (the command) -> the graph in its HTML or posted on ready, as the host does (panelFlow.ts) -> settled; times in the page's clock. */
async function timeOurs(browser: Browser, servers: Servers, graph: GraphJson, server: LanguageServer | undefined): Promise<OurTiming> {
  const layouts = server && ((keys: string[], jobs?: unknown[]) => server.connection.sendRequest<LspGraphLayoutResult>(LspGraphLayoutRequest, { keys, ...(jobs ? { jobs } : {}) } as LspGraphLayoutParams));
  const flow = newPanelFlow(graph, layouts);
  const page: GraphPage = await openGraphPage(browser, servers, { viewport: VIEWPORT, ...flow.page, ...(layouts ? { layouts } : {}) });
  try {
    const stats = await page.waitForPosted(RenderStats, { timeout: 300_000 });
    const { settledAt, readyAt, longest } = await page.page.evaluate(async () => {
      const w = window as unknown as { __posted: { method: string }[]; __postedAt: number[] };
      let index = w.__posted.length - 1;
      while (index >= 0 && w.__posted[index]!.method !== 'graph/renderStats') index--;
      const entries = performance.getEntriesByType('longtask');
      let longestTask = 0;
      await new Promise<void>((resolve) => {
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) longestTask = Math.max(longestTask, e.duration);
          resolve();
        }).observe({ type: 'longtask', buffered: true });
        setTimeout(resolve, 50);
      });
      for (const e of entries) longestTask = Math.max(longestTask, e.duration);
      const ready = w.__posted.findIndex((m) => m.method === 'graph/ready');
      return { settledAt: w.__postedAt[index]!, readyAt: w.__postedAt[ready]!, longest: longestTask };
    });
    const receivedAt = settledAt - stats.totalMs;
    return { mode: flow.mode(), settled: settledAt, ready: readyAt, fromData: stats.totalMs, firstPaint: receivedAt + (stats.firstPaintMs ?? stats.totalMs), longestTask: longest, stats };
  } finally {
    await page.close();
  }
}

// ---------------------------------------------------------------------------------------------

interface Row {
  tasks: number;
  edges: number;
  luigiSvg: number;
  luigiSvgFirst: number;
  luigiD3: number | undefined;
  ours: number;
  oursFirst: number;
  oursReady: number;
  oursFromData: number;
  coldFromData: number;
  cold: number;
  coldFirst: number;
  longestOurs: number;
  longestCold: number;
  longestLuigi: number;
  source: string;
  indexMs: number;
  aheadMs: number;
}

async function measure(browser: Browser, servers: Servers, tasks: number): Promise<Row> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lsg-compare-'));
  const workspace = path.join(dir, 'workspace');
  try {
    const pipeline = generateLuigiPipeline(tasks);
    spawnSync('mkdir', ['-p', workspace]);
    writeFileSync(path.join(workspace, 'pipeline.py'), pipeline.source);

    // Luigi: one luigid with the whole graph scheduled, fresh pages.
    const luigid = await startLuigid(dir);
    let luigiSvg: LuigiTiming[] = [];
    const luigiD3: LuigiTiming[] = [];
    try {
      const taskId = scheduleAll(workspace, luigid.url);
      // FinalTask is drawn as well: tasks + 1 nodes.
      for (let r = 0; r < LUIGI_ROUNDS; r++) luigiSvg.push(await timeLuigi(browser, luigid.url, taskId, 'svg', tasks + 1));
      if (tasks <= D3_MAX_TASKS) for (let r = 0; r < D3_ROUNDS; r++) luigiD3.push(await timeLuigi(browser, luigid.url, taskId, 'd3', tasks + 1));
    } finally {
      luigid.stop();
    }

    // Ours: the language server on the same folder, then new panels.
    const server = await startLanguageServer(workspace, path.join(dir, 'layout-cache'));
    const ours: OurTiming[] = [];
    const cold: OurTiming[] = [];
    try {
      if (server.graph.tasks.length !== tasks + 1) throw new Error(`our analysis found ${server.graph.tasks.length} tasks, Luigi ${tasks + 1}`);
      for (let r = 0; r < ROUNDS; r++) ours.push(await timeOurs(browser, servers, server.graph, server));
      for (let r = 0; r < ROUNDS; r++) cold.push(await timeOurs(browser, servers, server.graph, undefined));
    } finally {
      await server.stop();
    }
    const sources = [...new Set(ours.map((o) => `${o.stats.layoutSource ?? '?'}, ${o.mode}`))].join('/');
    for (const [name, list] of [['luigi svg', luigiSvg.map((t) => t.settled)], ['luigi d3', luigiD3.map((t) => t.settled)], ['ours', ours.map((t) => t.settled)], ['ours cold', cold.map((t) => t.settled)]] as const) {
      if (list.length) process.stdout.write(`  ${tasks} ${name}: ${list.map(fmt).join(', ')}\n`);
    }
    luigiSvg = luigiSvg.sort((a, b) => a.settled - b.settled);
    return {
      tasks: tasks + 1,
      edges: server.graph.edges.length,
      luigiSvg: median(luigiSvg.map((t) => t.settled)),
      luigiSvgFirst: median(luigiSvg.map((t) => t.firstDraw)),
      luigiD3: luigiD3.length ? median(luigiD3.map((t) => t.settled)) : undefined,
      ours: median(ours.map((t) => t.settled)),
      oursFirst: median(ours.map((t) => t.firstPaint)),
      oursReady: median(ours.map((t) => t.ready)),
      oursFromData: median(ours.map((t) => t.fromData)),
      coldFromData: median(cold.map((t) => t.fromData)),
      cold: median(cold.map((t) => t.settled)),
      coldFirst: median(cold.map((t) => t.firstPaint)),
      longestOurs: Math.max(...ours.map((t) => t.longestTask)),
      longestCold: Math.max(...cold.map((t) => t.longestTask)),
      longestLuigi: luigiSvg.length ? Math.max(...luigiSvg.map((t) => t.longestTask)) : NaN,
      source: sources,
      indexMs: server.indexMs,
      aheadMs: server.aheadMs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A fixed CPU-bound loop, timed: this machine's speed varies by up to 2x over a day (the same
 * page load took 115 ms one hour and 230 ms the next), so figures carry it beside them.
 */
function machineSpeed(): number {
  const started = performance.now();
  let x = 0;
  for (let i = 0; i < 3e8; i++) x += i % 7;
  if (x < 0) throw new Error('unreachable');
  return performance.now() - started;
}

async function main(): Promise<void> {
  if (!existsSync(path.join(venvBin, 'luigid'))) throw new Error('.venv/bin/luigid is missing: run `bash scripts/setup.sh` first.');
  if (!existsSync(path.join(root, 'dist', 'server.js'))) throw new Error('dist/server.js is missing: run `node scripts/build.mjs` first.');
  const servers = await startServers();
  const browser = await launch();
  const loadBefore = os.loadavg()[0]!;
  const speedBefore = machineSpeed();
  const rows: Row[] = [];
  try {
    for (const size of sizes) rows.push(await measure(browser, servers, size));
  } finally {
    await browser.close();
    await servers.close();
  }
  const header = [
    'tasks (nodes/edges)',
    'Luigi SVG: settled (first draw)',
    'Luigi D3: settled',
    'ours: command → settled (first paint; panel ready)',
    'vs Luigi SVG',
    'ours: from the data in the page',
    'ours: cold new panel, webview ELK (first paint; from data)',
    'longest main-thread task: ours / cold / Luigi SVG',
    'server: index / layouts ahead ready',
  ];
  process.stdout.write(
    `\nGraph view vs Luigi's visualiser, same generated pipelines (~2.3 requirements per task), medians of ${ROUNDS} page loads, from navigation start; ` +
      `Luigi settled = last change of its graph DOM, ${QUIET_MS / 1000} s quiet after; ours settled = graph/renderStats. Chromium ${browser.version()}, ${os.cpus().length} cores, load average ${loadBefore.toFixed(1)} -> ${os.loadavg()[0]!.toFixed(1)}; ` +
      `machine speed (a fixed loop of 3e8 steps, lower is faster) ${Math.round(speedBefore)} -> ${Math.round(machineSpeed())} ms\n`,
  );
  process.stdout.write(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|\n`);
  for (const r of rows) {
    process.stdout.write(
      `| ${r.tasks - 1} (${r.tasks}/${r.edges}) | ${fmt(r.luigiSvg)} (${fmt(r.luigiSvgFirst)}) | ${r.luigiD3 === undefined ? `not run (> D3_MAX_TASKS=${D3_MAX_TASKS})` : fmt(r.luigiD3)} | ` +
        `${fmt(r.ours)} (${fmt(r.oursFirst)}; ${fmt(r.oursReady)}; ${r.source}) | ${(r.luigiSvg / r.ours).toFixed(1)}x faster | ${fmt(r.oursFromData)} (${(r.luigiSvg / r.oursFromData).toFixed(1)}x) | ${fmt(r.cold)} (${fmt(r.coldFirst)}; ${fmt(r.coldFromData)}) | ` +
        `${fmt(r.longestOurs)} / ${fmt(r.longestCold)} / ${fmt(r.longestLuigi)} | ${fmt(r.indexMs)} / ${fmt(r.aheadMs)} |\n`,
    );
  }
}

await main();
