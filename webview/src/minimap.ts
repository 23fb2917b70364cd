// The overview of a graph larger than the panel: every node as a small box, search matches
// and the selection in their colours, and the part on screen as a frame. Press or drag on it
// to move the view there. Hidden while the whole graph is on screen.
import type { GraphLayout, Rect } from '../../extension/core/graphLayout/types';
import type { Viewport } from '../../extension/shared/protocol';
import { h } from './dom';
import { onThemeChange, readPalette, type Palette } from './palette';

/** Largest side of the minimap, CSS px. */
const MAX_SIDE = 180;
/** Smallest side, so a long thin graph still gets a usable strip. */
const MIN_SIDE = 48;
const PAD = 4;

export interface MinimapHost {
  /** The panel's drawing area (for its size and the palette probe). */
  container: HTMLElement;
  size(): { width: number; height: number };
  view(): Viewport;
  /** Centre the view on this graph point, keeping the zoom. */
  centreAt(x: number, y: number): void;
}

export class Minimap {
  readonly element: HTMLCanvasElement;
  private layout: GraphLayout | undefined;
  private marks: { selected: string | null; matches: ReadonlySet<string> | null } = { selected: null, matches: null };
  private palette: Palette | undefined;
  private frame = 0;
  /** Graph -> minimap transform of the last drawing. */
  private map = { scale: 1, x: 0, y: 0, width: 0, height: 0 };
  private dragging: number | undefined;

  constructor(private readonly host: MinimapHost) {
    this.element = h('canvas', { className: 'minimap hidden', 'aria-label': 'Overview of the whole graph: press or drag to move there', role: 'img' });
    // Its own gestures: none of them may reach the drawing below (pan, hover card, click).
    for (const type of ['pointermove', 'pointerup', 'click', 'dblclick', 'wheel'] as const) this.element.addEventListener(type, (e) => e.stopPropagation(), { passive: type !== 'click' });
    this.element.addEventListener('pointerdown', (e) => {
      e.stopPropagation();
      if (e.button !== 0) return;
      this.dragging = e.pointerId;
      this.element.setPointerCapture(e.pointerId);
      this.moveTo(e);
    });
    this.element.addEventListener('pointermove', (e) => {
      if (this.dragging === e.pointerId) this.moveTo(e);
    });
    const stop = (e: PointerEvent) => {
      if (this.dragging !== e.pointerId) return;
      this.dragging = undefined;
      this.element.releasePointerCapture(e.pointerId);
    };
    this.element.addEventListener('pointerup', stop);
    this.element.addEventListener('pointercancel', stop);
    new ResizeObserver(() => this.schedule()).observe(host.container);
    onThemeChange(() => this.refreshTheme());
  }

  setModel(layout: GraphLayout | undefined): void {
    this.layout = layout;
    this.schedule();
  }

  setMarks(selected: string | null, matches: ReadonlySet<string> | null): void {
    this.marks = { selected, matches };
    this.schedule();
  }

  /** The view moved or the panel resized. */
  update(): void {
    this.schedule();
  }

  refreshTheme(): void {
    this.palette = undefined;
    this.schedule();
  }

  /** True while shown (tests and the status line read it). */
  get shown(): boolean {
    return !this.element.classList.contains('hidden');
  }

  private schedule(): void {
    if (this.frame === 0) this.frame = requestAnimationFrame(() => this.draw());
  }

  private moveTo(e: PointerEvent): void {
    const box = this.element.getBoundingClientRect();
    const { scale, x, y } = this.map;
    this.host.centreAt((e.clientX - box.left - x) / scale, (e.clientY - box.top - y) / scale);
  }

  private draw(): void {
    this.frame = 0;
    const layout = this.layout;
    const size = this.host.size();
    const view = this.host.view();
    const bounds = layout?.bounds;
    const seen = visibleRect(view, size);
    const hidden = !layout || !bounds || bounds.width <= 0 || bounds.height <= 0 || contains(seen, bounds);
    this.element.classList.toggle('hidden', hidden);
    if (hidden) return;
    // Small enough to leave most of a small panel to the drawing.
    const side = Math.max(MIN_SIDE, Math.min(MAX_SIDE, size.width / 4, size.height / 3));
    const scale = Math.min((side - 2 * PAD) / bounds.width, (side - 2 * PAD) / bounds.height);
    const width = Math.max(MIN_SIDE, Math.ceil(bounds.width * scale + 2 * PAD));
    const height = Math.max(MIN_SIDE, Math.ceil(bounds.height * scale + 2 * PAD));
    const x = (width - bounds.width * scale) / 2 - bounds.x * scale;
    const y = (height - bounds.height * scale) / 2 - bounds.y * scale;
    this.map = { scale, x, y, width, height };
    const dpr = window.devicePixelRatio || 1;
    if (this.element.width !== Math.round(width * dpr) || this.element.height !== Math.round(height * dpr)) {
      this.element.width = Math.round(width * dpr);
      this.element.height = Math.round(height * dpr);
      this.element.style.width = `${width}px`;
      this.element.style.height = `${height}px`;
    }
    const palette = (this.palette ??= readPalette(this.host.container));
    const ctx = this.element.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.fillStyle = palette.nodeFill;
    ctx.globalAlpha = 0.85;
    ctx.fillRect(0, 0, width, height);
    ctx.globalAlpha = 1;
    const box = (r: Rect) => [x + r.x * scale, y + r.y * scale, Math.max(1, r.width * scale), Math.max(1, r.height * scale)] as const;
    const { matches, selected } = this.marks;
    ctx.fillStyle = palette.nodeStroke;
    if (matches) ctx.globalAlpha = 0.35;
    for (const r of layout.nodes.values()) ctx.fillRect(...box(r));
    ctx.globalAlpha = 1;
    if (matches) {
      ctx.fillStyle = palette.match;
      for (const id of matches) {
        const r = layout.nodes.get(id);
        if (r) ctx.fillRect(...grow(box(r)));
      }
    }
    const chosen = selected ? layout.nodes.get(selected) : undefined;
    if (chosen) {
      ctx.fillStyle = palette.selected;
      ctx.fillRect(...grow(box(chosen)));
    }
    // The part on screen.
    ctx.strokeStyle = palette.selected;
    ctx.lineWidth = 1.5;
    const [vx, vy, vw, vh] = box(seen);
    ctx.strokeRect(Math.max(0.75, vx), Math.max(0.75, vy), Math.min(width - 1.5, vx + vw) - Math.max(0.75, vx), Math.min(height - 1.5, vy + vh) - Math.max(0.75, vy));
  }
}

/** The graph rectangle on screen. */
function visibleRect(view: Viewport, size: { width: number; height: number }): Rect {
  return { x: -view.x / view.scale, y: -view.y / view.scale, width: size.width / view.scale, height: size.height / view.scale };
}

function contains(outer: Rect, inner: Rect): boolean {
  return inner.x >= outer.x - 0.5 && inner.y >= outer.y - 0.5 && inner.x + inner.width <= outer.x + outer.width + 0.5 && inner.y + inner.height <= outer.y + outer.height + 0.5;
}

/** A marked node drawn at least 3 px, so one match in thousands still shows. */
function grow([x, y, w, h]: readonly [number, number, number, number]): [number, number, number, number] {
  const gw = Math.max(3, w);
  const gh = Math.max(3, h);
  return [x - (gw - w) / 2, y - (gh - h) / 2, gw, gh];
}
