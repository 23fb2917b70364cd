// "Luigi Runs": every attempted run, newest first, with per-task status, duration and rows written;
// a run that did not start says why. Labels stay short (the sidebar is narrow): the task and the
// outcome in the label, the time and counts in the description, everything else in the tooltip.
import * as vscode from 'vscode';
import type { RunRecord, TaskRecord } from '../core/runs/history';

type Node = { kind: 'run'; run: RunRecord } | { kind: 'task'; run: RunRecord; task: TaskRecord } | { kind: 'reason'; run: RunRecord };

const STATUS_ICON: Record<string, string> = {
  succeeded: 'pass',
  complete: 'circle-slash',
  failed: 'error',
  missing: 'question',
  upstream_failed: 'debug-stackframe-dot',
};

/** Shown when a task row is clicked: previews the rows that task wrote. */
export const PREVIEW_TASK_COMMAND = 'luigiSpanner.previewTaskRows';

/** `SUCCESS` → `succeeded`: Luigi's summary codes read as words. */
const STATUS_WORDS: Record<string, string> = {
  SUCCESS: 'succeeded',
  SUCCESS_WITH_RETRY: 'succeeded after retry',
  FAILED: 'failed',
  FAILED_AND_SCHEDULING_FAILED: 'failed',
  SCHEDULING_FAILED: 'not scheduled',
  NOT_RUN: 'nothing ran',
  MISSING_EXT: 'missing external input',
  NOT_STARTED: 'did not start',
  CANCELLED: 'cancelled',
};

export function runStatusWords(status: string): string {
  return STATUS_WORDS[status] ?? status.toLowerCase().replace(/_/g, ' ');
}

/** "14:03" today, "Dec 4 14:03" before. */
function when(iso: string): string {
  const date = new Date(iso);
  const time = date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return date.toDateString() === new Date().toDateString() ? time : `${date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })} ${time}`;
}

export class RunHistoryView implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly history: () => RunRecord[]) {}

  refresh(): void {
    this.changed.fire();
  }

  getChildren(node?: Node): Node[] {
    if (!node) return this.history().map((run) => ({ kind: 'run', run }));
    if (node.kind === 'run') {
      if (node.run.notStarted) return [{ kind: 'reason', run: node.run }];
      return node.run.tasks.map((task) => ({ kind: 'task', run: node.run, task }));
    }
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'run') {
      const { run } = node;
      const ran = run.tasks.filter((t) => t.status === 'succeeded').length;
      const item = new vscode.TreeItem(`${run.task} ${runStatusWords(run.status)}`, vscode.TreeItemCollapsibleState.Collapsed);
      item.description = run.notStarted ? when(run.startedAt) : `${when(run.startedAt)} · ${ran}/${run.tasks.length} ran`;
      const params = Object.entries(run.params).map(([k, v]) => `${k}=${v}`).join(', ');
      const tooltip = new vscode.MarkdownString('', true);
      tooltip.appendMarkdown(`**${run.task}**${params ? `(${params})` : ''}: ${runStatusWords(run.status)}, ${new Date(run.startedAt).toLocaleString()}\n\n`);
      if (run.notStarted) tooltip.appendText(`${run.notStarted.reason}${run.notStarted.fix ? `\nFix: ${run.notStarted.fix}` : ''}\n\n`);
      if (run.database) tooltip.appendMarkdown(`database \`${run.database}\`, run \`${run.runId}\`\n\n`);
      tooltip.appendText(run.file);
      item.tooltip = tooltip;
      item.iconPath = new vscode.ThemeIcon(run.success ? 'pass-filled' : run.cancelled ? 'circle-slash' : run.notStarted ? 'warning' : 'error');
      // Context values: the menus offer Inspect only for runs with a database, Rerun Failed for failures.
      item.contextValue = run.success ? 'run' : run.notStarted ? 'notStartedRun' : 'failedRun';
      return item;
    }
    if (node.kind === 'reason') {
      const { notStarted } = node.run;
      const item = new vscode.TreeItem(notStarted?.reason ?? 'did not start', vscode.TreeItemCollapsibleState.None);
      item.tooltip = `${notStarted?.reason ?? ''}${notStarted?.fix ? `\nFix: ${notStarted.fix}` : ''}`;
      item.iconPath = new vscode.ThemeIcon('info');
      return item;
    }
    const { task, run } = node;
    const item = new vscode.TreeItem(task.family, vscode.TreeItemCollapsibleState.None);
    const parts = [task.status.replace(/_/g, ' '), task.rows != null ? `${task.rows} rows` : undefined, task.seconds != null ? `${task.seconds.toFixed(1)}s` : undefined];
    item.description = parts.filter(Boolean).join(' · ');
    item.tooltip = `${task.id}\n${task.status}${task.rows != null ? `, ${task.rows} rows` : ''} in database ${run.database}\nClick to preview the rows it wrote.`;
    item.iconPath = new vscode.ThemeIcon(STATUS_ICON[task.status] ?? 'circle-outline');
    item.contextValue = 'runTask';
    if (run.database) item.command = { command: PREVIEW_TASK_COMMAND, title: 'Preview Rows', arguments: [{ run, task }] };
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
