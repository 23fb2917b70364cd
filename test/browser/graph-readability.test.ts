// Readable at every size (issue 17): the graph opens and fits at a zoom where labels are at
// least 10 px, never above 100 %; larger graphs open on the task that matters (or the start)
// with a minimap; search moves to its matches; the toolbar is one row that never jumps; the
// hover card avoids its node; same-named tasks carry their module; the footer tells the truth.
// The built webview (`node scripts/build.mjs`) in Debian's Chromium, as graph-view.test.ts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GraphJson, TaskNode } from '../../extension/core/analysis/types';
import { GraphLoad } from '../../extension/shared/protocol';
import { generateGraph } from './fixtures/generatedGraph';
import type { GraphPage } from './harness';
import { graphPageSession, loadGraph as load, settledAfter } from './session';

const fixture: GraphJson = JSON.parse(readFileSync(path.join(__dirname, 'fixtures', 'analysis-fixtures.graph.json'), 'utf8'));

const { open } = graphPageSession();

function task(module: string, name: string, extra: Partial<TaskNode> = {}): TaskNode {
  return { id: `${module}.${name}`, name, kind: 'task', file: `${module.replaceAll('.', '/')}.py`, line: 1, params: [], outputs: [], module, ...extra };
}

/** A chain of six tasks, like samples/orders: wide, one row. */
const sixTasks: GraphJson = (() => {
  const names = ['CustomersExport', 'OrdersExport', 'LoadCustomers', 'LoadOrders', 'DailyRevenue', 'AllReports'];
  const tasks = names.map((n, i) => task('pipeline', n, { kind: i < 2 ? 'external' : 'task', line: 10 * i + 1 }));
  const edges: GraphJson['edges'] = [
    { from: 'pipeline.CustomersExport', to: 'pipeline.LoadCustomers', kind: 'requires' },
    { from: 'pipeline.OrdersExport', to: 'pipeline.LoadOrders', kind: 'requires' },
    { from: 'pipeline.LoadCustomers', to: 'pipeline.DailyRevenue', kind: 'requires' },
    { from: 'pipeline.LoadOrders', to: 'pipeline.DailyRevenue', kind: 'requires' },
    { from: 'pipeline.DailyRevenue', to: 'pipeline.AllReports', kind: 'requires' },
  ];
  return { tasks, edges, diagnostics: [] };
})();

const big = generateGraph({ tasks: 345, seed: 17 });

/** Rendered font size (CSS px on screen) of every drawn label, and the view's zoom. */
/**
 * On-screen label heights (CSS px) of the drawn labels. A reading that is not a number (seen once
 * in a full CI run, right after Fit, and never again in repeated runs) is left out, not taken for a
 * small label; callers also check that labels were measured.
 */
