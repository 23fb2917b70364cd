// A uniform grid over graph coordinates: which nodes and edge segments lie in a rectangle.
// Lets the renderer draw and keep in the DOM only what is near the viewport.
import type { Rect } from '../../extension/core/graphLayout/types';

const OFFSET = 1 << 15;
const cellKey = (cx: number, cy: number): number => (cx + OFFSET) * (OFFSET * 2) + (cy + OFFSET);

export class SpatialIndex {
  private readonly cells = new Map<number, string[]>();

  constructor(private readonly cellSize = 480) {}

  private add(id: string, x0: number, y0: number, x1: number, y1: number): void {
    const s = this.cellSize;
    for (let cx = Math.floor(x0 / s); cx <= Math.floor(x1 / s); cx++) {
      for (let cy = Math.floor(y0 / s); cy <= Math.floor(y1 / s); cy++) {
        const key = cellKey(cx, cy);
        const list = this.cells.get(key);
        if (list) {
          if (list[list.length - 1] !== id) list.push(id);
        } else {
          this.cells.set(key, [id]);
        }
      }
    }
  }

  insertRect(id: string, rect: Rect): void {
    this.add(id, rect.x, rect.y, rect.x + rect.width, rect.y + rect.height);
  }

  /** A polyline, segment by segment: a long orthogonal edge touches few cells, not its bounding box. */
  insertPolyline(id: string, points: readonly number[]): void {
    for (let i = 0; i + 3 < points.length; i += 2) {
      const [x0, y0, x1, y1] = [points[i]!, points[i + 1]!, points[i + 2]!, points[i + 3]!];
      this.add(id, Math.min(x0, x1), Math.min(y0, y1), Math.max(x0, x1), Math.max(y0, y1));
    }
  }

  query(rect: Rect, into = new Set<string>()): Set<string> {
    const s = this.cellSize;
    for (let cx = Math.floor(rect.x / s); cx <= Math.floor((rect.x + rect.width) / s); cx++) {
      for (let cy = Math.floor(rect.y / s); cy <= Math.floor((rect.y + rect.height) / s); cy++) {
        const list = this.cells.get(cellKey(cx, cy));
        if (list) for (const id of list) into.add(id);
      }
    }
    return into;
  }
}
