import { describe, expect, it } from 'vitest';
import { oldRunDatabases, runDatabaseId } from '../../../extension/core/runs/runTarget';

describe('run database pruning', () => {
  it('keeps the newest run databases and the current one, never other databases', () => {
    const runs = Array.from({ length: 12 }, (_, i) => runDatabaseId(1_800_000_000_000 + i * 1_000));
    const old = oldRunDatabases([...runs, 'pipeline', 'bench-x', 't-123', 'run-notours'], runs[3]!);
    // 11 other run databases, 7 kept beside the current one: the 4 oldest of the others go.
    expect([...old].sort()).toEqual([runs[0], runs[1], runs[2], runs[4]].sort());
  });

  it('drops nothing while there are few', () => {
    const runs = Array.from({ length: 5 }, (_, i) => runDatabaseId(1_800_000_000_000 + i));
    expect(oldRunDatabases(runs, runs[4]!)).toEqual([]);
  });
});
