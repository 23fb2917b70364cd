// Progressive display (webview/src/view.ts, core/graphLayout/approx.ts): a graph that ELK has to
// lay out is drawn at once with the layered approximation, then the nodes glide into ELK's layout;
// the panel is never blank once the page loaded. And with a language server that lays out
// (graph/load `layoutService`), the webview receives positions and starts no ELK of its own.
import { describe, expect, it } from 'vitest';
import type { GraphJson } from '../../extension/core/analysis/types';
import { approximateComponents } from '../../extension/core/graphLayout/approx';
import { splitComponents } from '../../extension/core/graphLayout/components';
import { startRect } from '../../extension/core/graphLayout/framing';
import { holdOpeningLayouts } from '../../extension/core/graphLayout/openingKeys';
import { composedOpening, composeOpening, cutSnapshot, openingPicture } from '../../extension/core/graphLayout/openingSnapshot';
import { nodeLayoutRunner } from '../../extension/core/graphLayout/renderGraphSvg';
import { buildVisibleGraph, indexGraph } from '../../extension/core/graphLayout/viewModel';
import { packGraph, packLayouts } from '../../extension/core/graphLayout/wire';
import { GraphLayouts, GraphLoad, OPENING_ELEMENT_ID, RenderStats, type LspGraphLayoutResult } from '../../extension/shared/protocol';
import { LayoutService } from '../../extension/server/layoutService';
import { generateGraph } from './fixtures/generatedGraph';
import type { GraphPage } from './harness';
import { graphPageSession } from './session';

const { page: openPage } = graphPageSession();

