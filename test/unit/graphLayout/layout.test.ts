import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { GraphJson } from '../../../extension/core/analysis/types';
import { FileLayoutCache } from '../../../extension/core/graphLayout/fileCache';
import { layoutGraph, MemoryLayoutCache, type LayoutRunner } from '../../../extension/core/graphLayout/layout';
import { nodeLayoutRunner, renderGraphSvg } from '../../../extension/core/graphLayout/renderGraphSvg';
import type { GraphLayout, Rect } from '../../../extension/core/graphLayout/types';
import { buildVisibleGraph, indexGraph } from '../../../extension/core/graphLayout/viewModel';
import { generateGraph } from '../../browser/fixtures/generatedGraph';

/** The real ELK runner, counting the ELK calls it was asked to make. */
function countingRunner(): LayoutRunner & { calls: number; nodes: number } {
  const runner = {
    calls: 0,
    nodes: 0,
    async run(jobs: Parameters<LayoutRunner['run']>[0]) {
      runner.calls += jobs.length;
      runner.nodes += jobs.reduce((sum, j) => sum + j.components.reduce((n, c) => n + c.nodes.length, 0), 0);
      return nodeLayoutRunner.run(jobs);
    },
  };
  return runner;
}

const overlap = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

function expectNoOverlaps(layout: GraphLayout) {
  const rects = [...layout.nodes.values()].sort((a, b) => a.x - b.x);
  for (let i = 0; i < rects.length; i++) {
    for (let j = i + 1; j < rects.length && rects[j]!.x < rects[i]!.x + rects[i]!.width; j++) {
      expect(overlap(rects[i]!, rects[j]!), `nodes overlap: ${JSON.stringify([rects[i], rects[j]])}`).toBe(false);
    }
  }
  const components = layout.components;
  for (let i = 0; i < components.length; i++) for (let j = i + 1; j < components.length; j++) expect(overlap(components[i]!, components[j]!)).toBe(false);
}

// No edges between modules: several components, as in a workspace of separate pipelines.
const graph = generateGraph({ tasks: 160, tasksPerModule: 20, seed: 7, crossModule: 0 });
const visible = buildVisibleGraph(indexGraph(graph), { scope: { kind: 'workspace' } });

describe('layoutGraph with ELK', () => {
  it('places every node and routes every edge from upstream to downstream, without overlaps', async () => {
    const { layout, stats } = await layoutGraph(visible, 'RIGHT', { runner: nodeLayoutRunner });
    expect(layout.nodes.size).toBe(visible.nodes.length);
    expect(layout.edges.size).toBe(visible.edges.length);
    expect(stats.components).toBeGreaterThan(1);
    expectNoOverlaps(layout);
    for (const edge of visible.edges) {
      const points = layout.edges.get(edge.id)!;
      const from = layout.nodes.get(edge.from)!;
      const to = layout.nodes.get(edge.to)!;
      // Starts on the upstream node's border, ends on the downstream node's.
      const [sx, sy] = [points[0]!, points[1]!];
      const [ex, ey] = [points.at(-2)!, points.at(-1)!];
      expect(sx >= from.x - 0.5 && sx <= from.x + from.width + 0.5 && sy >= from.y - 0.5 && sy <= from.y + from.height + 0.5).toBe(true);
      expect(ex >= to.x - 0.5 && ex <= to.x + to.width + 0.5 && ey >= to.y - 0.5 && ey <= to.y + to.height + 0.5).toBe(true);
    }
  });

  it('lays out a structure seen before from the cache, without ELK', async () => {
    const cache = new MemoryLayoutCache();
    const first = countingRunner();
    const a = await layoutGraph(visible, 'DOWN', { runner: first, cache });
    expect(first.calls).toBeGreaterThan(0);
    const second = countingRunner();
    const b = await layoutGraph(visible, 'DOWN', { runner: second, cache });
    expect(second.calls).toBe(0);
    expect(b.stats.cachedComponents).toBe(b.stats.components);
    expect([...b.layout.nodes]).toEqual([...a.layout.nodes]);
    // Another direction is another structure.
    const third = countingRunner();
    await layoutGraph(visible, 'RIGHT', { runner: third, cache });
    expect(third.calls).toBeGreaterThan(0);
  });

  it('after an edit, re-lays out only the touched component and moves nothing else', async () => {
    const cache = new MemoryLayoutCache();
    const before = await layoutGraph(visible, 'RIGHT', { runner: nodeLayoutRunner, cache });
    const edited: GraphJson = structuredClone(graph);
    // Rename one task: its component changes (label width, id), nothing else does.
    const target = edited.tasks[45]!;
    const oldId = target.id;
    target.name = `${target.name}Renamed`;
    target.id = `${target.module}.${target.name}`;
    for (const e of edited.edges) {
      if (e.from === oldId) e.from = target.id;
      if (e.to === oldId) e.to = target.id;
    }
    const visibleAfter = buildVisibleGraph(indexGraph(edited), { scope: { kind: 'workspace' } });
    const runner = countingRunner();
    const after = await layoutGraph(visibleAfter, 'RIGHT', { runner, cache, previous: before.layout });
    expect(after.stats.computedComponents).toBe(1);
    expectNoOverlaps(after.layout);
    const touched = after.layout.components.find((c) => !before.layout.components.some((p) => p.key === c.key))!;
    let unchanged = 0;
    for (const [id, rect] of after.layout.nodes) {
      const old = before.layout.nodes.get(id);
      const inTouched = rect.x >= touched.x && rect.x < touched.x + touched.width && rect.y >= touched.y && rect.y < touched.y + touched.height;
      if (old && !inTouched) {
        expect(rect).toEqual(old);
        unchanged++;
      }
    }
    expect(unchanged).toBeGreaterThan(visible.nodes.length / 2);
  });
});

