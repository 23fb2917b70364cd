// A big graph's first drawing (core/graphLayout/openingSnapshot.ts): composed by the host from the
// opening layouts it holds, cut to what a new panel of any size up to the cover shows at once, by
// the open rule (framing.ts), placed exactly as in the whole layout the page then draws. A small
// graph's whole drawing: the page's own visible graph and layout, made by the host.
import { describe, expect, it } from 'vitest';
import { approximateComponents } from '../../../extension/core/graphLayout/approx';
import { splitComponents } from '../../../extension/core/graphLayout/components';
import { openView, READABLE_SCALE, startRect } from '../../../extension/core/graphLayout/framing';
import { layoutGraph, MemoryLayoutCache } from '../../../extension/core/graphLayout/layout';
import { holdOpeningLayouts, openingLayoutKeys } from '../../../extension/core/graphLayout/openingKeys';
import { composedOpening, composeOpening, cutSnapshot, drawingFits, drawingLayout, openingDrawing, openingPicture, SNAPSHOT_MIN_NODES } from '../../../extension/core/graphLayout/openingSnapshot';
import type { ComponentLayout, OpeningDrawing, Rect, VisibleGraph } from '../../../extension/core/graphLayout/types';
import { buildVisibleGraph, indexGraph } from '../../../extension/core/graphLayout/viewModel';
import { generateGraph } from '../../browser/fixtures/generatedGraph';

const workspace = { kind: 'workspace' } as const;

/** The graph with its opening layouts held, as the host has them after its prefetch, and its opening composed. */
async function held(tasks: number) {
  const graph = generateGraph({ tasks, seed: 12 });
  const visible = buildVisibleGraph(indexGraph(graph), { scope: workspace });
  const layouts = approximateComponents(splitComponents(visible, 'RIGHT'), 'RIGHT');
  expect(openingLayoutKeys(graph, workspace, 'RIGHT').length).toBeGreaterThan(0);
  expect(holdOpeningLayouts(graph, workspace, 'RIGHT', layouts)).toBe(true);
  await composeOpening(graph, workspace, 'RIGHT');
  return { graph, visible, layouts, composed: composedOpening(graph, workspace, 'RIGHT')! };
}

/** The very layout the page composes from the same component layouts (no ELK). */
async function pageLayout(visible: VisibleGraph, layouts: ComponentLayout[]) {
  const cache = new MemoryLayoutCache();
  cache.put(layouts);
  return (await layoutGraph(visible, 'RIGHT', { runner: { run: () => Promise.reject(new Error('no ELK')) }, cache })).layout;
}

const inside = (rect: Rect, view: { scale: number; x: number; y: number }, size: { width: number; height: number }) => {
  const left = rect.x * view.scale + view.x;
  const top = rect.y * view.scale + view.y;
  return left + rect.width * view.scale > 0 && left < size.width && top + rect.height * view.scale > 0 && top < size.height;
};

