// The graph view and a one-click run in a real VS Code: Show Pipeline Graph lists the sample's
// tasks in the webview (drawn from the panel's HTML), and clicking Run above AllReports turns its nodes done as the run goes.
import { describe, expect, test } from 'vitest';
import { pipelineRunEnv, sessionForSuite } from './harness';

describe('graph and runs in code-server', () => {
  const session = sessionForSuite({ sample: 'orders', env: pipelineRunEnv() });

  test('Show Pipeline Graph lists the sample’s tasks, drawn from its HTML', async () => {
    await session().openFile('pipeline.py');
    // Once the extension holds the layouts the server laid out ahead, a new panel's HTML carries
    // the whole drawing of this small graph (core/graphLayout/openingSnapshot.ts openingDrawing).
    await expect.poll(() => session().outputChannelLog('Luigi Spanner'), { timeout: 120_000, interval: 1000 }).toMatch(/a new panel of the workspace's \d+ tasks opens drawn/);
    await session().runCommand('Luigi Spanner: Show Pipeline Graph');
    const frame = session().webviewFrame();
    for (const name of ['CustomersExport', 'OrdersExport', 'LoadCustomers', 'LoadOrders', 'DailyRevenue', 'AllReports']) {
      await frame.locator('g.node', { hasText: name }).first().waitFor({ timeout: 60_000 });
    }
    expect(await frame.locator('g.node').count()).toBe(6);
    expect(session().outputChannelLog('Luigi Spanner')).toMatch(/opened with the graph and its layouts in the page and its whole drawing \(6 nodes\)/);
    // The page took it as is: no visible graph built before it was drawn.
    const steps = await frame.locator('body').evaluate(() => performance.getEntriesByType('measure').map((m) => m.name));
    expect(steps).toContain('graph:drawing');
    expect(steps.slice(0, steps.indexOf('graph:drawing'))).not.toContain('graph:visibleGraph');
    await session().screenshot('graph-view');
  });

  test('Run above AllReports turns the nodes done', async () => {
    // pipeline.py is still open beside the graph, which took focus; the lens search needs the editor's find widget.
    await session().page.locator('.editor-group-container .monaco-editor .view-lines').first().click();
    await session().clickCodeLens('AllReports', 'Run');
    const frame = session().webviewFrame();
    // Every task that does work ends done; the external inputs were already complete (skipped).
    for (const name of ['LoadCustomers', 'LoadOrders', 'DailyRevenue', 'AllReports']) {
      await expect
        .poll(async () => (await frame.locator('g.node', { hasText: name }).first().getAttribute('class')) ?? '', { timeout: 120_000, interval: 500 })
        .toContain('s-done');
    }
    await session().notification(/AllReports SUCCESS/).waitFor({ timeout: 30_000 });
    await session().screenshot('graph-run-done');
  });
});
