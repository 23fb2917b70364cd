// The graph webview bundle (dist/webview, build first: `npm run build`) in Debian's Chromium,
// served with the host's real HTML and CSP, against a stubbed acquireVsCodeApi.
// The fixture is the analysis core's real output for test/fixtures/graph (all task kinds,
// dynamic edges, a self-dependency, cycles and diagnostics).
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GraphJson } from '../../extension/core/analysis/types';
import { CursorTask, GraphLoad, RunStates } from '../../extension/shared/protocol';
import { generateGraph } from './fixtures/generatedGraph';
import type { GraphPage } from './harness';
import { graphPageSession, loadGraph as load, settledAfter } from './session';

const fixture: GraphJson = JSON.parse(readFileSync(path.join(__dirname, 'fixtures', 'analysis-fixtures.graph.json'), 'utf8'));
const resultsDir = path.resolve(__dirname, '../../test-results');

/** Big enough to show the whole fixture at a readable zoom (it opens whole, every node in reach). */
const PANEL = { width: 1300, height: 1200 };
const { open } = graphPageSession({ viewport: PANEL });

beforeAll(() => {
  mkdirSync(resultsDir, { recursive: true });
});

const renderedNodeIds = (page: GraphPage) => page.page.$$eval('svg.detail g.node', (nodes) => nodes.map((n) => n.getAttribute('data-id')!).sort());

/** Tasks reachable from `start` along requirements (`up`) or dependents (`down`). */
function closure(start: string, direction: 'up' | 'down', depth = Infinity): string[] {
  const seen = new Set([start]);
  let frontier = [start];
  for (let level = 0; level < depth && frontier.length; level++) {
    frontier = fixture.edges
      .filter((e) => frontier.includes(direction === 'up' ? e.to : e.from))
      .map((e) => (direction === 'up' ? e.from : e.to))
      .filter((id) => !seen.has(id) && (seen.add(id), true));
  }
  return [...seen].sort();
}