const labelSizes = async (page: GraphPage) => {
  const sizes = await page.page.$$eval('svg.detail g.node text.label', (labels) => labels.map((l) => parseFloat(getComputedStyle(l).fontSize) * (l as SVGTextElement).getScreenCTM()!.a));
  const measured = sizes.filter(Number.isFinite);
  expect(measured.length, `label sizes read: ${JSON.stringify(sizes.slice(0, 20))}`).toBeGreaterThan(0);
  return measured;
};
const zoom = async (page: GraphPage) => Number((await page.page.getAttribute('svg.detail g.viewport', 'transform'))!.match(/^matrix\(([\d.e-]+),/)![1]);

/** Screen rectangles of nodes, and of the drawing area. */
const box = (page: GraphPage, selector: string) => page.page.locator(selector).boundingBox();
const inside = (inner: { x: number; y: number; width: number; height: number }, outer: { x: number; y: number; width: number; height: number }) =>
  inner.x >= outer.x - 0.5 && inner.y >= outer.y - 0.5 && inner.x + inner.width <= outer.x + outer.width + 0.5 && inner.y + inner.height <= outer.y + outer.height + 0.5;
const intersects = (a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('graph view: readable at every size', () => {
  it('opens a 345-task graph at readable labels (>= 10 px), at its start, with a minimap', async () => {
    const page = await open();
    await load(page, big);
    const sizes = await labelSizes(page);
    expect(sizes.length).toBeGreaterThan(10);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(10);
    expect(await page.page.locator('canvas.minimap').isVisible()).toBe(true);
    // The start of a left-to-right graph: its leftmost node is on screen, not cut off.
    const stage = (await box(page, '.canvas'))!;
    const leftmost = await page.page.$$eval('svg.detail g.node', (nodes) => {
      const rects = nodes.map((n) => n.getBoundingClientRect());
      const r = rects.reduce((a, b) => (b.x < a.x ? b : a));
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    });
    expect(inside(leftmost, stage)).toBe(true);
    expect(await page.problems()).toEqual([]);
  });

  it('opens a large graph centred on the task to reveal, and the minimap moves the view', async () => {
    const page = await open();
    const target = big.tasks[300]!.id;
    await load(page, big, { revealTaskId: target });
    const stage = (await box(page, '.canvas'))!;
    const node = (await box(page, `g.node[data-id="${target}"]`))!;
    expect(Math.abs(node.x + node.width / 2 - (stage.x + stage.width / 2))).toBeLessThan(2);
    expect(Math.min(...(await labelSizes(page)))).toBeGreaterThanOrEqual(10);
    // A press on the minimap's top-left corner brings the graph's top-left into view.
    const before = await page.page.getAttribute('svg.detail g.viewport', 'transform');
    const minimap = (await box(page, 'canvas.minimap'))!;
    await page.page.mouse.click(minimap.x + 6, minimap.y + 6);
    await expect.poll(() => page.page.getAttribute('svg.detail g.viewport', 'transform')).not.toBe(before);
    expect(await zoom(page)).toBeCloseTo(0.84, 5);
  });

  it('does not blow a 6-task graph up past 100 %, and never fits it to 9 px labels in a narrow panel', async () => {
    const wide = await open({ viewport: { width: 1600, height: 900 } });
    await load(wide, sixTasks);
    expect(await zoom(wide)).toBeLessThanOrEqual(1);
    expect(await zoom(wide)).toBeGreaterThanOrEqual(0.84);
    expect(await wide.page.locator('canvas.minimap').isVisible()).toBe(false);
    const stage = (await box(wide, '.canvas'))!;
    for (const id of sixTasks.tasks.map((t) => t.id)) expect(inside((await box(wide, `g.node[data-id="${id}"]`))!, stage), id).toBe(true);

    // Beside an editor: too narrow to show the chain whole at 10 px labels.
    const narrow = await open({ viewport: { width: 520, height: 700 } });
    await load(narrow, sixTasks);
    expect(Math.min(...(await labelSizes(narrow)))).toBeGreaterThanOrEqual(10);
    expect(await zoom(narrow)).toBeLessThanOrEqual(1);
    expect(await narrow.page.locator('canvas.minimap').isVisible()).toBe(true);
    // Fit keeps the rule.
    await narrow.page.locator('.canvas').focus();
    await narrow.page.keyboard.press('0');
    expect(Math.min(...(await labelSizes(narrow)))).toBeGreaterThanOrEqual(10);
  });

  it('a new graph in a panel that kept an old position opens by the rule', async () => {
    const page = await open();
    await load(page, sixTasks);
    // The user zoomed far out and panned away.
    await page.page.mouse.move(100, 100);
    for (let i = 0; i < 6; i++) await page.page.mouse.wheel(0, 400);
    await page.page.mouse.move(300, 300);
    await page.page.mouse.down();
    await page.page.mouse.move(900, 700, { steps: 5 });
    await page.page.mouse.up();
    expect(await zoom(page)).toBeLessThan(0.5);
    // The index arrives: 345 tasks, as an update of the same panel.
    await settledAfter(page, () => page.send({ method: GraphLoad, graph: big, reason: 'update' }));
    expect(Math.min(...(await labelSizes(page)))).toBeGreaterThanOrEqual(10);
    expect(await zoom(page)).toBeCloseTo(0.84, 5);

    // A revived panel whose saved viewport belonged to another graph opens by the rule too.
    await new Promise((r) => setTimeout(r, 400)); // state is saved debounced
    const small = await open();
    await load(small, sixTasks);
    await small.page.mouse.move(100, 100);
    for (let i = 0; i < 6; i++) await small.page.mouse.wheel(0, 400);
    await new Promise((r) => setTimeout(r, 400));
    const revived = await open({ state: await small.state() });
    await load(revived, big, { scope: undefined });
    expect(await zoom(revived)).toBeCloseTo(0.84, 5);
  });

  it('search moves to the match, counts "k of n", and cycles with Enter, Shift+Enter and the buttons', async () => {
    const page = await open();
    await load(page, big);
    const stage = (await box(page, '.canvas'))!;
    // Matches far from the start: tasks of the last modules, off-screen at open.
    const query = 'm13.';
    const expected = big.tasks.filter((t) => t.id.toLowerCase().includes(query)).map((t) => t.id);
    expect(expected.length).toBeGreaterThan(3);
    expect(await page.page.locator(`g.node[data-id="${expected[0]}"]`).count()).toBe(0);
    const toolbarBefore = (await box(page, '.toolbar'))!;

    await page.page.fill('input.search', query);
    await expect.poll(() => page.page.textContent('.search-box .count')).toBe(`1 of ${expected.length}`);
    const current = async () => page.page.locator('g.node.match.current').getAttribute('data-id');
    await expect.poll(() => page.page.locator('g.node.match.current').count()).toBe(1);
    const first = (await current())!;
    expect(expected).toContain(first);
    expect(inside((await box(page, `g.node[data-id="${first}"]`))!, stage)).toBe(true);
    expect(await page.page.$eval(`g.node[data-id="${first}"]`, (n) => getComputedStyle(n).opacity)).toBe('1');
    expect(Math.min(...(await labelSizes(page)))).toBeGreaterThanOrEqual(10);

    // Enter takes the current match, then moves on; Shift+Enter and the buttons go both ways.
    await page.page.press('input.search', 'Enter');
    await expect.poll(() => page.page.locator('g.node.selected').getAttribute('data-id')).toBe(first);
    await page.page.press('input.search', 'Enter');
    await expect.poll(() => page.page.textContent('.search-box .count')).toBe(`2 of ${expected.length}`);
    const second = (await page.page.locator('g.node.selected').getAttribute('data-id'))!;
    expect(second).not.toBe(first);
    expect(inside((await box(page, `g.node[data-id="${second}"]`))!, stage)).toBe(true);
    await page.page.press('input.search', 'Shift+Enter');
    await expect.poll(() => page.page.locator('g.node.selected').getAttribute('data-id')).toBe(first);
    await page.page.click('button[aria-label="Previous match (Shift+Enter)"]');
    await expect.poll(() => page.page.textContent('.search-box .count')).toBe(`${expected.length} of ${expected.length}`);
    const last = (await page.page.locator('g.node.selected').getAttribute('data-id'))!;
    expect(inside((await box(page, `g.node[data-id="${last}"]`))!, stage)).toBe(true);
    await page.page.click('button[aria-label="Next match (Enter)"]');
    await expect.poll(() => page.page.textContent('.search-box .count')).toBe(`1 of ${expected.length}`);

    await page.page.fill('input.search', 'NoSuchTaskAnywhere');
    await expect.poll(() => page.page.textContent('.search-box .count')).toBe('No matches');
    expect(await box(page, '.toolbar')).toEqual(toolbarBefore);
  });

  it('keeps the toolbar one row that does not move on selection or search, with labelled controls', async () => {
    const page = await open({ viewport: { width: 1300, height: 1200 } });
    await load(page, fixture);
    const layout = () =>
      page.page.$$eval('.toolbar, .toolbar > .row > *, .toolbar button.more', (els) =>
        els.map((e) => {
          const r = e.getBoundingClientRect();
          return `${e.className}:${Math.round(r.x)},${Math.round(r.y)},${Math.round(r.width)},${Math.round(r.height)}`;
        }),
      );
    const before = await layout();
    await page.page.locator('g.node[data-id="orders.loads.LoadOrders"]').click();
    await expect.poll(() => page.page.locator('g.node.selected').count()).toBe(1);
    expect(await layout()).toEqual(before);
    await page.page.fill('input.search', 'revenue');
    await expect.poll(() => page.page.textContent('.search-box .count')).toMatch(/^1 of \d+$/);
    expect(await layout()).toEqual(before);
    await settledAfter(page, () => page.page.selectOption('select.focus', 'upstream'));
    expect(await layout()).toEqual(before);
    // Labelled: the focus depth says what it is.
    expect(await page.page.textContent('label.depth-item')).toContain('Depth');
    expect(await page.page.textContent('label.focus-item')).toContain('Focus');

    // A narrow panel: still one row of the same height; what does not fit is in the More menu.
    const height = (await box(page, '.toolbar'))!.height;
    await page.page.setViewportSize({ width: 420, height: 700 });
    await expect.poll(async () => (await box(page, '.toolbar'))!.height).toBe(height);
    const row = await page.page.$eval('.toolbar > .row', (r) => ({ scroll: r.scrollWidth, client: r.clientWidth }));
    expect(row.scroll).toBeLessThanOrEqual(row.client + 1);
    await page.page.click('button.more');
    expect(await page.page.locator('.more-menu .overflow select.direction').count()).toBe(1);
    await settledAfter(page, () => page.page.selectOption('.more-menu select.direction', 'DOWN'));
    expect(await page.problems()).toEqual([]);
  });

  it('places the hover card beside its node, never over it, inside the panel', async () => {
    for (const viewport of [{ width: 1200, height: 800 }, { width: 520, height: 500 }]) {
      const page = await open({ viewport });
      await load(page, fixture);
      const stage = (await box(page, '.stage'))!;
      const ids = await page.page.$$eval('svg.detail g.node', (nodes) => nodes.map((n) => n.getAttribute('data-id')!));
      // Nodes under the minimap are out of reach of the pointer there.
      const minimap = (await page.page.locator('canvas.minimap').isVisible()) ? await box(page, 'canvas.minimap') : null;
      let checked = 0;
      for (const id of ids) {
        const node = await box(page, `g.node[data-id="${id}"]`);
        if (!node || !inside(node, stage) || (minimap && intersects(node, minimap)) || checked >= 8) continue;
        await page.page.mouse.move(node.x + node.width / 2, node.y + node.height / 2);
        const card = page.page.locator('.tooltip');
        await expect.poll(() => card.isVisible()).toBe(true);
        await expect.poll(async () => (await card.textContent())?.length ?? 0).toBeGreaterThan(0);
        const rect = (await card.boundingBox())!;
        expect(intersects(rect, node), `${id} at ${viewport.width}px`).toBe(false);
        expect(inside(rect, stage), `${id} inside the panel`).toBe(true);
        await page.page.mouse.move(stage.x + 2, stage.y + stage.height - 2);
        checked++;
      }
      expect(checked).toBeGreaterThan(3);
    }
  });

  it('same-named tasks carry their module, on the node and in the hover card', async () => {
    const page = await open();
    const graph: GraphJson = {
      tasks: [
        task('examples.foo', 'Bar'),
        task('examples.dynamic_requirements', 'Bar'),
        task('examples.foo_complex', 'Bar'),
        task('examples.wordcount', 'WordCount'),
        task('examples.wordcount_hadoop', 'WordCount'),
        task('examples.foo', 'Foo'),
      ],
      edges: [{ from: 'examples.foo.Bar', to: 'examples.foo.Foo', kind: 'requires' }],
      diagnostics: [],
    };
    await load(page, graph);
    const labels = await page.page.$$eval('g.node text.label', (ls) => ls.map((l) => l.textContent).sort());
    expect(labels).toEqual(['Bar · dynamic_requirements', 'Bar · foo', 'Bar · foo_complex', 'Foo', 'WordCount · wordcount', 'WordCount · wordcount_hadoop']);
    await page.page.locator('g.node[data-id="examples.wordcount_hadoop.WordCount"]').hover();
    await expect.poll(() => page.page.locator('.tooltip .title').textContent()).toBe('WordCount · wordcount_hadoop');
  });

  it('Re-layout lays out afresh and says so; Fit after it stays readable', async () => {
    const page = await open({ viewport: { width: 800, height: 600 } });
    await load(page, big);
    await page.page.click('button.more');
    const stats = await settledAfter(page, () => page.page.click('.more-menu button[aria-label="Lay out afresh, forgetting where components were"]'));
    expect(stats.computedComponents).toBeGreaterThan(0);
    const status = (await page.page.textContent('.status'))!;
    expect(status).toContain('laid out');
    expect(status).not.toContain('cache');
    expect(Math.min(...(await labelSizes(page)))).toBeGreaterThanOrEqual(10);
    await page.page.click('button[aria-label="Fit the graph, at a readable size (0)"]');
    expect(Math.min(...(await labelSizes(page)))).toBeGreaterThanOrEqual(10);
    // A second panel on the same graph takes it from the cache, and says that.
    const again = await open({ viewport: { width: 800, height: 600 }, hostCache: await page.hostCache() });
    const cached = await load(again, big);
    expect(cached.computedComponents).toBe(0);
    expect(await again.page.textContent('.status')).toContain('layout from cache');
  });
});
