// Arranges laid-out components on one canvas. A fresh arrangement is a shelf packing (largest
// first, rows of a width that keeps the whole roughly 16:10). On an update, components that did
// not change keep their exact place; a changed one stays where most of its nodes were; only
// components that are new, or no longer fit where they were, go to free space below.
import type { ComponentLayout, PlacedComponent, Rect } from './types';

export interface PackInput {
  anchor: string;
  layout: ComponentLayout;
}

export interface PreviousPlacement {
  components: readonly PlacedComponent[];
  /** Absolute node rectangles of the previous layout. */
  nodes: ReadonlyMap<string, Rect>;
}

const ASPECT = 1.6;

export function packComponents(inputs: readonly PackInput[], previous?: PreviousPlacement): PlacedComponent[] {
  const placed: PlacedComponent[] = [];
  const pending: PackInput[] = [];
  if (previous && previous.components.length > 0) {
    const before = new Map(previous.components.map((c) => [c.anchor, c]));
    const changed: PackInput[] = [];
    for (const input of inputs) {
      const old = before.get(input.anchor);
      if (old && old.key === input.layout.key) placed.push(place(input, old.x, old.y));
      else changed.push(input);
    }
    for (const input of changed) {
      const at = alignedOrigin(input.layout, previous.nodes) ?? originOf(before.get(input.anchor));
      const candidate = at && place(input, at.x, at.y);
      if (candidate && !placed.some((other) => overlaps(candidate, other))) placed.push(candidate);
      else pending.push(input);
    }
  } else {
    pending.push(...inputs);
  }
  if (pending.length > 0) placed.push(...shelfPack(pending, placed));
  return placed;
}

function place(input: PackInput, x: number, y: number): PlacedComponent {
  return { key: input.layout.key, anchor: input.anchor, x, y, width: input.layout.width, height: input.layout.height };
}

function originOf(component: PlacedComponent | undefined): { x: number; y: number } | undefined {
  return component && { x: component.x, y: component.y };
}

/** Origin that leaves the component's surviving nodes where they were (median shift). */
function alignedOrigin(layout: ComponentLayout, nodesBefore: ReadonlyMap<string, Rect>): { x: number; y: number } | undefined {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [id, [x, y]] of Object.entries(layout.nodes)) {
    const old = nodesBefore.get(id);
    if (!old) continue;
    xs.push(old.x - x);
    ys.push(old.y - y);
  }
  if (xs.length === 0) return undefined;
  return { x: median(xs), y: median(ys) };
}

function median(values: number[]): number {
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)]!;
}

function overlaps(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** Rows of components, tallest first, below whatever is already placed. */
function shelfPack(inputs: readonly PackInput[], already: readonly PlacedComponent[]): PlacedComponent[] {
  const sorted = [...inputs].sort((a, b) => b.layout.height - a.layout.height || b.layout.width - a.layout.width || (a.anchor < b.anchor ? -1 : 1));
  const all = [...already.map((c) => ({ width: c.width, height: c.height })), ...sorted.map((i) => i.layout)];
  const area = all.reduce((sum, c) => sum + c.width * c.height, 0);
  const widest = Math.max(...all.map((c) => c.width));
  const existingRight = already.length ? Math.max(...already.map((c) => c.x + c.width)) : 0;
  const rowWidth = Math.max(widest, Math.sqrt(area * ASPECT), existingRight);
  const left = already.length ? Math.min(...already.map((c) => c.x)) : 0;
  let y = already.length ? Math.max(...already.map((c) => c.y + c.height)) : 0;
  let x = left;
  let rowHeight = 0;
  const result: PlacedComponent[] = [];
  for (const input of sorted) {
    if (x > left && x - left + input.layout.width > rowWidth) {
      y += rowHeight;
      x = left;
      rowHeight = 0;
    }
    result.push(place(input, x, y));
    x += input.layout.width;
    rowHeight = Math.max(rowHeight, input.layout.height);
  }
  return result;
}
