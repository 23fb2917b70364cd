// Where the window's run history is kept (the workspace's memento): RunController writes it, the
// Luigi Runs and Tasks views read it (they load before the runs' code, extension.ts).
import type * as vscode from 'vscode';
import type { RunRecord } from '../core/runs/history';

export const HISTORY_KEY = 'luigiSpanner.runHistory';

export function readRunHistory(state: vscode.Memento): RunRecord[] {
  return state.get<RunRecord[]>(HISTORY_KEY, []);
}
