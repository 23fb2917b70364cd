// Pan and zoom: drag to pan, wheel or pinch to zoom at the pointer, keys for both.
// Events only update numbers; the scene redraws once per animation frame.
import type { Rect } from '../../extension/core/graphLayout/types';
import type { LayoutDirection, Viewport } from '../../extension/shared/protocol';
import { openView, READABLE_SCALE } from '../../extension/core/graphLayout/framing';

export const MIN_SCALE = 0.02;
export const MAX_SCALE = 3;
/** Pointer travel (px) below which a press is a click, not a drag. */
const DRAG_THRESHOLD = 4;

export interface ViewportHost {
  element: HTMLElement;
  size(): { width: number; height: number };
  onChange(view: Viewport): void;
  /** A press that did not move: a click at this point. */
  onClick(event: PointerEvent): void;
}

export class ViewportController {
  private view: Viewport = { x: 0, y: 0, scale: 1 };
  private drag: { id: number; x: number; y: number; startX: number; startY: number; moved: boolean } | undefined;

  constructor(private readonly host: ViewportHost) {
    const el = host.element;
    el.addEventListener('pointerdown', (e) => this.pointerDown(e));
    el.addEventListener('pointermove', (e) => this.pointerMove(e));
    el.addEventListener('pointerup', (e) => this.pointerUp(e));
    el.addEventListener('pointercancel', () => (this.drag = undefined));
    el.addEventListener('wheel', (e) => this.wheel(e), { passive: false });
  }

  get current(): Viewport {
    return this.view;
  }

  set(view: Viewport): void {
    this.view = { x: view.x, y: view.y, scale: clamp(view.scale, MIN_SCALE, MAX_SCALE) };
    this.host.onChange(this.view);
  }

  /**
   * Shows the whole graph if it fits with readable labels (at most at 100%); else opens at the
   * readable minimum on `focus` or the graph's start, `start` its first task (framing.ts).
   */
  fit(bounds: Rect, options: { focus?: Rect | undefined; start?: Rect | undefined; direction?: LayoutDirection } = {}): void {
    const view = openView(bounds, this.host.size(), options);
    if (view) this.set(view);
  }

  /** Centres a rectangle, zooming in to at least `minScale` so its label is readable. */
  center(rect: Rect, minScale = READABLE_SCALE): void {
    const { width, height } = this.host.size();
    const scale = Math.max(this.view.scale, minScale);
    this.set({ scale, x: width / 2 - (rect.x + rect.width / 2) * scale, y: height / 2 - (rect.y + rect.height / 2) * scale });
  }

  /** True if the rectangle is fully on screen. */
  shows(rect: Rect): boolean {
    const { width, height } = this.host.size();
    const { x, y, scale } = this.view;
    return rect.x * scale + x >= 0 && rect.y * scale + y >= 0 && (rect.x + rect.width) * scale + x <= width && (rect.y + rect.height) * scale + y <= height;
  }

  zoomBy(factor: number, atX?: number, atY?: number): void {
    const { width, height } = this.host.size();
    const px = atX ?? width / 2;
    const py = atY ?? height / 2;
    const scale = clamp(this.view.scale * factor, MIN_SCALE, MAX_SCALE);
    const k = scale / this.view.scale;
    this.set({ scale, x: px - (px - this.view.x) * k, y: py - (py - this.view.y) * k });
  }

  panBy(dx: number, dy: number): void {
    this.set({ ...this.view, x: this.view.x + dx, y: this.view.y + dy });
  }

  private pointerDown(e: PointerEvent): void {
    if (e.button !== 0) return;
    this.drag = { id: e.pointerId, x: e.clientX, y: e.clientY, startX: e.clientX, startY: e.clientY, moved: false };
  }

  private pointerMove(e: PointerEvent): void {
    const drag = this.drag;
    if (!drag || drag.id !== e.pointerId) return;
    if (!drag.moved && Math.hypot(e.clientX - drag.startX, e.clientY - drag.startY) < DRAG_THRESHOLD) return;
    if (!drag.moved) {
      drag.moved = true;
      this.host.element.setPointerCapture(e.pointerId);
      this.host.element.classList.add('panning');
    }
    this.panBy(e.clientX - drag.x, e.clientY - drag.y);
    drag.x = e.clientX;
    drag.y = e.clientY;
  }

  private pointerUp(e: PointerEvent): void {
    const drag = this.drag;
    this.drag = undefined;
    if (!drag || drag.id !== e.pointerId) return;
    this.host.element.classList.remove('panning');
    if (drag.moved) this.host.element.releasePointerCapture(e.pointerId);
    else this.host.onClick(e);
  }

  private wheel(e: WheelEvent): void {
    e.preventDefault();
    const rect = this.host.element.getBoundingClientRect();
    // Pinch gestures arrive as ctrl+wheel with small deltas; mouse wheels as larger steps.
    const delta = e.deltaMode === WheelEvent.DOM_DELTA_LINE ? e.deltaY * 16 : e.deltaY;
    const factor = Math.exp(-clamp(delta, -100, 100) * (e.ctrlKey ? 0.01 : 0.0025));
    this.zoomBy(factor, e.clientX - rect.left, e.clientY - rect.top);
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
