// Runtime task ids (`LoadOrders_2024_03_01_8dbde4e3af`) are instances; graph nodes are classes.
// The overlay therefore shows, per family, how many instances are in each state.
import type { TaskRunState } from './events';

export type FamilyCounts = Record<string, Partial<Record<TaskRunState, number>>>;

export class FamilyStateTracker {
  private readonly instances = new Map<string, { family: string; state: TaskRunState }>();

  /** Forgets the previous run. */
  reset(): void {
    this.instances.clear();
  }

  update(id: string, family: string, state: TaskRunState): FamilyCounts {
    this.instances.set(id, { family, state });
    return this.counts();
  }

  counts(): FamilyCounts {
    const counts: FamilyCounts = {};
    for (const { family, state } of this.instances.values()) {
      const forFamily = (counts[family] ??= {});
      forFamily[state] = (forFamily[state] ?? 0) + 1;
    }
    return counts;
  }
}

/** What the graph view is told: states to merge, or `reset` first (then the states, if any). */
export interface OverlayUpdate {
  reset?: boolean;
  byFamily?: FamilyCounts;
}

/**
 * The run states the graph view overlays, in a multi-root window. A run's states are its folder's:
 * the view, which shows one folder's graph at a time, shows them only while it shows that folder
 * (a same-named task of another folder never ran), and gets them back when it returns to it.
 * Folders are compared by their URI string.
 */
export class RunOverlay {
  private readonly tracker = new FamilyStateTracker();
  private runFolder: string | undefined;

  constructor(private shownFolder: string) {}

  /** A run starts in `folder`: the previous run's states go. */
  startRun(folder: string): OverlayUpdate {
    this.tracker.reset();
    this.runFolder = folder;
    return { reset: true };
  }

  /** A task of the current run changed state; undefined while the view shows another folder. */
  update(id: string, family: string, state: TaskRunState): OverlayUpdate | undefined {
    const byFamily = this.tracker.update(id, family, state);
    return this.shows() ? { byFamily } : undefined;
  }

  /** The view now shows `folder`'s graph; undefined when it already did. */
  show(folder: string): OverlayUpdate | undefined {
    if (folder === this.shownFolder) return undefined;
    this.shownFolder = folder;
    return this.shows() ? { reset: true, byFamily: this.tracker.counts() } : { reset: true };
  }

  private shows(): boolean {
    return this.runFolder === this.shownFolder;
  }
}
