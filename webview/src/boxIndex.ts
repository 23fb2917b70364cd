// Which nodes and edges lie in a rectangle: bounding boxes in one flat array, scanned
// linearly. At the graph sizes we draw (a few thousand items) a scan takes tens of
// microseconds, and building it is one pass: a grid index cost ~90 ms to build at 3,000
// nodes, more than all the queries it ever saved.
import type { Rect } from '../../extension/core/graphLayout/types';

export class BoxIndex {
  private readonly ids: string[] = [];
  private boxes: Float64Array;
  private count = 0;

  constructor(capacity: number) {
    this.boxes = new Float64Array(Math.max(4, capacity * 4));
  }

  private push(id: string, x0: number, y0: number, x1: number, y1: number): void {
    if ((this.count + 1) * 4 > this.boxes.length) {
      const grown = new Float64Array(this.boxes.length * 2);
      grown.set(this.boxes);
      this.boxes = grown;
    }
    const o = this.count * 4;
    this.boxes[o] = x0;
    this.boxes[o + 1] = y0;
    this.boxes[o + 2] = x1;
    this.boxes[o + 3] = y1;
    this.ids.push(id);
    this.count++;
  }

  insertRect(id: string, rect: Rect): void {
    this.push(id, rect.x, rect.y, rect.x + rect.width, rect.y + rect.height);
  }

  insertPolyline(id: string, points: readonly number[]): void {
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (let i = 0; i + 1 < points.length; i += 2) {
      x0 = Math.min(x0, points[i]!);
      x1 = Math.max(x1, points[i]!);
      y0 = Math.min(y0, points[i + 1]!);
      y1 = Math.max(y1, points[i + 1]!);
    }
    if (x0 <= x1) this.push(id, x0, y0, x1, y1);
  }

  /** Ids whose box meets the rectangle (edges by bounding box: a few extra, never one missing). */
  query(rect: Rect): Set<string> {
    const found = new Set<string>();
    const rx1 = rect.x + rect.width;
    const ry1 = rect.y + rect.height;
    const b = this.boxes;
    for (let i = 0; i < this.count; i++) {
      const o = i * 4;
      if (b[o]! <= rx1 && b[o + 2]! >= rect.x && b[o + 1]! <= ry1 && b[o + 3]! >= rect.y) found.add(this.ids[i]!);
    }
    return found;
  }
}
