// The page's first script (extension/vscode/graph/html.ts) says `ready` before the bundle is
// parsed and keeps what the host posts until the bundle listens (webview/src/host.ts): the host's
// answer travels while the page loads, nothing it posts is lost or reordered, and `ready` is said once.
import { describe, expect, it } from 'vitest';
import { packGraph } from '../../extension/core/graphLayout/wire';
import { GraphLoad, RenderStats, RunStates } from '../../extension/shared/protocol';
import { generateGraph } from './fixtures/generatedGraph';
import { graphPageSession } from './session';

const { page: openPage } = graphPageSession({ viewport: { width: 1200, height: 800 } });

describe('early channel', () => {
  it('keeps what the host posts before the bundle runs, in order, and says ready once', async () => {
    const graph = generateGraph({ tasks: 40, seed: 5, tasksPerModule: 40 });
    const doneId = graph.tasks[3]!.id;
    const failedId = graph.tasks[7]!.id;
    const page = await openPage({
      // The bundle loaded from the asset origin and held back: the frame has not loaded 200 ms after
      // it was set up, so VS Code's webview host (and the harness) posts the host's answer into it
      // while it still loads; only the page's first script listens then.
      inlineBundle: false,
      beforeNavigation: (p) =>
        p.route('**/main.js', async (route) => {
          await new Promise((resolve) => setTimeout(resolve, 400));
          await route.continue();
        }),
      onReady: async (ready, post) => {
        await ready;
        post({ method: GraphLoad, graph: packGraph(graph), reason: 'open', scope: { kind: 'workspace' } });
        post({ method: RunStates, update: { reset: true, byTaskId: { [doneId]: 'done' } } });
        // After the reset above: kept only if applied in order.
        return { method: RunStates, update: { byTaskId: { [failedId]: 'failed' } } };
      },
    });
    const stats = await page.waitForPosted(RenderStats);
    expect(stats.nodes).toBe(graph.tasks.length);
    const timeline = await page.page.evaluate(() => ({
      received: performance.getEntriesByName('harness:delivered graph/load')[0]?.startTime ?? NaN,
      lastReceived: performance.getEntriesByName('harness:delivered run/taskStates').at(-1)?.startTime ?? NaN,
      bundle: (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).find((e) => e.name.endsWith('/main.js'))?.responseEnd ?? NaN,
    }));
    // Everything the host posted was posted into the page before the bundle was in.
    expect(timeline.received).toBeLessThan(timeline.bundle);
    expect(timeline.lastReceived).toBeLessThan(timeline.bundle);
    const posted = await page.posted();
    expect(posted.filter((m) => m.method === 'graph/ready')).toHaveLength(1);
    expect(posted[0]!.method).toBe('graph/ready');
    const classOf = (id: string) => page.page.locator(`svg.detail g.node[data-id="${id}"]`).getAttribute('class');
    expect(await classOf(doneId)).toMatch(/\bs-done\b/);
    expect(await classOf(failedId)).toMatch(/\bs-failed\b/);
    expect(await page.problems()).toEqual([]);
  });
});
