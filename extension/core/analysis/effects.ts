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

interface Frame extends Effects {
  /** Effects already replayed into this frame: a memo hit for the same entry adds nothing new. */
  replayed: Set<Effects>;
}

export class EffectTracker {
  private readonly frames: Frame[] = [];

  read(key: string): void {
    this.frames[this.frames.length - 1]?.reads.add(key);
  }

  /** Diagnostics reported outside any tracked computation are dropped. */
  report(diagnostic: GraphDiagnostic): void {
    this.frames[this.frames.length - 1]?.diagnostics.push(diagnostic);
  }

  /** Runs `compute` in a fresh frame; its effects also count for the enclosing frame. */
  run<T>(compute: () => T): { value: T; effects: Effects } {
    const frame: Frame = { reads: new Set(), diagnostics: [], replayed: new Set() };
    this.frames.push(frame);
    let value: T;
    try {
      value = compute();
    } finally {
      this.frames.pop();
    }
    const effects: Effects = { reads: frame.reads, diagnostics: frame.diagnostics };
    this.replay(effects);
    return { value, effects };
  }

  replay(effects: Effects): void {
    const top = this.frames[this.frames.length - 1];
    if (!top || top.replayed.has(effects)) return;
    top.replayed.add(effects);
    for (const key of effects.reads) top.reads.add(key);
    for (const diagnostic of effects.diagnostics) top.diagnostics.push(diagnostic);
  }
}

/** A memo, keyed by a scope (usually a file) and a name, whose hits replay their effects. */
export class Memo<T> {
  private readonly scopes = new Map<string, Map<string, { value: T; effects: Effects }>>();

  constructor(private readonly tracker: EffectTracker) {}

  get(scope: string, key: string, compute: () => T): T {
    let entries = this.scopes.get(scope);
    if (!entries) this.scopes.set(scope, (entries = new Map()));
    const hit = entries.get(key);
    if (hit) {
      this.tracker.replay(hit.effects);
      return hit.value;
    }
    const { value, effects } = this.tracker.run(compute);
    entries.set(key, { value, effects });
    return value;
  }
}
