// Bookkeeping for incremental graph builds: while the graph of one file is computed, every
// index key read (a file's facts, a folder's existence, also ones that do not exist) and every
// diagnostic reported is recorded. A memoised result carries what it read and reported, and
// replays both when it is reused, so a file's record is complete however the memo was filled.
// When a key changes, exactly the files whose record read it are recomputed.
import type { GraphDiagnostic } from './types';

export interface Effects {
  reads: Set<string>;
  diagnostics: GraphDiagnostic[];
}

export class EffectTracker {
  private readonly frames: Effects[] = [];

  read(key: string): void {
    this.frames[this.frames.length - 1]?.reads.add(key);
  }

  /** Diagnostics reported outside any tracked computation are dropped. */
  report(diagnostic: GraphDiagnostic): void {
    this.frames[this.frames.length - 1]?.diagnostics.push(diagnostic);
  }

  /** Runs `compute` in a fresh frame; its effects also count for the enclosing frame. */
  run<T>(compute: () => T): { value: T; effects: Effects } {
    const effects: Effects = { reads: new Set(), diagnostics: [] };
    this.frames.push(effects);
    let value: T;
    try {
      value = compute();
    } finally {
      this.frames.pop();
    }
    this.replay(effects);
    return { value, effects };
  }

  replay(effects: Effects): void {
    const top = this.frames[this.frames.length - 1];
    if (!top) return;
    for (const key of effects.reads) top.reads.add(key);
    top.diagnostics.push(...effects.diagnostics);
  }
}

/** A memo whose hits replay the effects of the computation they stand for. */
export class Memo<T> {
  private readonly entries = new Map<string, { value: T; effects: Effects }>();

  constructor(private readonly tracker: EffectTracker) {}

  get(key: string, compute: () => T): T {
    const hit = this.entries.get(key);
    if (hit) {
      this.tracker.replay(hit.effects);
      return hit.value;
    }
    const { value, effects } = this.tracker.run(compute);
    this.entries.set(key, { value, effects });
    return value;
  }
}
