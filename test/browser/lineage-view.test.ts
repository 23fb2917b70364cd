// The lineage view ("Tasks + tables") of the built webview in Debian's Chromium, on the real
// analysis of samples/orders (its pipeline and migrations, as `luigi-spanner graph` reads them):
// table nodes drawn apart from tasks, laid out between writers and readers, the toggle kept in
// the panel's state, the hover card and the click that opens the CREATE TABLE.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderGraph } from '../../extension/cli/commands/graph';
import type { GraphJson } from '../../extension/core/analysis/types';
import { RenderStats, RevealTable, RevealTask } from '../../extension/shared/protocol';
import type { GraphPage } from './harness';
import { graphPageSession, loadGraph, settledAfter } from './session';

const REPO = path.resolve(__dirname, '../..');
const resultsDir = path.join(REPO, 'test-results');
const id = (name: string) => `samples.orders.pipeline.${name}`;

let graph: GraphJson;
const { open } = graphPageSession({ viewport: { width: 1400, height: 700 } });

beforeAll(async () => {
  graph = (await renderGraph([path.join(REPO, 'samples', 'orders')], { root: REPO, cache: false })).graph;
  mkdirSync(resultsDir, { recursive: true });
});

const load = (page: GraphPage) => loadGraph(page, graph);
const showTables = (page: GraphPage) => settledAfter(page, () => page.page.selectOption('select.tables-mode', 'tables'));

const nodeIds = (page: GraphPage, selector = 'g.node') => page.page.$$eval(`svg.detail ${selector}`, (nodes) => nodes.map((n) => n.getAttribute('data-id')!).sort());
const center = async (page: GraphPage, nodeId: string) => {
  const box = (await page.page.locator(`g.node[data-id="${nodeId}"]`).boundingBox())!;
  return { x: box.x + box.width / 2, y: box.y + box.height / 2, box };
};