describe('graph webview', () => {
  it('renders every node and edge of the fixture, kinds and edge kinds told apart, under the strict CSP', async () => {
    const page = await open();
    const stats = await load(page, fixture);
    expect(stats).toMatchObject({ nodes: fixture.tasks.length, edges: fixture.edges.length });
    expect(await renderedNodeIds(page)).toEqual(fixture.tasks.map((t) => t.id).sort());
    expect(await page.page.locator('svg.detail path.edge').count()).toBe(fixture.edges.length);

    for (const kind of ['task', 'wrapper', 'external'] as const) {
      expect(await page.page.locator(`svg.detail g.node.k-${kind}`).count()).toBe(fixture.tasks.filter((t) => t.kind === kind).length);
    }
    const dynamic = fixture.edges.filter((e) => e.kind === 'dynamic').length;
    expect(dynamic).toBeGreaterThan(0);
    const dashes = await page.page.$$eval('svg.detail path.edge', (paths) => paths.map((p) => [p.classList.contains('dynamic'), getComputedStyle(p).strokeDasharray]));
    expect(dashes.filter(([isDynamic]) => isDynamic)).toHaveLength(dynamic);
    for (const [isDynamic, dash] of dashes) expect(dash === 'none').toBe(!isDynamic);
    // Shapes differ by kind: externals are pills with a dashed outline, wrappers hexagons.
    expect(await page.page.$eval('g.node.k-external > .shape', (s) => [s.tagName, getComputedStyle(s).strokeDasharray])).toEqual(['rect', '4px, 3px']);
    expect(await page.page.$eval('g.node.k-wrapper > .shape', (s) => s.tagName)).toBe('path');

    // The layout ran in a worker started from a blob: URL, as the CSP allows.
    expect(page.page.workers().some((w) => w.url().startsWith('blob:'))).toBe(true);
    expect(await page.problems()).toEqual([]);
  });

  it('a click on a node selects it and posts the reveal message', async () => {
    const page = await open();
    await load(page, fixture);
    await page.page.locator('g.node[data-id="orders.loads.LoadOrders"]').click();
    const reveal = await page.waitForPosted('graph/revealTask');
    expect(reveal).toEqual({ method: 'graph/revealTask', taskId: 'orders.loads.LoadOrders' });
    await expect.poll(() => page.page.locator('g.node.selected').getAttribute('data-id')).toBe('orders.loads.LoadOrders');
    // The edges of the selected node are highlighted.
    const incident = fixture.edges.filter((e) => e.from === 'orders.loads.LoadOrders' || e.to === 'orders.loads.LoadOrders').length;
    expect(await page.page.locator('path.edge.hl').count()).toBe(incident);
  });

  it('arrow keys move the selection along the graph, Enter opens it, Escape lets the arrows pan again', async () => {
    const page = await open();
    await load(page, fixture);
    const start = 'orders.loads.LoadOrders';
    const downstream = fixture.edges.filter((e) => e.from === start).map((e) => e.to);
    expect(downstream.length).toBeGreaterThan(0);
    await page.page.locator(`g.node[data-id="${start}"]`).click();
    await page.waitForPosted('graph/revealTask');
    const selected = () => page.page.locator('g.node.selected').getAttribute('data-id');
    const since = await page.postedCount();
    // RIGHT layout: downstream is to the right, and the selected task's own dependents come first.
    await page.page.keyboard.press('ArrowRight');
    await expect.poll(selected).not.toBe(start);
    const moved = (await selected())!;
    expect(downstream).toContain(moved);
    const [from, to] = await Promise.all([start, moved].map((id) => page.page.locator(`g.node[data-id="${id}"]`).boundingBox()));
    expect(to!.x).toBeGreaterThan(from!.x);
    // Moving does not open files; Enter does.
    expect((await page.posted()).slice(since).filter((m) => m.method === 'graph/revealTask')).toEqual([]);
    await page.page.keyboard.press('Enter');
    expect(await page.waitForPosted('graph/revealTask', { since })).toEqual({ method: 'graph/revealTask', taskId: moved });
    await page.page.keyboard.press('ArrowLeft');
    await expect.poll(selected).not.toBe(moved);
    const back = (await page.page.locator('g.node.selected').boundingBox())!;
    expect(back.x).toBeLessThan(to!.x);
    await page.page.keyboard.press('Escape');
    await expect.poll(() => page.page.locator('g.node.selected').count()).toBe(0);
    const before = await page.page.locator(`g.node[data-id="${start}"]`).boundingBox();
    await page.page.keyboard.press('ArrowRight');
    await expect.poll(async () => (await page.page.locator(`g.node[data-id="${start}"]`).boundingBox())!.x).toBeLessThan(before!.x);
  });

  it('P on the selected task, or its context menu, asks the host for the rows it wrote; a group has none', async () => {
    const page = await open();
    await load(page, fixture);
    const task = fixture.tasks.find((t) => (t.tables?.length ?? 0) > 0)!;
    const node = page.page.locator(`g.node[data-id="${task.id}"]`);
    await node.click();
    await page.waitForPosted('graph/revealTask');
    const since = await page.postedCount();
    await page.page.keyboard.press('p');
    expect(await page.waitForPosted('graph/previewTaskRows', { since })).toEqual({ method: 'graph/previewTaskRows', taskId: task.id });
    // VS Code's context menu reads data-vscode-context from the right-clicked element up.
    await node.click({ button: 'right' });
    expect(JSON.parse((await page.page.locator('.canvas').getAttribute('data-vscode-context'))!)).toEqual({ webviewSection: 'task', taskId: task.id, preventDefaultContextMenuItems: true });
    // The hover card says how.
    await page.page.keyboard.press('Escape');
    await node.hover();
    await expect.poll(() => page.page.locator('.tooltip .hint').textContent()).toMatch(/press P .* preview the rows it wrote/);
    // A module group is no task: P asks for nothing.
    const module = task.module;
    await page.page.click('button.modules');
    await settledAfter(page, () => page.page.locator('.modules-panel label', { hasText: ` ${module} ` }).locator('input').check());
    await page.page.keyboard.press('Escape');
    // Fit the view: the group may sit outside it.
    await page.page.locator('.canvas').focus();
    await page.page.keyboard.press('0');
    await page.page.locator(`g.node[data-id="module:${module}"]`).click();
    const afterGroup = await page.postedCount();
    await page.page.keyboard.press('p');
    await page.page.keyboard.press('Escape');
    expect((await page.posted()).slice(afterGroup).filter((m) => m.method === 'graph/previewTaskRows')).toEqual([]);
  });

  it('a new panel takes its layout direction from the host setting', async () => {
    const page = await open({ defaultDirection: 'DOWN' });
    await load(page, fixture);
    expect(await page.page.locator('select.direction').inputValue()).toBe('DOWN');
    const edge = fixture.edges.find((e) => e.kind === 'requires' && e.from !== e.to)!;
    const [up, down] = await Promise.all([edge.from, edge.to].map((id) => page.page.locator(`g.node[data-id="${id}"]`).boundingBox()));
    expect(down!.y).toBeGreaterThan(up!.y);
  });

  it('search marks matching tasks and fades the rest', async () => {
    const page = await open();
    await load(page, fixture);
    await page.page.fill('input.search', 'revenue');
    const expected = fixture.tasks
      .filter((t) => [t.id, t.name, ...(t.tables ?? []), ...t.outputs.flatMap((o) => o.tables ?? [])].some((s) => s.toLowerCase().includes('revenue')))
      .map((t) => t.id)
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    await expect.poll(async () => (await page.page.$$eval('g.node.match', (n) => n.map((e) => e.getAttribute('data-id')))).sort()).toEqual(expected);
    const opacities = await page.page.$$eval('g.node:not(.match)', (nodes) => [...new Set(nodes.map((n) => getComputedStyle(n).opacity))]);
    expect(opacities).toEqual(['0.3']);
    expect(await page.page.textContent('.search-box .count')).toBe(`1 of ${expected.length}`);
    // Enter selects (and centres) the first match.
    await page.page.press('input.search', 'Enter');
    await expect.poll(() => page.page.locator('g.node.selected').count()).toBe(1);
    expect(expected).toContain(await page.page.locator('g.node.selected').getAttribute('data-id'));
  });

  it('focus mode shows only the lineage of the selected task, to the chosen depth', async () => {
    const page = await open();
    await load(page, fixture);
    const target = 'orders.reports.RevenueReport';
    await page.page.locator(`g.node[data-id="${target}"]`).click();
    await settledAfter(page, () => page.page.selectOption('select.focus', 'upstream'));
    expect(await renderedNodeIds(page)).toEqual(closure(target, 'up'));
    expect(closure(target, 'up').length).toBeLessThan(fixture.tasks.length);

    await settledAfter(page, () => page.page.selectOption('select.depth', '1'));
    expect(await renderedNodeIds(page)).toEqual(closure(target, 'up', 1));

    await settledAfter(page, () => page.page.selectOption('select.focus', 'off'));
    expect(await renderedNodeIds(page)).toHaveLength(fixture.tasks.length);
  });

  it('the file scope shows the file with everything up- and downstream', async () => {
    const page = await open();
    await load(page, fixture, { scope: { kind: 'file', file: 'orders/loads.py' } });
    const seeds = fixture.tasks.filter((t) => t.file === 'orders/loads.py').map((t) => t.id);
    const expected = [...new Set(seeds.flatMap((s) => [...closure(s, 'up'), ...closure(s, 'down')]))].sort();
    expect(await renderedNodeIds(page)).toEqual(expected);
    expect(await page.page.textContent('button.scope')).toBe('File: loads.py');
    await settledAfter(page, () => page.page.click('button.scope'));
    expect(await renderedNodeIds(page)).toHaveLength(fixture.tasks.length);
  });

  it('colours nodes by run state, by task id and by family with instance counts', async () => {
    const page = await open();
    await load(page, fixture);
    await page.send({
      method: RunStates,
      update: { reset: true, byTaskId: { 'orders.loads.LoadOrders': 'failed', 'orders.loads.LoadCustomers': 'done' }, byFamily: { DailyRevenue: { done: 3, running: 1 } } },
    });
    const failed = page.page.locator('g.node[data-id="orders.loads.LoadOrders"]');
    await expect.poll(() => failed.getAttribute('class')).toContain('s-failed');
    expect(await failed.locator('> .shape').evaluate((s) => getComputedStyle(s).stroke)).toBe('rgb(241, 76, 76)');
    expect(await failed.locator('.status').count()).toBe(1);
    const done = page.page.locator('g.node[data-id="orders.loads.LoadCustomers"] > .shape');
    expect(await done.evaluate((s) => getComputedStyle(s).stroke)).toBe('rgb(115, 201, 145)');
    const family = page.page.locator('g.node[data-id="orders.aggregates.DailyRevenue"]');
    expect(await family.getAttribute('class')).toContain('s-running');
    // 3 done + 1 running: a strip with both states, widths 3:1.
    const strip = await family.locator('.progress rect').evaluateAll((rects) => rects.map((r) => [r.getAttribute('class'), Number(r.getAttribute('width'))]));
    expect(strip.map(([c]) => c)).toEqual(['p-running', 'p-done']);
    expect((strip[1]![1] as number) / (strip[0]![1] as number)).toBeCloseTo(3, 1);
    // A new run starts from scratch.
    await page.send({ method: RunStates, update: { reset: true } });
    await expect.poll(() => page.page.locator('g.node[class*=" s-"]').count()).toBe(0);
  });

  it('follows the editor cursor and shows diagnostics badges', async () => {
    const page = await open();
    await load(page, fixture);
    await page.send({ method: CursorTask, taskId: 'orders.exports.OrdersExport' });
    await expect.poll(() => page.page.locator('g.node.cursor').getAttribute('data-id')).toBe('orders.exports.OrdersExport');
    await page.send({ method: CursorTask, taskId: null });
    await expect.poll(() => page.page.locator('g.node.cursor').count()).toBe(0);

    const withProblems = new Set(fixture.diagnostics.flatMap((d) => fixture.tasks.filter((t) => t.file === d.file && d.line >= t.line && d.line <= (t.endLine ?? t.line)).map((t) => t.id)));
    expect(withProblems.size).toBeGreaterThan(0);
    const badged = await page.page.$$eval('g.node:has(> .badge)', (nodes) => nodes.map((n) => n.getAttribute('data-id')).sort());
    expect(badged).toEqual([...withProblems].sort());
    const cycleA = fixture.tasks.find((t) => t.name === 'CycleA')!;
    expect(await page.page.locator(`g.node[data-id="${cycleA.id}"] .badge`).getAttribute('class')).toBe('badge warning');
  });

  it('hover shows parameters, outputs, tables and the docstring', async () => {
    const page = await open();
    await load(page, fixture);
    const task = fixture.tasks.find((t) => t.params.length > 0 && t.doc && (t.tables?.length ?? 0) > 0)!;
    await page.page.locator(`g.node[data-id="${task.id}"]`).hover();
    const tooltip = page.page.locator('.tooltip');
    await expect.poll(() => tooltip.isVisible()).toBe(true);
    const text = (await tooltip.textContent())!;
    expect(text).toContain(task.name);
    expect(text).toContain(task.doc!);
    for (const p of task.params) expect(text).toContain(p.name);
    for (const table of task.tables!) expect(text).toContain(table);
    expect(text).toContain(`${task.file}:${task.line}`);
  });

  it('collapses a module into one node and expands it again', async () => {
    const page = await open();
    await load(page, fixture);
    const module = 'orders.loads';
    const members = fixture.tasks.filter((t) => t.module === module);
    await page.page.click('button.modules');
    await settledAfter(page, () => page.page.locator('.modules-panel label', { hasText: ` ${module} ` }).locator('input').check());
    const ids = await renderedNodeIds(page);
    expect(ids).toContain(`module:${module}`);
    expect(ids).toHaveLength(fixture.tasks.length - members.length + 1);
    expect(await page.page.textContent(`g.node[data-id="module:${module}"] .detail`)).toBe(`${members.length} tasks`);
    // The view saves its state 200 ms after the last change.
    await expect.poll(async () => ((await page.state()) as { collapsedModules?: string[] } | undefined)?.collapsedModules).toEqual([module]);
    await page.page.keyboard.press('Escape');
    await settledAfter(page, () => page.page.locator(`g.node[data-id="module:${module}"]`).dblclick());
    expect(await renderedNodeIds(page)).toHaveLength(fixture.tasks.length);
  });

  it('an edit re-lays out without moving what did not change, keeping zoom and selection', async () => {
    const page = await open();
    await load(page, fixture);
    await page.page.locator('g.node[data-id="orders.loads.LoadOrders"]').click();
    await page.page.mouse.move(600, 400);
    await page.page.mouse.wheel(0, -300);
    const transformBefore = await page.page.getAttribute('svg.detail g.viewport', 'transform');
    const placesBefore = Object.fromEntries(await page.page.$$eval('g.node', (n) => n.map((e) => [e.getAttribute('data-id'), e.getAttribute('transform')])));

    // A new task in forms/shapes.py requiring Source: only that component changes.
    const edited: GraphJson = structuredClone(fixture);
    const source = fixture.tasks.find((t) => t.name === 'Source')!;
    edited.tasks.push({ ...source, id: `${source.module}.AddedByEdit`, name: 'AddedByEdit', kind: 'task', line: 999 });
    edited.edges.push({ from: source.id, to: `${source.module}.AddedByEdit`, kind: 'requires' });
    const stats = await settledAfter(page, () => page.send({ method: GraphLoad, graph: edited, reason: 'update' }));
    expect(stats.nodes).toBe(fixture.tasks.length + 1);
    expect(stats.computedComponents).toBe(1);
    expect(await page.page.getAttribute('svg.detail g.viewport', 'transform')).toBe(transformBefore);
    expect(await page.page.locator('g.node.selected').getAttribute('data-id')).toBe('orders.loads.LoadOrders');
    const placesAfter = Object.fromEntries(await page.page.$$eval('g.node', (n) => n.map((e) => [e.getAttribute('data-id'), e.getAttribute('transform')])));
    const sourceComponent = connectedTo(source.id);
    const elsewhere = Object.keys(placesBefore).filter((id) => !sourceComponent.has(id) && id in placesAfter);
    expect(elsewhere.length).toBeGreaterThan(10);
    for (const id of elsewhere) expect(placesAfter[id], id).toBe(placesBefore[id]);
  });

  it('restores its state (scope, groups, selection, zoom) when VS Code revives the panel', async () => {
    const first = await open();
    await load(first, fixture);
    await first.page.click('button.modules');
    await settledAfter(first, () => first.page.locator('.modules-panel label', { hasText: ' forms.shapes ' }).locator('input').check());
    await first.page.keyboard.press('Escape');
    await first.page.locator('g.node[data-id="orders.loads.LoadOrders"]').click();
    await first.page.mouse.move(500, 300);
    await first.page.mouse.wheel(0, -200);
    await new Promise((r) => setTimeout(r, 400)); // state is saved debounced
    const saved = await first.state();
    const transform = await first.page.getAttribute('svg.detail g.viewport', 'transform');

    const revived = await open({ state: saved, hostCache: await first.hostCache() });
    const stats = await load(revived, fixture, { scope: undefined });
    expect(stats.computedComponents).toBe(0);
    expect(await revived.page.getAttribute('svg.detail g.viewport', 'transform')).toBe(transform);
    expect(await revived.page.locator('g.node.selected').getAttribute('data-id')).toBe('orders.loads.LoadOrders');
    expect(await revived.page.locator('g.node[data-id="module:forms.shapes"]').count()).toBe(1);
  });

  it('reopens a graph seen before from the host cache without laying it out', async () => {
    const first = await open();
    const fresh = await load(first, fixture);
    expect(fresh.computedComponents).toBeGreaterThan(0);
    const cache = await first.hostCache();
    expect(cache.length).toBe(fresh.computedComponents);
    const second = await open({ hostCache: cache });
    const cached = await load(second, fixture);
    expect(cached.computedComponents).toBe(0);
    expect(cached.cachedComponents).toBe(fresh.cachedComponents + fresh.computedComponents);
    expect(await renderedNodeIds(second)).toHaveLength(fixture.tasks.length);
  });

  it('exports the drawing as SVG and PNG', async () => {
    const page = await open();
    await load(page, fixture);
    await page.page.click('button.more');
    await page.page.click('button[aria-label="Export as SVG"]');
    const svg = await page.waitForPosted('graph/export');
    expect(svg.format).toBe('svg');
    expect(svg.data.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.data.match(/<g class="node /g)).toHaveLength(fixture.tasks.length);
    // The theme is inlined: the exported file looks like the panel outside VS Code.
    expect(svg.data).toContain('--vscode-editor-background:#1f1f1f');

    const since = await page.postedCount();
    await page.page.click('button.more');
    await page.page.click('button[aria-label="Export as PNG"]');
    const png = await page.waitForPosted('graph/export', { since });
    expect(png.format).toBe('png');
    const bytes = Buffer.from(png.data, 'base64');
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(bytes.length).toBeGreaterThan(5000);
    expect(await page.problems()).toEqual([]);
  });

  it('draws a zoomed-out large graph on the canvas overview and switches to SVG when zoomed in', async () => {
    const page = await open();
    const big = generateGraph({ tasks: 1000 });
    const stats = await load(page, big);
    expect(stats.nodes).toBe(1000);
    // It opens at a readable zoom (graph-readability.test.ts); zoomed out, the canvas takes over.
    await page.page.mouse.move(600, 400);
    for (let i = 0; i < 12; i++) await page.page.mouse.wheel(0, 400);
    await expect.poll(() => page.page.locator('canvas.overview').isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await page.page.locator('svg.detail').isVisible()).toBe(false);
    // Something is drawn: the canvas is not blank.
    const inked = await page.page.$eval('canvas.overview', (c) => {
      const d = (c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, (c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
      return n;
    });
    expect(inked).toBeGreaterThan(10_000);
    await page.page.mouse.move(600, 400);
    for (let i = 0; i < 12; i++) await page.page.mouse.wheel(0, -400);
    await expect.poll(() => page.page.locator('svg.detail').isVisible(), { timeout: 10_000 }).toBe(true);
    const shown = await renderedNodeIds(page);
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.length).toBeLessThan(700);
    expect(await page.problems()).toEqual([]);
  });

  it('groups a large instance-level graph by family with counts, and expands a family on demand', async () => {
    const page = await open();
    // A run's view: 40 families of 25 instances each (one per date), each instance requiring the
    // same date's instance of the previous family.
    const tasks: GraphJson['tasks'] = [];
    const edges: GraphJson['edges'] = [];
    for (let f = 0; f < 40; f++) {
      for (let d = 0; d < 25; d++) {
        const name = `Step${f}`;
        tasks.push({ id: `runs.daily.${name}(date=2024-01-${String(d + 1).padStart(2, '0')})`, name, kind: f === 0 ? 'external' : 'task', file: 'runs/daily.py', line: 10 + f * 20, params: [], outputs: [], module: 'runs.daily' });
        if (f > 0) edges.push({ from: tasks[(f - 1) * 25 + d]!.id, to: tasks[f * 25 + d]!.id, kind: 'requires' });
      }
    }
    const stats = await load(page, { tasks, edges, diagnostics: [] });
    expect(stats).toMatchObject({ nodes: 40, edges: 39 });
    // A chain of 40 opens at a readable zoom on its start; zoomed out, all of it is drawn.
    await page.page.mouse.move(600, 400);
    for (let i = 0; i < 8; i++) await page.page.mouse.wheel(0, 400);
    await expect.poll(() => page.page.locator('path.edge.merged').count()).toBe(39);
    expect(await page.page.textContent('g.node[data-id="family:runs.daily.Step7"] .detail')).toBe('25 instances');
    // Merged edges are drawn heavier.
    expect(await page.page.locator('path.edge.merged').count()).toBe(39);
    await page.send({ method: RunStates, update: { byFamily: { Step7: { done: 20, failed: 5 } } } });
    await expect.poll(() => page.page.locator('g.node[data-id="family:runs.daily.Step7"]').getAttribute('class')).toContain('s-failed');

    const expanded = await settledAfter(page, () => page.page.locator('g.node[data-id="family:runs.daily.Step7"]').dblclick());
    expect(expanded.nodes).toBe(40 - 1 + 25);
    expect(await page.page.locator('g.node[data-id^="runs.daily.Step7("]').count()).toBe(25);
    await expect.poll(async () => ((await page.state()) as { expandedFamilies?: string[] } | undefined)?.expandedFamilies).toEqual(['runs.daily.Step7']);
  });

  it('is legible in light, dark and high-contrast themes (screenshots in test-results/)', async () => {
    for (const theme of ['light', 'dark', 'high-contrast'] as const) {
      const page = await open({ theme, viewport: { width: 1400, height: 900 } });
      await load(page, fixture, { scope: { kind: 'file', file: 'orders/loads.py' } });
      await page.send({ method: RunStates, update: { byTaskId: { 'orders.loads.LoadOrders': 'failed', 'orders.loads.LoadCustomers': 'done', 'orders.exports.OrdersExport': 'running' } } });
      await page.page.locator('g.node[data-id="orders.loads.LoadProducts"]').click();
      await page.page.waitForTimeout(100);
      await page.page.screenshot({ path: path.join(resultsDir, `graph-view-${theme}.png`) });
      // Label text and node fill differ enough to read (WCAG contrast of at least 4.5:1).
      const [fg, bg] = await page.page.$eval('g.node[data-id="orders.loads.LoadOrders"]', (n) => [getComputedStyle(n.querySelector('.label')!).fill, getComputedStyle(n.querySelector('.shape')!).fill]);
      expect(contrast(fg!, bg!), `${theme}: ${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
    }
  });
});

/** Tasks connected to `start` by edges in either direction (its component). */
function connectedTo(start: string): Set<string> {
  const seen = new Set([start]);
  let frontier = [start];
  while (frontier.length) {
    frontier = fixture.edges
      .flatMap((e) => (frontier.includes(e.from) ? [e.to] : frontier.includes(e.to) ? [e.from] : []))
      .filter((id) => !seen.has(id) && (seen.add(id), true));
  }
  return seen;
}

function contrast(a: string, b: string): number {
  const lum = (rgb: string) => {
    const [r, g, bl] = rgb.match(/\d+(\.\d+)?/g)!.slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [l1, l2] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (l1! + 0.05) / (l2! + 0.05);
}
