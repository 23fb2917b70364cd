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
