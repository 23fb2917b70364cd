// The last run of a workspace, wherever it started (the CLI's `run`, the editor's ▶ Run): its
// database and the emulator that holds it. Inspect and Query, in the editor and the CLI, read the
// last run's database by default, because that is where the rows a run wrote are (a fresh run-*
// database unless state is kept). One small file per workspace in the tool's state folder.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stateDir } from '../../../emulator/src/binary';
import type { RunningEmulator } from '../../../emulator/src/types';

export interface LastRun {
  workspace: string;
  databaseId: string;
  task: string;
  startedAt: string;
  /** The emulator the database lives on: gone with it (a restart empties the emulator). */
  emulator: { handle: string; host: string; name?: string };
}

function lastRunFile(workspace: string, env: NodeJS.ProcessEnv): string {
  const key = createHash('sha256').update(workspace).digest('hex').slice(0, 16);
  return path.join(stateDir(env), 'last-run', `${key}.json`);
}

/** Best effort: a run never fails because this note could not be written. */
export function recordLastRun(run: Omit<LastRun, 'startedAt'> & { startedAt?: string }, env: NodeJS.ProcessEnv = process.env): void {
  try {
    const file = lastRunFile(run.workspace, env);
    mkdirSync(path.dirname(file), { recursive: true });
    // Written whole, then renamed: a reader in another process never sees half of it.
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify({ ...run, startedAt: run.startedAt ?? new Date().toISOString() }));
    renameSync(temp, file);
  } catch {
    // Read-only home, full disk: Inspect falls back to the workspace's database.
  }
}

export function readLastRun(workspace: string, env: NodeJS.ProcessEnv = process.env): LastRun | undefined {
  try {
    const run = JSON.parse(readFileSync(lastRunFile(workspace, env), 'utf8')) as LastRun;
    return run.workspace === workspace && typeof run.databaseId === 'string' ? run : undefined;
  } catch {
    return undefined;
  }
}

export interface DatabaseChoice {
  databaseId: string;
  /** Why this database: `--database`, the last run's, or the workspace's. */
  source: 'explicit' | 'lastRun' | 'workspace';
  lastRun?: LastRun;
  /** The last run's database is gone with its emulator (restarted since): said, then the workspace's is used. */
  lastRunGone?: boolean;
}

/**
 * The database Inspect and Query read: the one asked for, else the last run's when it lives on
 * the emulator that runs now, else the workspace's.
 */
export function chooseInspectDatabase(input: { explicit?: string; workspaceDatabase: string; lastRun?: LastRun; running?: Pick<RunningEmulator, 'handle'> }): DatabaseChoice {
  const last = input.lastRun;
  // Named explicitly and it is the last run's (Inspect Last Run from a run's result): say so.
  if (input.explicit && input.explicit === last?.databaseId) return { databaseId: last.databaseId, source: 'lastRun', lastRun: last };
  if (input.explicit) return { databaseId: input.explicit, source: 'explicit' };
  if (last && input.running && last.emulator.handle === input.running.handle) return { databaseId: last.databaseId, source: 'lastRun', lastRun: last };
  return { databaseId: input.workspaceDatabase, source: 'workspace', ...(last ? { lastRun: last, lastRunGone: true } : {}) };
}

/** "run-abc (last run: LoadOrders, 12/5/2026, 14:03:00)" — the name every Inspect and Query shows. */
export function describeDatabaseChoice(choice: DatabaseChoice): string {
  switch (choice.source) {
    case 'explicit':
      return choice.databaseId;
    case 'lastRun':
      return `${choice.databaseId} (last run: ${choice.lastRun!.task}, ${new Date(choice.lastRun!.startedAt).toLocaleString()})`;
    case 'workspace':
      return `${choice.databaseId} (workspace)${choice.lastRunGone ? `; the last run's database ${choice.lastRun!.databaseId} went with the emulator it ran on` : ''}`;
  }
}
