// The new panel's timeline, step by step (run via bench/graph-boot.mjs): where the time from
// navigation start to the settled first drawing goes. One language server on a generated pipeline
// lays out ahead (as in bench/graph-compare.ts); each round opens a fresh page that gets the graph
// as the host gives it (bench/panelFlow.ts), and reads from the page's clock: the HTML response, the
// script and stylesheet loaded, the script run (ready), the graph received, each graph:<step>
// measure, the first paint and the settled render, and the longest main-thread task.
// Usage: flock /tmp/heavy.lock node bench/graph-boot.mjs [tasks=200] [rounds=5]
// Env: AB=snapshot alternates rounds with a big graph's first drawing in the HTML and without;
// AB=drawing alternates rounds with a small graph's whole drawing in the HTML and without;
// AB=html alternates rounds with the graph in the page's HTML (the host holds its layouts) and
// posted on ready (the host fetches them at the command); AB=wire alternates rounds with the messages packed (as the host sends them) and plain
// (core/graphLayout/wire.ts); AB=1 alternates rounds with the bundle inlined (as the host does) and loaded from the
// asset origin; AB=bundle:<dir> alternates rounds with the bundle inlined from <dir> (another build)
// and from dist/webview; TRACE=file.json writes a Chrome trace of the last round; COLD=1 times the cold
// new panel instead (no language server layouts: ELK in the webview's workers).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';
import { LspGraphLayoutRequest, LspGraphRequest, RenderStats, type LspGraphLayoutResult, type LspGraphResult } from '../extension/shared/protocol';
import { newPanelFlow, prefetchOpening } from './panelFlow';
import { launchChromium, openGraphPage, startServers } from '../test/browser/harness';
import { generateLuigiPipeline } from '../test/support/luigiPipeline';

