// The webview's own ELK (its layout workers, used when no language server lays out) goes through
// the same core/graphLayout/elk.ts as the server: bench/graph.mjs's 1,001-task pipeline, whose
// flat layout needed 2.5 GB and a minute of ELK, is laid out in bands (core/graphLayout/bands.ts)
// in the panel too, every task and edge drawn.
import { describe, expect, it } from 'vitest';
import { moduleChainGraph } from '../support/moduleChainGraph';
import { graphPageSession, loadGraph } from './session';

const { open } = graphPageSession({ viewport: { width: 1400, height: 900 } });

describe('a deep graph with long edges in the webview', () => {
  it('lays out the 1,001-task bench pipeline in its own workers, in bands, and draws it', async () => {
    const graph = moduleChainGraph(100);
    const page = await open();
    const stats = await loadGraph(page, graph);
    expect(stats.nodes).toBe(1001);
    expect(stats.edges).toBe(graph.edges.length);
    expect(stats.layoutSource).toBe('webview');
    expect(stats.computedComponents).toBe(1);
    // Well within what a flat layout took (~65 s on this machine).
    expect(stats.layoutMs).toBeLessThan(40_000);
    const drawn = await page.page.evaluate(() => document.querySelectorAll('svg.detail g.node, canvas.overview').length);
    expect(drawn).toBeGreaterThan(0);
  }, 120_000);
});
