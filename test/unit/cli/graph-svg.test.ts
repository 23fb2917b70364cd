import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderGraph } from '../../../extension/cli/commands/graph';

const root = path.resolve(__dirname, '..', '..', '..');

describe('luigi-spanner graph --format svg', () => {
  it('draws every task and edge of the orders sample as a standalone SVG', async () => {
    const { graph, text } = await renderGraph([path.join(root, 'samples', 'orders')], { root, format: 'svg', cache: false });
    expect(text.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(text).toContain('<title>orders</title>');
    for (const task of graph.tasks) expect(text).toContain(`>${task.name}<`);
    expect(graph.tasks).toHaveLength(6);
    // No remote references: the file renders anywhere (docs, CI artifacts, pull requests).
    expect(text).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });
});