describe('opening snapshot', () => {
  it('holds every node a new panel shows at once, placed as in the whole layout, and the whole bounds', async () => {
    const { visible, layouts, composed } = await held(1500);
    expect(visible.nodes.length).toBeGreaterThanOrEqual(SNAPSHOT_MIN_NODES);
    const layout = await pageLayout(visible, layouts);
    expect(composed.layout.bounds).toEqual(layout.bounds);

    const snapshot = cutSnapshot(composed, 'RIGHT');
    expect(snapshot.bounds).toEqual(layout.bounds);
    expect(snapshot.nodes.length).toBeGreaterThan(20);
    expect(snapshot.nodes.length).toBeLessThan(visible.nodes.length / 2);
    for (const node of snapshot.nodes) expect({ x: node.x, y: node.y, width: node.width, height: node.height }).toEqual(layout.nodes.get(node.id));
    const ids = new Set(snapshot.nodes.map((n) => n.id));
    for (const edge of snapshot.edges) {
      expect(ids.has(edge.from) && ids.has(edge.to)).toBe(true);
      expect(edge.points).toEqual(layout.edges.get(edge.id));
    }
    // Panels of several sizes up to the cover: every node their opening view shows is in it.
    for (const size of [{ width: 800, height: 600 }, { width: 1400, height: 1000 }, { width: 2560, height: 1600 }]) {
      const view = openView(layout.bounds, size, { start: startRect(layout.nodes.values(), 'RIGHT'), direction: 'RIGHT' })!;
      expect(view.scale).toBe(READABLE_SCALE);
      const shown = visible.nodes.filter((n) => inside(layout.nodes.get(n.id)!, view, size)).map((n) => n.id);
      expect(shown.length).toBeGreaterThan(0);
      expect(shown.filter((id) => !ids.has(id))).toEqual([]);
    }
  });

  it('opens a big graph on its first task along the direction, never on an empty corner', () => {
    const rects = [
      { x: 400, y: 5000, width: 100, height: 30 },
      { x: 40, y: 3000, width: 100, height: 30 },
      { x: 40, y: 7000, width: 100, height: 30 },
      { x: 9000, y: 10, width: 100, height: 30 },
    ];
    const bounds = { x: 0, y: 0, width: 9100, height: 8000 };
    const start = startRect(rects, 'RIGHT')!;
    expect(start).toBe(rects[1]);
    expect(startRect(rects, 'LEFT')).toBe(rects[3]);
    expect(startRect(rects, 'DOWN')).toBe(rects[3]);
    expect(startRect(rects, 'UP')).toBe(rects[2]);
    const size = { width: 1000, height: 700 };
    const view = openView(bounds, size, { start, direction: 'RIGHT' })!;
    expect(view.scale).toBe(READABLE_SCALE);
    // The left edge along the direction; across it, the start task in the middle of the panel.
    expect(view.x).toBeCloseTo(24);
    expect(view.y + (start.y + start.height / 2) * view.scale).toBeCloseTo(size.height / 2);
    expect(inside(start, view, size)).toBe(true);
    // Without a start: the top edge, as before (no task there in this drawing).
    expect(openView(bounds, size, { direction: 'RIGHT' })!.y).toBeCloseTo(24);
  });

  it('centres on the task to reveal, and names its node', async () => {
    const { graph, composed } = await held(1500);
    const task = graph.tasks[1234]!;
    const snapshot = cutSnapshot(composed, 'RIGHT', task.id);
    const node = composed.visible.nodes.find((n) => n.members.includes(task.id))!;
    expect(snapshot.focus).toBe(node.id);
    const rect = composed.layout.nodes.get(node.id)!;
    const size = { width: 1400, height: 1000 };
    const view = openView(composed.layout.bounds, size, { focus: rect, direction: 'RIGHT' })!;
    const ids = new Set(snapshot.nodes.map((n) => n.id));
    const shown = composed.visible.nodes.filter((n) => inside(composed.layout.nodes.get(n.id)!, view, size)).map((n) => n.id);
    expect(shown).toContain(node.id);
    expect(shown.filter((id) => !ids.has(id))).toEqual([]);
  });

  it('makes none for a view whose layouts are not held', async () => {
    const other = generateGraph({ tasks: 1500, seed: 3 });
    await composeOpening(other, workspace, 'RIGHT');
    expect(composedOpening(other, workspace, 'RIGHT')).toBeUndefined();
  });
});

describe('opening drawing (a small view whole)', () => {
  it('gives the page the visible graph and the very layout it would compose itself, through JSON', async () => {
    const { visible, layouts, composed } = await held(300);
    expect(visible.nodes.length).toBeLessThan(SNAPSHOT_MIN_NODES);
    const picture = openingPicture(composed);
    expect(picture.snapshot).toBeUndefined();
    expect(picture.drawing).toBe(openingDrawing(composed));
    // As the page gets it: JSON in the HTML.
    const taken = drawingLayout(JSON.parse(JSON.stringify(picture.drawing)) as OpeningDrawing);
    const layout = await pageLayout(visible, layouts);
    expect(taken.visible).toEqual(visible);
    expect(taken.layout.bounds).toEqual(layout.bounds);
    expect(taken.layout.components).toEqual(layout.components);
    expect([...taken.layout.nodes]).toEqual([...layout.nodes]);
    expect([...taken.layout.edges]).toEqual([...layout.edges]);
    expect(taken.layout.edges.size).toBeGreaterThan(0);
  });

  it('is made for one view: the page takes it only with that scope and direction and nothing focused, collapsed, expanded or added', async () => {
    const { graph, composed } = await held(300);
    const drawing = openingDrawing(composed)!;
    const view: Parameters<typeof drawingFits>[1] = { scope: workspace, direction: 'RIGHT', focus: null, collapsedModules: [], expandedFamilies: [], tables: false };
    expect(drawingFits(drawing, view)).toBe(true);
    expect(drawingFits(drawing, { ...view, direction: 'DOWN' })).toBe(false);
    expect(drawingFits(drawing, { ...view, scope: { kind: 'file', file: graph.tasks[0]!.file } })).toBe(false);
    expect(drawingFits(drawing, { ...view, focus: { taskId: graph.tasks[0]!.id, direction: 'both', depth: 0 } })).toBe(false);
    expect(drawingFits(drawing, { ...view, collapsedModules: ['m'] })).toBe(false);
    expect(drawingFits(drawing, { ...view, expandedFamilies: ['f'] })).toBe(false);
    expect(drawingFits(drawing, { ...view, tables: true })).toBe(false);
  });

  it('is none for a big view, which gets its snapshot instead', async () => {
    const { composed } = await held(1500);
    expect(openingDrawing(composed)).toBeUndefined();
    const picture = openingPicture(composed);
    expect(picture.drawing).toBeUndefined();
    expect(picture.snapshot?.nodes.length).toBeGreaterThan(0);
  });
});
