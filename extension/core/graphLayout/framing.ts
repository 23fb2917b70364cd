// Where the view opens: the readability rule shared by first open, Fit, Re-layout and a new
// graph arriving in a panel. Pure (no DOM), so the rule reads in one place.
// - A graph that fits at a readable zoom is shown whole, centred, never above 100 %.
// - A larger one opens at the readable minimum (labels at least LABEL_MIN_PX tall on screen),
//   centred on the task the user cares about (revealed, selected, under the cursor, focused),
//   or else on the graph's start (its sources, where the layout direction begins); the
//   minimap shows the rest. Zooming out below that stays possible with the wheel.
import { LABEL_FONT_SIZE } from './geometry';
import type { Rect } from './types';
import type { LayoutDirection, Viewport } from '../../shared/protocol';

/** The smallest label height (CSS px on screen) a view opens or fits to. */
export const LABEL_MIN_PX = 10;
/** The zoom at which a LABEL_FONT_SIZE label is LABEL_MIN_PX tall (rounded up: 0.84). */
export const READABLE_SCALE = Math.ceil((LABEL_MIN_PX / LABEL_FONT_SIZE) * 100) / 100;
/** Never opened or fitted larger than life: a small graph stays at 100 %. */
export const MAX_FIT_SCALE = 1;
export const FIT_PADDING = 24;

export interface Size {
  width: number;
  height: number;
}

/** The zoom that shows all of `bounds` (capped at 100 %), ignoring readability. */
export function wholeScale(bounds: Rect, size: Size, padding = FIT_PADDING): number {
  return Math.min((size.width - 2 * padding) / bounds.width, (size.height - 2 * padding) / bounds.height, MAX_FIT_SCALE);
}

/** True when the whole graph fits the panel with readable labels. */
export function fitsReadably(bounds: Rect, size: Size, padding = FIT_PADDING): boolean {
  return wholeScale(bounds, size, padding) >= READABLE_SCALE;
}

/**
 * The view a graph opens at (see the file comment). `focus` is the rectangle of the task to
 * centre on when the graph is too big to show whole; without one the view starts where the
 * layout direction starts, at the top (or left) edge of the drawing.
 */
export function openView(bounds: Rect, size: Size, options: { focus?: Rect | undefined; start?: Rect | undefined; direction?: LayoutDirection; padding?: number } = {}): Viewport | undefined {
  const padding = options.padding ?? FIT_PADDING;
  if (bounds.width <= 0 || bounds.height <= 0 || size.width <= 0 || size.height <= 0) return undefined;
  const whole = wholeScale(bounds, size, padding);
  if (whole >= READABLE_SCALE) return centreOn(bounds, size, whole);
  const scale = READABLE_SCALE;
  if (options.focus) return centreOn(options.focus, size, scale);
  // The start of the graph: along the layout direction its first rank; across it, centred
  // when it fits, else on the first task along the direction (`start`, startRect), or without
  // one the first (top or left) edge. An edge alone could open on an empty corner of a big drawing.
  const start = options.start;
  const across = (from: number, extent: number, room: number, startFrom?: number, startExtent?: number) =>
    extent * scale <= room - 2 * padding ? (room - extent * scale) / 2 - from * scale : startFrom !== undefined ? room / 2 - (startFrom + startExtent! / 2) * scale : padding - from * scale;
  switch (options.direction ?? 'RIGHT') {
    case 'RIGHT':
      return { scale, x: padding - bounds.x * scale, y: across(bounds.y, bounds.height, size.height, start?.y, start?.height) };
    case 'LEFT':
      return { scale, x: size.width - padding - (bounds.x + bounds.width) * scale, y: across(bounds.y, bounds.height, size.height, start?.y, start?.height) };
    case 'DOWN':
      return { scale, x: across(bounds.x, bounds.width, size.width, start?.x, start?.width), y: padding - bounds.y * scale };
    case 'UP':
      return { scale, x: across(bounds.x, bounds.width, size.width, start?.x, start?.width), y: size.height - padding - (bounds.y + bounds.height) * scale };
  }
}