const root = path.resolve(__dirname, '..', '..');
const tasks = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 5);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lsg-boot-'));
  const workspace = path.join(dir, 'workspace');
  mkdirSync(workspace);
  writeFileSync(path.join(workspace, 'pipeline.py'), generateLuigiPipeline(tasks).source);
  const child: ChildProcess = spawn(process.execPath, [path.join(root, 'dist', 'server.js'), '--stdio'], { cwd: workspace, stdio: ['pipe', 'pipe', 'pipe'] });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const logs: string[] = [];
  connection.onNotification('window/logMessage', (p: { message: string }) => void logs.push(p.message));
  connection.listen();
  const uri = pathToFileURL(workspace).toString();
  await connection.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: uri, workspaceFolders: [{ uri, name: 'boot' }], capabilities: {}, initializationOptions: { graphLayouts: { cacheDirectory: path.join(dir, 'cache') } } });
  await connection.sendNotification(InitializedNotification.type, {});
  const { graph } = await connection.sendRequest<LspGraphResult>(LspGraphRequest, {});
  const cold = process.env.COLD === '1';
  const wireAB = process.env.AB === 'wire';
  const htmlAB = process.env.AB === 'html';
  const snapshotAB = process.env.AB === 'snapshot';
  const drawingAB = process.env.AB === 'drawing';
  // AB=bundle:<dir>: odd rounds inline main.js and graph.css from <dir> (another build, e.g. a copy
  // of dist/webview before a change), even rounds from dist/webview: two builds in one run.
  const otherBundle = /^bundle:(.+)$/.exec(process.env.AB ?? '')?.[1];
  const bundleAB = Boolean(process.env.AB) && !wireAB && !htmlAB && !snapshotAB && !drawingAB && !otherBundle;
  const deadline = Date.now() + 300_000;
  while (!cold && !logs.some((l) => /laid out \d+ graph components ahead/.test(l))) {
    if (Date.now() > deadline) throw new Error(`the server never laid out ahead:\n${logs.join('\n')}`);
    await sleep(20);
  }
  const layouts = (keys: string[], jobs?: unknown[], options?: { afterAhead?: boolean }) => connection.sendRequest<LspGraphLayoutResult>(LspGraphLayoutRequest, { keys, ...(jobs ? { jobs } : {}), ...options } as never);
  // Held by the host after the index settled (vscode/graph/index.ts), before any command.
  if (!cold && !(await prefetchOpening(graph, layouts))) throw new Error('the host could not hold the opening layouts: the server lacks some of them');
  const servers = await startServers();
  const browser = await launchChromium();
  const rows: Record<string, number>[] = [];
  const modes: string[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      // As the host does (panelFlow.ts): the graph in the HTML when the host holds its layouts,
      // else posted on ready (AB=html alternates the two).
      const plain = wireAB && r % 2 === 1;
      const posted = htmlAB && r % 2 === 1;
      const noSnapshot = snapshotAB && r % 2 === 1;
      const noDrawing = drawingAB && r % 2 === 1;
      const flow = newPanelFlow(graph, cold ? undefined : layouts, { plain, html: !posted, snapshot: !noSnapshot, drawing: !noDrawing });
      const tracing = process.env.TRACE && r === rounds - 1;
      if (tracing) await browser.startTracing(undefined, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing', 'v8.execute', 'loading', 'toplevel', ...(process.env.TRACE_CPU ? ['disabled-by-default-v8.cpu_profiler'] : [])] });
      const page = await openGraphPage(browser, servers, {
        viewport: { width: 1200, height: 900 },
        ...(cold ? {} : { layouts }),
        inlineBundle: !(bundleAB && r % 2 === 1),
        ...(otherBundle && r % 2 === 1 ? { bundleDirectory: otherBundle } : {}),
        ...flow.page,
      });
      try {
        const stats = await page.waitForPosted(RenderStats, { timeout: 120_000 });
        const t = await page.page.evaluate(async () => {
          const w = window as unknown as { __posted: { method: string }[]; __postedAt: number[] };
          let longest = 0;
          await new Promise<void>((resolve) => {
            new PerformanceObserver((list) => {
              for (const e of list.getEntries()) longest = Math.max(longest, e.duration);
              resolve();
            }).observe({ type: 'longtask', buffered: true });
            setTimeout(resolve, 50);
          });
          const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
          const res = Object.fromEntries((performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map((e) => [e.name.split('/').pop()!, e.responseEnd]));
          const paints = Object.fromEntries(performance.getEntriesByType('paint').map((e) => [e.name, e.startTime]));
          const measures: Record<string, number> = {};
          for (const m of performance.getEntriesByType('measure')) measures[`${m.name} (ms)`] = (measures[`${m.name} (ms)`] ?? 0) + m.duration;
          const at = (method: string) => w.__postedAt[w.__posted.findIndex((m) => m.method === method)]!;
          return {
            'html response end': nav.responseEnd,
            'html size (KB)': nav.decodedBodySize / 1024,
            'main.js loaded': res['main.js'] ?? NaN,
            'graph.css loaded': res['graph.css'] ?? NaN,
            'layout-worker fetched': res['layout-worker.js'] ?? NaN,
            'DOMContentLoaded': nav.domContentLoadedEventEnd,
            'ready posted': at('graph/ready'),
            'graph in the page (before its postMessage)': performance.getEntriesByName('harness:received graph/load')[0]?.startTime ?? NaN,
            'layouts in the page (before its postMessage)': performance.getEntriesByName('harness:received graph/layouts')[0]?.startTime ?? NaN,
            'first contentful paint': paints['first-contentful-paint'] ?? NaN,
            'settled (renderStats posted)': at('graph/renderStats'),
            'longest task (ms)': longest,
            ...measures,
          };
        });
        if (tracing) writeFileSync(process.env.TRACE!, await browser.stopTracing());
        modes.push(`${flow.mode()}${noSnapshot ? ' without snapshot' : ''}${noDrawing ? ' without whole drawing' : ''}, ${wireAB ? (plain ? 'messages plain' : 'messages packed') : bundleAB && r % 2 === 1 ? 'bundle fetched' : otherBundle ? `bundle inlined from ${r % 2 === 1 ? otherBundle : 'dist/webview'}` : 'bundle inlined'}`);
        rows.push({ 'ahead fetch done (host clock, ms)': flow.aheadMs, 'ready seen by the host (host clock, ms)': flow.readyMs, ...t, 'data -> settled (ms)': stats.totalMs, 'data received': t['settled (renderStats posted)']! - stats.totalMs, 'data -> first paint (ms)': stats.firstPaintMs ?? NaN });
      } finally {
        await page.close();
      }
    }
  } finally {
    await browser.close();
    await servers.close();
    await connection.sendRequest(ShutdownRequest.type).catch(() => undefined);
    await connection.sendNotification(ExitNotification.type).catch(() => undefined);
    connection.dispose();
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  for (const mode of new Set(modes)) {
    const mine = rows.filter((_, i) => modes[i] === mode);
    process.stdout.write(`New panel timeline, ${tasks} tasks, ${mine.length} rounds, ${mode}, page clock from navigation start (ms); load average ${os.loadavg()[0]!.toFixed(1)}\n`);
    for (const k of keys) process.stdout.write(`${k.padEnd(36)} median ${median(mine.map((r) => r[k] ?? NaN)).toFixed(1).padStart(8)}   ${mine.map((r) => (r[k] ?? NaN).toFixed(0)).join(' ')}\n`);
  }
}

await main();