describe('FileLayoutCache', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('keeps layouts across instances (restarts) and drops damaged files', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lsg-cache-'));
    dirs.push(dir);
    const writer = new FileLayoutCache(dir);
    const { stats } = await layoutGraph(visible, 'RIGHT', { runner: nodeLayoutRunner, cache: writer });
    await writer.flush();
    const files = await readdir(dir);
    expect(files).toHaveLength(stats.components);

    const reader = new FileLayoutCache(dir);
    const runner = countingRunner();
    const again = await layoutGraph(visible, 'RIGHT', { runner, cache: reader });
    expect(runner.calls).toBe(0);
    expect(again.stats.cachedComponents).toBe(stats.components);

    await writeFile(path.join(dir, files[0]!), '{"key": "not a layout"');
    expect(await reader.get([files[0]!.replace('.json', '')])).toEqual([]);
    expect(await readdir(dir)).toHaveLength(files.length - 1);
  });

  it('trims the least recently used entries beyond its bound', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lsg-cache-'));
    dirs.push(dir);
    const cache = new FileLayoutCache(dir, 3);
    const entries = ['a', 'b', 'c', 'd', 'e'].map((c) => ({ key: c.repeat(28), width: 1, height: 1, nodes: {}, edges: {} }));
    for (const entry of entries) {
      cache.put([entry]);
      await cache.flush();
      await new Promise((r) => setTimeout(r, 15));
    }
    await cache.trim();
    expect((await readdir(dir)).sort()).toEqual(['c', 'd', 'e'].map((c) => `${c.repeat(28)}.json`));
    // A byte budget too: one entry's worth keeps only the newest.
    const size = (await readFile(path.join(dir, `${'e'.repeat(28)}.json`))).length;
    await new FileLayoutCache(dir, 100, size).trim();
    expect(await readdir(dir)).toEqual([`${'e'.repeat(28)}.json`]);
  });
});

describe('renderGraphSvg', () => {
  it('writes a standalone SVG with every node and edge, themed without external references', async () => {
    const small = generateGraph({ tasks: 40, seed: 3 });
    const svg = await renderGraphSvg(small, { theme: 'dark', title: 'orders <pipeline>' });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<g class="node /g)).toHaveLength(small.tasks.length);
    expect(svg.match(/<path class="edge /g)).toHaveLength(small.edges.length);
    expect(svg.match(/<path class="edge dynamic/g)?.length).toBe(small.edges.filter((e) => e.kind === 'dynamic').length);
    expect(svg).toContain('--vscode-editor-background:#1e1e1e');
    expect(svg).toContain('<title>orders &lt;pipeline&gt;</title>');
    expect(svg).not.toMatch(/href=|url\((?!#)/);
  });

  it('explains a file without tasks and an unknown direction', async () => {
    await expect(renderGraphSvg(generateGraph({ tasks: 5 }), { scope: { kind: 'file', file: 'nope.py' } })).rejects.toThrow(/No task is defined in nope.py/);
    await expect(renderGraphSvg(generateGraph({ tasks: 5 }), { direction: 'SIDEWAYS' as never })).rejects.toThrow(/Unknown graph direction/);
  });
});