/**
 * The first task along the layout direction (the leftmost for RIGHT, the topmost for DOWN, ...;
 * ties to the top or left): where a big graph opens without a task to focus on (openView `start`).
 */
export function startRect(rects: Iterable<Rect>, direction: LayoutDirection = 'RIGHT'): Rect | undefined {
  let best: Rect | undefined;
  const along = (r: Rect) => (direction === 'RIGHT' ? r.x : direction === 'LEFT' ? -(r.x + r.width) : direction === 'DOWN' ? r.y : -(r.y + r.height));
  const across = (r: Rect) => (direction === 'RIGHT' || direction === 'LEFT' ? r.y : r.x);
  for (const rect of rects) if (!best || along(rect) < along(best) || (along(rect) === along(best) && across(rect) < across(best))) best = rect;
  return best;
}

/**
 * The part of a drawing that a new view of any panel up to `cover` (CSS px) shows, by the open
 * rule above, when the graph does not fit it readably: at the readable scale, around `focus`, or
 * from the start of the graph along the direction (across it: from its first edge, which also
 * holds everything of a graph that is centred across because it fits). The host cuts a big graph's
 * first drawing to it (openingSnapshot.ts) without knowing the panel's size.
 */
export function openRegion(bounds: Rect, cover: Size, options: { focus?: Rect | undefined; start?: Rect | undefined; direction?: LayoutDirection; padding?: number } = {}): Rect {
  const padding = options.padding ?? FIT_PADDING;
  const width = cover.width / READABLE_SCALE;
  const height = cover.height / READABLE_SCALE;
  const centre = (rect: Rect) => ({ x: rect.x + rect.width / 2, y: rect.y + rect.height / 2 });
  if (options.focus) return { x: centre(options.focus).x - width / 2, y: centre(options.focus).y - height / 2, width, height };
  const direction = options.direction ?? 'RIGHT';
  const start = options.start && centre(options.start);
  // Across the direction: a panel's worth around the start task, and the whole graph if some
  // panel up to the cover holds it (centred then); without a start, from the first edge.
  const across = (from: number, extent: number, room: number, startAt: number | undefined): [number, number] => {
    if (startAt === undefined) return [from, room];
    const aroundStart: [number, number] = [startAt - room / 2, room];
    if (extent * READABLE_SCALE > (room * READABLE_SCALE) - 2 * padding) return aroundStart;
    const low = Math.min(from, aroundStart[0]);
    return [low, Math.max(from + extent, aroundStart[0] + room) - low];
  };
  if (direction === 'RIGHT' || direction === 'LEFT') {
    const [y, h] = across(bounds.y, bounds.height, height, start?.y);
    return { x: direction === 'LEFT' ? bounds.x + bounds.width - width : bounds.x, y, width, height: h };
  }
  const [x, w] = across(bounds.x, bounds.width, width, start?.x);
  return { x, y: direction === 'UP' ? bounds.y + bounds.height - height : bounds.y, width: w, height };
}

export function centreOn(rect: Rect, size: Size, scale: number): Viewport {
  return { scale, x: size.width / 2 - (rect.x + rect.width / 2) * scale, y: size.height / 2 - (rect.y + rect.height / 2) * scale };
}

/**
 * Whether a graph update replaces what was shown rather than editing it: fewer than half of
 * the nodes of the larger side are common. An edit keeps the view; a new graph (the workspace
 * index arriving after a file's first tasks, another folder) gets the open rule.
 */
export function isNewGraph(before: ReadonlySet<string>, after: Iterable<string>): boolean {
  let common = 0;
  let size = 0;
  for (const id of after) {
    size++;
    if (before.has(id)) common++;
  }
  return common * 2 < Math.max(before.size, size);
}

/** A short fingerprint of which nodes are drawn, persisted with the viewport: a restored
 * viewport is only reused for the graph it was saved for. */
export function graphSignature(nodeIds: readonly string[]): string {
  let h = 0x811c9dc5;
  for (const id of nodeIds) {
    for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
    h = Math.imul(h ^ 10, 16777619);
  }
  return `${nodeIds.length}:${(h >>> 0).toString(16)}`;
}
