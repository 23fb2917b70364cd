// "Luigi Runs": the last runs with per-task status, duration and rows written.
import * as vscode from 'vscode';
import type { RunRecord, TaskRecord } from '../core/runs/history';

type Node = { kind: 'run'; run: RunRecord } | { kind: 'task'; run: RunRecord; task: TaskRecord };

const STATUS_ICON: Record<string, string> = {
  succeeded: 'pass',
  complete: 'circle-slash',
  failed: 'error',
  missing: 'question',
  upstream_failed: 'debug-stackframe-dot',
};

export class RunHistoryView implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly history: () => RunRecord[]) {}

  refresh(): void {
    this.changed.fire();
  }

  getChildren(node?: Node): Node[] {
    if (!node) return this.history().map((run) => ({ kind: 'run', run }));
    if (node.kind === 'run') return node.run.tasks.map((task) => ({ kind: 'task', run: node.run, task }));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'run') {
      const { run } = node;
      const item = new vscode.TreeItem(`${run.task}`, vscode.TreeItemCollapsibleState.Collapsed);
      const ran = run.tasks.filter((t) => t.status === 'succeeded').length;
      item.description = `${run.status} · ${ran} ran · ${new Date(run.startedAt).toLocaleTimeString()}`;
      item.tooltip = new vscode.MarkdownString(`**${run.task}** ${run.status}\n\nrun \`${run.runId}\`, database \`${run.database}\`\n\n${run.file}`);
      item.iconPath = new vscode.ThemeIcon(run.success ? 'pass-filled' : run.cancelled ? 'circle-slash' : 'error');
      item.contextValue = run.success ? 'run' : 'failedRun';
      return item;
    }
    const { task } = node;
    const item = new vscode.TreeItem(task.family, vscode.TreeItemCollapsibleState.None);
    const parts = [task.status, task.seconds != null ? `${task.seconds.toFixed(2)}s` : undefined, task.rows != null ? `${task.rows} rows` : undefined];
    item.description = parts.filter(Boolean).join(' · ');
    item.tooltip = task.id;
    item.iconPath = new vscode.ThemeIcon(STATUS_ICON[task.status] ?? 'circle-outline');
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
