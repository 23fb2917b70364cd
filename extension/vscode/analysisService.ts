// The editor's copy of the language server's analysis. Parsing, indexing and lint run in the
// server's own process (extension/server); this keeps the last pipeline graph of the window's first
// folder that the server sent, so the graph view, runs, the Tasks view and task pickers read it
// without waiting, and fires onDidChange when a fresh one arrives.
import path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  LspGraphChanged,
  LspGraphRequest,
  LspTaskFindings,
  type DiagnosticCounts,
  type LspGraphChangedParams,
  type LspGraphParams,
  type LspGraphResult,
  type LspTaskFindingsParams,
} from '../shared/protocol';
import type { GraphJson, TaskNode } from '../core/analysis/types';

/** Graph changes arrive per keystroke batch; one request for a burst of them. */
const REFRESH_DEBOUNCE_MS = 50;

export class AnalysisService implements vscode.Disposable {
  private current: GraphJson = { tasks: [], edges: [], diagnostics: [] };
  private byFile = new Map<string, TaskNode[]>();
  private byId = new Map<string, TaskNode>();
  private readonly changed = new vscode.EventEmitter<{ files: string[] }>();
  /** Fires after a new graph arrived (file paths root-relative). */
  readonly onDidChange = this.changed.event;
  private readonly findingsChanged = new vscode.EventEmitter<Record<string, DiagnosticCounts>>();
  /** Lint finding counts per task id (graph badges), as the server last sent them. */
  readonly onDidChangeTaskFindings = this.findingsChanged.event;
  private readonly disposables: vscode.Disposable[] = [this.changed, this.findingsChanged];
  private refreshTimer: NodeJS.Timeout | undefined;
  private changedFiles = new Set<string>();
  /**
   * Texts as the analysis sees them, for callers that read a pipeline's source: an open editor's
   * buffer (what the server analyses), else undefined (read the disk).
   */
  readonly index = {
    text: (fsPath: string): string | undefined => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === fsPath && !d.isClosed)?.getText(),
  };
  /** Resolves once the first graph is in (the server indexed the folder). */
  readonly ready: Promise<void>;

  constructor(
    readonly root: vscode.Uri,
    private readonly client: LanguageClient,
    log?: vscode.LogOutputChannel,
  ) {
    const folder = root.toString();
    this.ready = (async () => {
      await client.start();
      this.disposables.push(
        client.onNotification(LspGraphChanged, (params: LspGraphChangedParams) => {
          if (params.folder !== folder) return;
          params.files.forEach((f) => this.changedFiles.add(f));
          clearTimeout(this.refreshTimer);
          this.refreshTimer = setTimeout(() => void this.refresh().catch((error: unknown) => log?.error(`graph: ${String(error)}`)), REFRESH_DEBOUNCE_MS);
        }),
        client.onNotification(LspTaskFindings, (params: LspTaskFindingsParams) => {
          if (params.folder === folder) this.findingsChanged.fire(params.counts);
        }),
      );
      await this.refresh();
    })();
    this.ready.catch((error: unknown) => log?.error(`language server: ${String(error)}`));
  }

  private async refresh(): Promise<void> {
    const params: LspGraphParams = { folder: this.root.toString() };
    const result = await this.client.sendRequest<LspGraphResult | null>(LspGraphRequest, params);
    if (!result) return;
    this.current = result.graph;
    this.byFile = new Map();
    for (const task of result.graph.tasks) this.byFile.set(task.file, [...(this.byFile.get(task.file) ?? []), task]);
    this.byId = new Map(result.graph.tasks.map((t) => [t.id, t]));
    const files = this.changedFiles.size ? [...this.changedFiles] : result.graph.tasks.map((t) => t.file);
    this.changedFiles = new Set();
    this.changed.fire({ files });
  }

  private relative(uri: vscode.Uri): string | undefined {
    if (uri.scheme !== 'file') return undefined;
    const relative = path.relative(this.root.fsPath, uri.fsPath);
    return relative.startsWith('..') || path.isAbsolute(relative) ? undefined : relative.split(path.sep).join('/');
  }

  graph(): GraphJson {
    return this.current;
  }

  task(id: string): TaskNode | undefined {
    return this.byId.get(id);
  }

  tasksIn(uri: vscode.Uri): TaskNode[] {
    const file = this.relative(uri);
    return file === undefined ? [] : this.byFile.get(file) ?? [];
  }

  taskAt(uri: vscode.Uri, line: number): TaskNode | undefined {
    return this.tasksIn(uri).find((task) => task.line <= line && line <= (task.endLine ?? task.line));
  }

  uriOf(task: TaskNode): vscode.Uri {
    return vscode.Uri.joinPath(this.root, task.file);
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    this.disposables.forEach((d) => d.dispose());
  }
}
