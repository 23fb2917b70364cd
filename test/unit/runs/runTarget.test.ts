import { describe, expect, it } from 'vitest';
import { isRunDatabase, oldRunDatabases, runDatabaseId } from '../../../extension/core/runs/runTarget';

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

  it("prunes only the current workspace's run databases (and untagged ones of older versions), never another workspace's", () => {
    const mine = Array.from({ length: 10 }, (_, i) => runDatabaseId(1_800_000_000_000 + i * 1_000, '/ws/orders'));
    const theirs = Array.from({ length: 10 }, (_, i) => runDatabaseId(1_700_000_000_000 + i * 1_000, '/ws/shop'));
    const legacy = runDatabaseId(1_600_000_000_000);
    expect(mine[0]).toMatch(/^run-[0-9a-f]{6}-[0-9a-z]+-[0-9a-z]+$/);
    expect(mine[0]!.length).toBeLessThanOrEqual(30);
    expect([mine[0], theirs[0], legacy].every((id) => isRunDatabase(id!))).toBe(true);
    const old = oldRunDatabases([...theirs, legacy, ...mine], mine[9]!);
    // 9 other runs of this workspace and one untagged: 7 kept beside the current one, the oldest 3 go.
    expect([...old].sort()).toEqual([legacy, mine[0], mine[1]].sort());
    expect(old.some((id) => theirs.includes(id))).toBe(false);
  });
});