/** Samples every animation frame from page load: nodes drawn (SVG or canvas) and one node's place. */
async function recordFrames(page: GraphPage, watchId: string): Promise<void> {
  await page.page.evaluate((watchId) => {
    const w = window as unknown as { __frames: { t: number; svgNodes: number; canvas: boolean; status: string; place: string | null }[]; __recording: boolean };
    w.__frames = [];
    w.__recording = true;
    const tick = () => {
      const canvas = document.querySelector('canvas.overview');
      const node = document.querySelector(`svg.detail g.node[data-id="${CSS.escape(watchId)}"]`);
      w.__frames.push({
        t: performance.now(),
        svgNodes: document.querySelectorAll('svg.detail:not(.hidden) g.node').length,
        canvas: Boolean(canvas && !canvas.classList.contains('hidden')),
        status: document.querySelector('.status')?.textContent ?? '',
        // Where it is drawn now: its attribute, or mid-glide the running animation's transform.
        place: node ? `${node.getAttribute('transform')}|${getComputedStyle(node).transform}` : null,
      });
      if (w.__recording) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }, watchId);
}

/**
 * A generated graph whose workspace view's layouts the host holds, as after its prefetch (here laid
 * out by the approximation: no ELK needed), and that view composed (openingSnapshot.ts).
 */
async function heldOpening(tasks: number, seed: number) {
  const graph: GraphJson = generateGraph({ tasks, seed });
  const workspace = { kind: 'workspace' } as const;
  const layouts = approximateComponents(splitComponents(buildVisibleGraph(indexGraph(graph), { scope: workspace }), 'RIGHT'), 'RIGHT');
  expect(holdOpeningLayouts(graph, workspace, 'RIGHT', layouts)).toBe(true);
  await composeOpening(graph, workspace, 'RIGHT');
  return { graph, layouts, composed: composedOpening(graph, workspace, 'RIGHT')! };
}

const frames = (page: GraphPage) =>
  page.page.evaluate(() => {
    const w = window as unknown as { __frames: { t: number; svgNodes: number; canvas: boolean; status: string; place: string | null }[]; __recording: boolean };
    w.__recording = false;
    return w.__frames;
  });

describe('progressive display', () => {
  it('paints the approximation first, then glides into ELK\'s layout; never blank', async () => {
    const page = await openPage({ viewport: { width: 1400, height: 1000 } });
    // Before any graph: a status, not a blank panel.
    expect(await page.page.locator('.status').textContent()).toMatch(/Loading the pipeline graph/);
    await page.waitForPosted('graph/ready');
    const graph: GraphJson = generateGraph({ tasks: 150, seed: 21 });
    const watched = graph.tasks[40]!.id;
    await recordFrames(page, watched);
    const since = await page.postedCount();
    await page.send({ method: GraphLoad, graph, reason: 'open', scope: { kind: 'workspace' } });
    const stats = await page.waitForPosted(RenderStats, { since });
    const seen = await frames(page);

    expect(stats.computedComponents).toBeGreaterThan(0);
    expect(stats.layoutSource).toBe('webview');
    expect(stats.firstPaintMs).toBeLessThan(stats.totalMs);
    const drawn = seen.findIndex((f) => f.svgNodes > 0 || f.canvas);
    expect(drawn).toBeGreaterThanOrEqual(0);
    // From the first drawing on, every frame shows the graph.
    expect(seen.slice(drawn).filter((f) => f.svgNodes === 0 && !f.canvas)).toEqual([]);
    // The watched node was first drawn where the approximation put it, then moved.
    const places = seen.map((f) => f.place).filter((p): p is string => p !== null);
    const finalPlace = places.at(-1)!;
    const firstAttribute = places[0]!.split('|')[0];
    expect(firstAttribute).not.toBe(finalPlace.split('|')[0]);
    // Mid-glide frames (a running CSS transform) between the two.
    expect(places.some((p) => p.split('|')[1] !== 'none')).toBe(true);
    expect(seen.some((f) => /approximation is shown/.test(f.status))).toBe(true);
    expect(await page.page.locator('.status').textContent()).toMatch(/150 nodes/);
    expect(await page.problems()).toEqual([]);
  });

  it('with a language server that lays out: positions come from it, and the view starts no ELK worker', async () => {
    // The server's layout service in this process, with real ELK on this thread.
    const service = new LayoutService({ runner: nodeLayoutRunner, debounceMs: 0 });
    const graph: GraphJson = generateGraph({ tasks: 200, seed: 5 });
    service.schedule(() => graph, 0);
    await service.idle();
    const asked: { keys: number; jobs: number }[] = [];
    const page = await openPage({
      viewport: { width: 1400, height: 1000 },
      layouts: async (keys, jobs): Promise<LspGraphLayoutResult> => {
        asked.push({ keys: keys.length, jobs: jobs?.length ?? 0 });
        return service.lookup(keys, jobs);
      },
    });
    const workerRequests: string[] = [];
    page.page.on('request', (r) => r.url().includes('layout-worker') && workerRequests.push(r.url()));
    await page.waitForPosted('graph/ready');
    let since = await page.postedCount();
    await page.send({ method: GraphLoad, graph, reason: 'open', scope: { kind: 'workspace' }, layoutService: true });
    const stats = await page.waitForPosted(RenderStats, { since });
    expect(stats).toMatchObject({ computedComponents: 0, layoutSource: 'cache' });
    // Drawn straight from the server's positions (unless its answer took over ~250 ms on a busy machine).
    expect(stats.firstPaintMs).toBeLessThanOrEqual(stats.totalMs);

    // A new panel the host fetched the layouts for while it loaded (graphPanel.ts fetchAhead):
    // drawn from them, with no lookup at all. The host packs the graph and the layouts into flat
    // arrays (core/graphLayout/wire.ts): the drawing is the very one plain messages give.
    const ahead = await service.lookup(splitComponents(buildVisibleGraph(indexGraph(graph), { scope: { kind: 'workspace' } }), 'RIGHT').map((c) => c.key));
    const drawing = (p: GraphPage) => p.page.evaluate(() => document.querySelector('svg.detail')!.innerHTML);
    const primedPlain = await openPage({
      viewport: { width: 1400, height: 1000 },
      layouts: async (keys, jobs) => service.lookup(keys, jobs),
      onReady: { method: GraphLoad, graph, reason: 'open', scope: { kind: 'workspace' }, layoutService: true, layouts: ahead.entries },
    });
    expect(await primedPlain.waitForPosted(RenderStats)).toMatchObject({ computedComponents: 0, layoutSource: 'cache' });
    const packedGraph = packGraph(graph);
    expect('packedEdges' in packedGraph).toBe(true);
    const primed = await openPage({
      viewport: { width: 1400, height: 1000 },
      layouts: async (keys, jobs) => service.lookup(keys, jobs),
      onReady: { method: GraphLoad, graph: packedGraph, reason: 'open', scope: { kind: 'workspace' }, layoutService: true, layouts: packLayouts(ahead.entries) },
    });
    expect(await primed.waitForPosted(RenderStats)).toMatchObject({ nodes: graph.tasks.length, computedComponents: 0, layoutSource: 'cache' });
    expect((await primed.posted()).filter((m) => m.method === 'layout/cacheLookup')).toEqual([]);
    const drawn = await drawing(primed);
    expect(drawn.match(/<g class="node[^>]* data-id=/g)?.length ?? 0).toBeGreaterThan(20);
    expect(drawn).toEqual(await drawing(primedPlain));
    expect(await primed.problems()).toEqual([]);

    // A new panel whose layouts the host held at the command (graphPanel.ts openingMessage): the
    // graph is in the page's HTML, drawn as the page starts, with no message from the host at all.
    const fromHtml = await openPage({
      viewport: { width: 1400, height: 1000 },
      layouts: async (keys, jobs) => service.lookup(keys, jobs),
      opening: () => ({ method: GraphLoad, graph: packedGraph, reason: 'open', layoutService: true, layouts: packLayouts(ahead.entries) }),
      onReady: async () => undefined,
    });
    expect(await fromHtml.waitForPosted(RenderStats)).toMatchObject({ nodes: graph.tasks.length, computedComponents: 0, layoutSource: 'cache' });
    expect((await fromHtml.posted()).map((m) => m.method)).toEqual(['graph/ready', 'graph/renderStats']);
    expect(await drawing(fromHtml)).toEqual(await drawing(primedPlain));
    expect(await fromHtml.page.evaluate((id) => document.getElementById(id), OPENING_ELEMENT_ID)).toBeNull();
    expect(await fromHtml.problems()).toEqual([]);
    // The same HTML reloaded for a panel shown again after being hidden: the page restored from its
    // state keeps its own view, not the scope and task the first open asked for.
    const file = graph.tasks[0]!.file;
    // The view saves its state shortly after drawing.
    await expect.poll(() => fromHtml.state()).toMatchObject({ scope: { kind: 'workspace' } });
    const restored = await openPage({
      viewport: { width: 1400, height: 1000 },
      layouts: async (keys, jobs) => service.lookup(keys, jobs),
      state: { ...((await fromHtml.state()) as object), scope: { kind: 'file', file } },
      opening: () => ({ method: GraphLoad, graph: packedGraph, reason: 'open', scope: { kind: 'workspace' }, revealTaskId: graph.tasks.at(-1)!.id, layoutService: true, layouts: packLayouts(ahead.entries) }),
      onReady: async () => undefined,
    });
    const restoredStats = await restored.waitForPosted(RenderStats);
    expect(restoredStats.nodes).toBe(buildVisibleGraph(indexGraph(graph), { scope: { kind: 'file', file } }).nodes.length);
    expect(restoredStats.nodes).toBeLessThan(graph.tasks.length);
    expect(await restored.problems()).toEqual([]);

    // The layouts still on their way at `ready` (a big graph): the graph goes at once, they follow
    // (graph/layouts), and the view waits for them rather than asking.
    const following = await openPage({
      viewport: { width: 1400, height: 1000 },
      layouts: async (keys, jobs) => service.lookup(keys, jobs),
      onReady: async (ready, post) => {
        await ready;
        post({ method: GraphLoad, graph: packedGraph, reason: 'open', scope: { kind: 'workspace' }, layoutService: true, layoutsFollow: true });
        await new Promise((resolve) => setTimeout(resolve, 300));
        return { method: GraphLayouts, layouts: packLayouts(ahead.entries) };
      },
    });
    expect(await following.waitForPosted(RenderStats)).toMatchObject({ computedComponents: 0, layoutSource: 'cache' });
    expect((await following.posted()).filter((m) => m.method === 'layout/cacheLookup' || m.method === 'layout/run')).toEqual([]);
    expect(await following.problems()).toEqual([]);

    // A view the server did not lay out ahead (another direction): laid out there on request.
    since = await page.postedCount();
    // The toolbar's direction control (it may sit in an overflow menu: set it as a user's pick would).
    await page.page.evaluate(() => {
      const select = document.querySelector<HTMLSelectElement>('select[aria-label="Layout direction"]')!;
      select.value = 'DOWN';
      select.dispatchEvent(new Event('change'));
    });
    const relaid = await page.waitForPosted(RenderStats, { since, timeout: 30_000 });
    expect(relaid.layoutSource).toBe('server');
    expect(relaid.computedComponents).toBeGreaterThan(0);
    expect(asked.some((a) => a.jobs > 0)).toBe(true);
    expect(workerRequests).toEqual([]);
    expect(await page.problems()).toEqual([]);
    service.dispose();
  });

  it("a big graph's first drawing comes in the page's HTML and is drawn at once; the whole graph then takes its place without a move", async () => {
    const { graph, layouts, composed } = await heldOpening(1500, 12);
    const snapshot = cutSnapshot(composed, 'RIGHT');
    // The graph's first task, where the view opens.
    const watched = snapshot.nodes.find((n) => n.x === startRect(snapshot.nodes, 'RIGHT')!.x && n.y === startRect(snapshot.nodes, 'RIGHT')!.y)!.id;
    const open = (withSnapshot: boolean) =>
      openPage({
        viewport: { width: 1400, height: 1000 },
        layouts: async () => ({ entries: [] }),
        opening: () => ({ method: GraphLoad, graph: packGraph(graph), reason: 'open', layoutService: true, layouts: packLayouts(layouts), ...(withSnapshot ? { snapshot } : {}) }),
        onReady: async () => undefined,
        // Every frame from the page's start: nodes drawn, the watched node's place, the status.
        beforeNavigation: (p) =>
          p.addInitScript((id) => {
            const w = window as unknown as { __frames: { t: number; nodes: number; place: string | null; status: string }[] };
            w.__frames = [];
            const tick = () => {
              w.__frames.push({
                t: performance.now(),
                nodes: document.querySelectorAll('svg.detail g.node').length,
                place: document.querySelector(`svg.detail g.node[data-id="${CSS.escape(id)}"]`)?.getAttribute('transform') ?? null,
                status: document.querySelector('.status')?.textContent ?? '',
              });
              requestAnimationFrame(tick);
            };
            requestAnimationFrame(tick);
          }, watched),
      });
    const page = await open(true);
    const stats = await page.waitForPosted(RenderStats);
    expect(stats).toMatchObject({ nodes: graph.tasks.length, computedComponents: 0, layoutSource: 'cache' });
    expect(stats.firstPaintMs).toBeLessThan(stats.totalMs);
    const seen = await page.page.evaluate(() => (window as unknown as { __frames: { t: number; nodes: number; place: string | null; status: string }[] }).__frames);
    const settledAt = await page.page.evaluate(() => {
      const w = window as unknown as { __posted: { method: string }[]; __postedAt: number[] };
      return w.__postedAt[w.__posted.findIndex((m) => m.method === 'graph/renderStats')]!;
    });
    // Frames with the first drawing before the whole graph was in, saying what they show.
    const early = seen.filter((f) => f.t < settledAt && f.nodes > 0);
    expect(early.length).toBeGreaterThan(0);
    expect(early.some((f) => /part in view is shown/.test(f.status))).toBe(true);
    // The watched node never moved: drawn once where it stays.
    expect(new Set(seen.map((f) => f.place).filter((p) => p !== null))).toEqual(new Set([seen.at(-1)!.place]));
    // The whole graph ends drawn as without the first drawing.
    const plain = await open(false);
    expect((await plain.waitForPosted(RenderStats)).firstPaintMs).toBe((await plain.waitForPosted(RenderStats)).totalMs);
    // The same elements (the first drawing's come first in the document, the order differs).
    const drawing = (p: GraphPage) =>
      p.page.evaluate(() => {
        const svg = document.querySelector('svg.detail')!;
        const children = (selector: string) => [...svg.querySelector(selector)!.children].map((e) => e.outerHTML).sort();
        return { viewport: svg.querySelector('g.viewport')!.getAttribute('transform'), nodes: children('g.nodes'), edges: children('g.edges') };
      });
    const drawn = await drawing(page);
    expect(drawn.nodes.length).toBeGreaterThan(snapshot.nodes.length / 2);
    expect(drawn).toEqual(await drawing(plain));
    expect(await page.problems()).toEqual([]);
  });

  it("a small graph's whole drawing comes in the page's HTML: drawn as the page's own, with no visible graph built or layout assembled; a view it was not made for is built as before", async () => {
    const { graph, layouts, composed } = await heldOpening(200, 5);
    const picture = openingPicture(composed);
    expect(picture.drawing).toBeDefined();
    // A view other than the opening's is laid out by the server (real ELK in this process).
    const service = new LayoutService({ runner: nodeLayoutRunner, debounceMs: 0 });
    const open = (withDrawing: boolean, state?: unknown) =>
      openPage({
        viewport: { width: 1400, height: 1000 },
        layouts: async (keys, jobs) => service.lookup(keys, jobs),
        ...(state ? { state } : {}),
        opening: () => ({ method: GraphLoad, graph: packGraph(graph), reason: 'open', layoutService: true, layouts: packLayouts(layouts), ...(withDrawing ? picture : {}) }),
        onReady: async () => undefined,
      });
    // What the page did: its steps (User Timing, webview/src/timing.ts).
    const steps = (p: GraphPage) => p.page.evaluate(() => [...new Set(performance.getEntriesByType('measure').map((m) => m.name))]);
    const drawing = (p: GraphPage) =>
      p.page.evaluate(() => {
        const svg = document.querySelector('svg.detail')!;
        return { viewport: svg.querySelector('g.viewport')!.getAttribute('transform'), nodes: [...svg.querySelector('g.nodes')!.children].map((e) => e.outerHTML), edges: [...svg.querySelector('g.edges')!.children].map((e) => e.outerHTML) };
      });

    const taken = await open(true);
    expect(await taken.waitForPosted(RenderStats)).toMatchObject({ nodes: picture.drawing!.visible.nodes.length, computedComponents: 0, layoutSource: 'cache' });
    expect(await steps(taken)).toContain('graph:drawing');
    expect(await steps(taken)).not.toContain('graph:visibleGraph');
    const plain = await open(false);
    await plain.waitForPosted(RenderStats);
    expect(await steps(plain)).toContain('graph:visibleGraph');
    expect(await steps(plain)).not.toContain('graph:drawing');
    // The same elements in the same order, the same view.
    const drawn = await drawing(taken);
    expect(drawn.nodes.length).toBeGreaterThan(20);
    expect(drawn).toEqual(await drawing(plain));
    // The opening's layouts are kept once it is drawn: the same graph sent again (an edit elsewhere)
    // is laid out from them, with nothing asked of the host.
    const since = await taken.postedCount();
    await taken.send({ method: GraphLoad, graph: packGraph(graph), reason: 'update' });
    expect(await taken.waitForPosted(RenderStats, { since })).toMatchObject({ computedComponents: 0 });
    expect((await taken.posted()).slice(since).map((m) => m.method)).toEqual(['graph/renderStats']);
    expect(await taken.problems()).toEqual([]);

    // A page restored with the tables shown (lineage): the drawing was made without them, so the
    // page builds its view itself.
    await expect.poll(() => taken.state()).toMatchObject({ scope: { kind: 'workspace' } });
    const withTables = await open(true, { ...((await taken.state()) as object), tables: true });
    await withTables.waitForPosted(RenderStats);
    expect(await steps(withTables)).toContain('graph:visibleGraph');
    expect(await steps(withTables)).not.toContain('graph:drawing');
    expect(await withTables.problems()).toEqual([]);
    service.dispose();
  });
});