describe('lineage view', () => {
  it('starts with tasks only; "Tasks + tables" puts each table between its writer and its readers', async () => {
    const page = await open();
    const tasksOnly = await load(page);
    expect(tasksOnly).toMatchObject({ nodes: graph.tasks.length, edges: graph.edges.length });
    expect(await nodeIds(page, 'g.node.k-table')).toEqual([]);
    expect(await page.page.$eval('select.tables-mode', (s) => (s as HTMLSelectElement).selectedOptions[0]!.textContent)).toBe('Tasks only');
    expect(await page.page.getAttribute('select.tables-mode', 'title')).toBe('Draw the 3 Spanner tables the tasks write and read between them');

    const stats = await showTables(page);
    // Customers, Orders, DailyRevenue; LoadCustomers, LoadOrders and DailyRevenue write one each, DailyRevenue reads Orders.
    expect(stats).toMatchObject({ nodes: graph.tasks.length + 3, edges: graph.edges.length + 4 });
    expect(await nodeIds(page, 'g.node.k-table')).toEqual(['table:Customers', 'table:DailyRevenue', 'table:Orders']);
    expect(await nodeIds(page, 'path.edge.writes')).toEqual([`${id('DailyRevenue')}->table:DailyRevenue`, `${id('LoadCustomers')}->table:Customers`, `${id('LoadOrders')}->table:Orders`]);
    expect(await nodeIds(page, 'path.edge.reads')).toEqual([`table:Orders->${id('DailyRevenue')}`]);

    // Laid out with the tasks, in the flow: LoadOrders left of Orders, Orders left of DailyRevenue.
    const [load_, orders, revenue] = await Promise.all([center(page, id('LoadOrders')), center(page, 'table:Orders'), center(page, id('DailyRevenue'))]);
    expect(load_.x).toBeLessThan(orders.x);
    expect(orders.x).toBeLessThan(revenue.x);
    // No table overlaps a task.
    for (const task of graph.tasks) {
      const t = (await center(page, task.id)).box;
      const o = orders.box;
      expect(t.x + t.width <= o.x || o.x + o.width <= t.x || t.y + t.height <= o.y || o.y + o.height <= t.y, `${task.id} overlaps Orders`).toBe(true);
    }

    // Drawn apart: a cylinder (a path, not a rect) in another colour than a task's outline.
    const [tableShape, tableStroke] = await page.page.$eval('g.node[data-id="table:Orders"] > .shape', (s) => [s.tagName, getComputedStyle(s).stroke]);
    const taskStroke = await page.page.$eval(`g.node[data-id="${id('LoadOrders')}"] > .shape`, (s) => getComputedStyle(s).stroke);
    expect(tableShape).toBe('path');
    expect(tableStroke).not.toBe(taskStroke);

    // The choice is the panel's state: a restored panel shows the tables at once.
    await expect.poll(async () => ((await page.state()) as { tables?: boolean } | undefined)?.tables).toBe(true);
    const restored = await open({ state: await page.state() });
    await expect.poll(async () => (await load(restored)).nodes).toBe(graph.tasks.length + 3);
    expect(await restored.page.$eval('select.tables-mode', (s) => (s as HTMLSelectElement).value)).toBe('tables');
    expect(await page.problems()).toEqual([]);

    // And back.
    const since = await page.postedCount();
    await page.page.selectOption('select.tables-mode', 'tasks');
    expect(await page.waitForPosted(RenderStats, { since })).toMatchObject({ nodes: graph.tasks.length });
  });

  it('hover shows the columns, the key, the writers and the readers; a click opens the CREATE TABLE', async () => {
    const page = await open();
    await load(page);
    await showTables(page);
    await page.page.locator('g.node[data-id="table:Orders"]').hover();
    const tooltip = page.page.locator('.tooltip');
    await expect.poll(() => tooltip.isVisible()).toBe(true);
    const text = (await tooltip.textContent())!;
    expect(text).toContain('samples/orders/migrations/0001_customers_and_orders.sql:11');
    for (const column of ['OrderId', 'CustomerId', 'OrderDate', 'Amount', 'Status', 'Batch', 'LoadedAt']) expect(text).toContain(column);
    expect(text).toMatch(/OrderIdINT64key/);
    expect(text).toMatch(/Written by\s*LoadOrders/);
    expect(text).toMatch(/Read by\s*DailyRevenue/);

    const since = await page.postedCount();
    await page.page.locator('g.node[data-id="table:Orders"]').click();
    expect(await page.waitForPosted(RevealTable, { since })).toEqual({ method: RevealTable, table: 'Orders' });
    expect((await page.posted()).slice(since).some((m) => m.method === RevealTask)).toBe(false);
    // Search finds a table by name, and the tasks that touch it; a table is not found by its tasks' names.
    await page.page.fill('input.search', 'Customers');
    await expect.poll(() => nodeIds(page, 'g.node.match')).toEqual([id('CustomersExport'), id('LoadCustomers'), 'table:Customers']);
    await page.page.fill('input.search', 'LoadOrders');
    await expect.poll(() => nodeIds(page, 'g.node.match')).toEqual([id('LoadOrders')]);
    await page.page.fill('input.search', '');
    // A task's card names the tables it reads beside the ones it writes.
    await page.page.mouse.move(5, 5);
    await page.page.locator(`g.node[data-id="${id('DailyRevenue')}"]`).hover();
    await expect.poll(async () => (await tooltip.textContent()) ?? '').toMatch(/Reads tables\s*Orders/);
  });

  it('focuses a table like a task: its writers upstream, its readers downstream, to the chosen depth', async () => {
    const page = await open();
    await load(page);
    await showTables(page);
    await page.page.locator('g.node[data-id="table:Orders"]').click();
    // Upstream: LoadOrders writes Orders, and what it requires; the tables those tasks write come along.
    await settledAfter(page, () => page.page.selectOption('select.focus', 'upstream'));
    expect(await nodeIds(page)).toEqual([id('CustomersExport'), id('LoadCustomers'), id('LoadOrders'), id('OrdersExport'), 'table:Customers', 'table:Orders']);
    // Downstream: DailyRevenue reads Orders, AllReports requires DailyRevenue.
    await settledAfter(page, () => page.page.selectOption('select.focus', 'downstream'));
    expect(await nodeIds(page)).toEqual([id('AllReports'), id('DailyRevenue'), 'table:DailyRevenue', 'table:Orders']);
    // Both ways, one level: the writer and the reader.
    await settledAfter(page, () => page.page.selectOption('select.focus', 'both'));
    await settledAfter(page, () => page.page.selectOption('select.depth', '1'));
    expect(await nodeIds(page)).toEqual([id('DailyRevenue'), id('LoadOrders'), 'table:DailyRevenue', 'table:Orders']);
    // Kept in the panel's state: a restored panel opens focused on the table.
    await expect.poll(async () => ((await page.state()) as { focus?: { taskId: string } | null } | undefined)?.focus?.taskId).toBe('table:Orders');
    const restored = await open({ state: await page.state() });
    await expect.poll(async () => (await load(restored)).nodes).toBe(4);
    await settledAfter(page, () => page.page.selectOption('select.focus', 'off'));
    expect(await nodeIds(page, 'g.node.k-table')).toEqual(['table:Customers', 'table:DailyRevenue', 'table:Orders']);
    expect(await page.problems()).toEqual([]);
  });

  it('the cards say where a name is a Parameter default and which table names are not known statically', async () => {
    const page = await open();
    // The orders graph as if LoadOrders took its table from a Parameter default and DailyRevenue ran a query built from an argument.
    const variant: GraphJson = {
      ...graph,
      tasks: graph.tasks.map((t) => (t.name === 'DailyRevenue' ? { ...t, unresolvedTables: [{ access: 'read' as const, file: t.file, line: 130, expression: 'query' }] } : t)),
      tables: graph.tables!.map((t) => (t.name === 'Orders' ? { ...t, fromDefault: true } : t)),
    };
    await loadGraph(page, variant);
    await showTables(page);
    const tooltip = page.page.locator('.tooltip');
    await page.page.locator('g.node[data-id="table:Orders"]').hover();
    await expect.poll(async () => (await tooltip.textContent()) ?? '').toContain("Named by a luigi Parameter's default: a run may pass another table");
    await page.page.mouse.move(5, 5);
    await page.page.locator(`g.node[data-id="${id('DailyRevenue')}"]`).hover();
    await expect.poll(async () => (await tooltip.textContent()) ?? '').toMatch(/Table names not known statically\s*read query \(line 130\)/);
    // The footer says the lineage drawn is partial, in tables mode only.
    expect(await page.page.textContent('.status')).toContain('· 1 table name not known statically');
    await settledAfter(page, () => page.page.selectOption('select.tables-mode', 'tasks'));
    expect(await page.page.textContent('.status')).not.toContain('not known statically');
    expect(await page.problems()).toEqual([]);
  });

  it('is legible in light, dark and high-contrast themes (screenshots in test-results/)', async () => {
    for (const theme of ['light', 'dark', 'high-contrast'] as const) {
      const page = await open({ theme });
      await load(page);
      await showTables(page);
      await page.page.screenshot({ path: path.join(resultsDir, `lineage-view-${theme}.png`) });
      const [stroke, background] = await page.page.$eval('g.node[data-id="table:Orders"] > .shape', (s) => [getComputedStyle(s).stroke, getComputedStyle(document.body).backgroundColor]);
      expect(contrast(stroke!, background!), `${theme}: table outline ${stroke} on ${background}`).toBeGreaterThanOrEqual(3);
    }
  });
});

function contrast(a: string, b: string): number {
  const lum = (rgb: string) => {
    const [r, g, bl] = rgb
      .match(/\d+(\.\d+)?/g)!
      .slice(0, 3)
      .map((v) => {
        const c = Number(v) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}
