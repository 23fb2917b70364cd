// "Tasks" in the Luigi sidebar: the workspace's tasks by module, with kind and last state; Run,
// Run with downstream, Show graph, Go to definition and Preview rows on each.
import * as vscode from 'vscode';
import type { TaskNode } from '../core/analysis/types';
import type { RunRecord } from '../core/runs/history';
import { lastStateByFamily } from '../core/runs/taskStates';
import type { AnalysisService } from './analysisService';
import { Commands, type TaskCommandArgs } from './commands';

type Node = { kind: 'folder'; folder: vscode.Uri; name: string } | { kind: 'module'; module: string; tasks: TaskNode[] } | { kind: 'task'; task: TaskNode };

const STATE_ICON: Record<string, string> = { succeeded: 'pass', complete: 'pass', failed: 'error', upstream_failed: 'debug-stackframe-dot', missing: 'question' };
const KIND_ICON: Record<string, string> = { task: 'symbol-class', wrapper: 'symbol-namespace', external: 'symbol-interface' };

export class TasksView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly analysis: AnalysisService,
    private readonly history: () => RunRecord[],
  ) {}

  refresh(): void {
    this.changed.fire();
  }

  getChildren(node?: Node): Node[] {
    if (node?.kind === 'task') return [];
    if (node?.kind === 'module') return node.tasks.map((task) => ({ kind: 'task', task }));
    // Several folders: one node per folder, its modules under it.
    const folders = this.analysis.folders();
    if (!node && folders.length > 1) return folders.map((folder) => ({ kind: 'folder', folder, name: vscode.workspace.getWorkspaceFolder(folder)?.name ?? folder.fsPath }));
    const byModule = new Map<string, TaskNode[]>();
    for (const task of this.analysis.graph(node?.kind === 'folder' ? node.folder : undefined).tasks) byModule.set(task.module, [...(byModule.get(task.module) ?? []), task]);
    return [...byModule.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([module, tasks]) => ({ kind: 'module', module, tasks: tasks.sort((a, b) => a.line - b.line) }));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'folder') {
      const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Expanded);
      item.description = `${this.analysis.graph(node.folder).tasks.length} tasks`;
      item.iconPath = vscode.ThemeIcon.Folder;
      item.contextValue = 'folder';
      return item;
    }
    if (node.kind === 'module') {
      const item = new vscode.TreeItem(node.module, vscode.TreeItemCollapsibleState.Expanded);
      item.description = `${node.tasks.length} task${node.tasks.length === 1 ? '' : 's'}`;
      item.iconPath = new vscode.ThemeIcon('symbol-module');
      item.contextValue = 'module';
      return item;
    }
    const { task } = node;
    // Runs of the task's own folder only: task names repeat across the folders of a multi-root window.
    const folder = this.analysis.rootOf(task).toString();
    const last = lastStateByFamily(this.history().filter((run) => this.analysis.folderOf(vscode.Uri.file(run.file))?.toString() === folder)).get(task.name);
    const item = new vscode.TreeItem(task.name, vscode.TreeItemCollapsibleState.None);
    item.description = [task.kind === 'task' ? undefined : task.kind, last ? last.status.replace(/_/g, ' ') : undefined].filter(Boolean).join(' · ');
    const tooltip = new vscode.MarkdownString('', true);
    tooltip.appendMarkdown(`**${task.name}** (${task.kind}) in \`${task.file}:${task.line}\`\n\n`);
    if (task.doc) tooltip.appendText(`${task.doc}\n\n`);
    if (task.params.length) tooltip.appendMarkdown(`parameters: ${task.params.map((p) => `\`${p.name}\`${p.default !== undefined ? ` = ${p.default}` : ''}`).join(', ')}\n\n`);
    if (last) tooltip.appendText(`last run: ${last.status}, ${new Date(last.startedAt).toLocaleString()}`);
    item.tooltip = tooltip;
    item.iconPath = last ? new vscode.ThemeIcon(STATE_ICON[last.status] ?? 'circle-outline') : new vscode.ThemeIcon(KIND_ICON[task.kind] ?? 'symbol-class');
    item.contextValue = 'task';
    // The absolute file: task ids repeat across the folders of a multi-root window.
    const args: TaskCommandArgs = { file: this.analysis.uriOf(task).fsPath, task: task.name, taskId: task.id };
    item.command = { command: Commands.goToTask, title: 'Go to Definition', arguments: [args] };
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Menu commands on a tree item pass the node; CodeLenses and the graph pass TaskCommandArgs. */
export function taskArgsOf(arg: unknown): TaskCommandArgs | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const node = arg as { kind?: string; task?: TaskNode | string; taskId?: string; file?: string };
  if (node.kind === 'task' && node.task && typeof node.task === 'object') return { file: node.task.file, task: node.task.name, taskId: node.task.id };
  if (typeof node.taskId === 'string' || typeof node.task === 'string') return arg as TaskCommandArgs;
  return undefined;
}
