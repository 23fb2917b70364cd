// A real-sized pipeline's graph in a real VS Code (code-server): once the language server laid the
// workspace out ahead and the extension holds those layouts, "Show Pipeline Graph" opens a panel
// whose HTML carries the graph, its layouts and a first drawing of the part in view
// (vscode/graph/html.ts, core/graphLayout/openingSnapshot.ts): drawn under VS Code's own webview
// host and CSP, then the whole graph. Screenshot: test-results/e2e-big-graph.png.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { generateLuigiPipeline } from '../support/luigiPipeline';
import { sessionForSuite } from './harness';

const TASKS = 1200;
const workspace = mkdtempSync(path.join(os.tmpdir(), 'lsg-big-graph-'));
mkdirSync(workspace, { recursive: true });
writeFileSync(path.join(workspace, 'pipeline.py'), generateLuigiPipeline(TASKS).source);

describe('a big graph in code-server', () => {
  // The session opens its own copy of the folder.
  const session = sessionForSuite({ sample: workspace });
  afterAll(() => rmSync(workspace, { recursive: true, force: true }));

  test('opens drawn from its HTML: a first drawing of the part in view, then all of it', async () => {
    await session().openFile('pipeline.py');
    // The extension says so once it holds the layouts the server laid out ahead.
    await expect.poll(() => session().outputChannelLog('Luigi Spanner'), { timeout: 120_000, interval: 1000 }).toMatch(/a new panel of the workspace's \d+ tasks opens drawn/);
    await session().runCommand('Luigi Spanner: Show Pipeline Graph');
    const frame = session().webviewFrame();
    await expect.poll(async () => (await frame.locator('.status').textContent({ timeout: 30_000 })) ?? '', { timeout: 60_000 }).toMatch(new RegExp(`${(TASKS + 1).toLocaleString('en-US')} nodes`));
    // The first drawing was drawn (its own step in the page's timeline) before the whole graph.
    const steps = await frame.locator('body').evaluate(() => performance.getEntriesByType('measure').map((m) => m.name));
    expect(steps).toContain('graph:snapshot');
    expect(steps.indexOf('graph:snapshot')).toBeLessThan(steps.indexOf('graph:index'));
    await session().screenshot('big-graph');
    expect(await frame.locator('g.node').count()).toBeGreaterThan(0);
    expect(session().outputChannelLog('Luigi Spanner')).toMatch(/opened with the graph and its layouts in the page and a first drawing of \d+ of its \d+ nodes/);
  });
});
