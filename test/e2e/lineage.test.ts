// The lineage view in a real VS Code (code-server), on samples/orders: "Tasks + tables" draws
// the Spanner tables the language server found between the tasks, and a click on a table opens
// its CREATE TABLE in the migration. Screenshots: test-results/e2e-lineage-*.png.
import { describe, expect, test } from 'vitest';
import { sessionForSuite } from './harness';

describe('lineage view in code-server', () => {
  const session = sessionForSuite({ sample: 'orders' });

  test('Tasks + tables draws Customers, Orders and DailyRevenue between their writers and readers', async () => {
    await session().openFile('pipeline.py');
    await session().runCommand('Luigi Spanner: Show Pipeline Graph');
    const frame = session().webviewFrame();
    await frame.locator('g.node', { hasText: 'AllReports' }).first().waitFor({ timeout: 60_000 });
    expect(await frame.locator('g.node.k-table').count()).toBe(0);
    await frame.locator('select.tables-mode').selectOption('tables');
    for (const table of ['Customers', 'Orders', 'DailyRevenue']) await frame.locator(`g.node.k-table[data-id="table:${table}"]`).waitFor({ timeout: 30_000 });
    expect(await frame.locator('g.node').count()).toBe(9);
    expect(await frame.locator('path.edge.reads').count()).toBe(1);
    expect(await frame.locator('path.edge.writes').count()).toBe(3);
    await session().screenshot('lineage-view');
  });

  test('hover lists the columns; a click opens the CREATE TABLE in the migration', async () => {
    const frame = session().webviewFrame();
    await frame.locator('g.node[data-id="table:Orders"]').hover();
    await expect.poll(async () => (await frame.locator('.tooltip').textContent({ timeout: 10_000 })) ?? '', { timeout: 15_000 }).toMatch(/OrderId.*Written by.*LoadOrders.*Read by.*DailyRevenue/s);
    await session().screenshot('lineage-hover');
    await frame.locator('g.node[data-id="table:Orders"]').click();
    const tab = session().page.locator('.tab', { hasText: '0001_customers_and_orders.sql' });
    await tab.first().waitFor({ timeout: 30_000 });
    // The editor's cursor sits on the CREATE TABLE Orders line (11); the graph keeps the focus.
    await expect.poll(() => session().page.locator('.editor-instance .monaco-editor .line-numbers.active-line-number').allTextContents(), { timeout: 15_000 }).toContain('11');
    await session().screenshot('lineage-create-table');
  });
});
