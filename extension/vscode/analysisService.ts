// The editor's copy of the language server's analysis. Parsing, indexing and lint run in the
// server's own process (extension/server), for every workspace folder; this keeps the last
// pipeline graph of each folder that the server sent (folderGraphs.ts), so the graph view, runs,
// the Tasks view and task pickers read them without waiting, and fires onDidChange when a fresh
// one arrives. The "current" folder is the active editor's (else the last one that was).
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  LspGraphChanged,
  LspGraphLayoutRequest,
  LspGraphRequest,
  LspTaskFindings,
  type DiagnosticCounts,
  type LspGraphChangedParams,
  type LspGraphLayoutParams,
  type LspGraphLayoutResult,
  type LspGraphParams,
  type LspGraphResult,
  type LspTaskFindingsParams,
} from '../shared/protocol';
import type { GraphJson, TaskNode } from '../core/analysis/types';
import { FolderGraphs } from './folderGraphs';
import { traceStartup } from '../shared/startupTrace';
import type { LayoutJobSpec } from '../core/graphLayout/elk';

/** Graph changes arrive per keystroke batch; one request for a burst of them. */
const REFRESH_DEBOUNCE_MS = 50;

export interface GraphChange {
  /** The folder whose graph changed. */
  folder: vscode.Uri;
  /** Changed files, relative to that folder. */
  files: string[];
}

export class AnalysisService implements vscode.Disposable {
  private readonly model = new FolderGraphs();
  private readonly counts = new Map<string, Record<string, DiagnosticCounts>>();
  private currentFolder: string;
  private readonly changed = new vscode.EventEmitter<GraphChange>();
  /** Fires after a new graph arrived, and when the current folder changed (its whole graph then). */
  readonly onDidChange = this.changed.event;
  private readonly findingsChanged = new vscode.EventEmitter<Record<string, DiagnosticCounts>>();
  /** Lint finding counts per task id of the current folder (graph badges), as the server last sent them. */
  readonly onDidChangeTaskFindings = this.findingsChanged.event;
  private readonly disposables: vscode.Disposable[] = [this.changed, this.findingsChanged];
  private readonly refreshTimers = new Map<string, NodeJS.Timeout>();
  private readonly changedFiles = new Map<string, Set<string>>();
  /**
   * Texts as the analysis sees them, for callers that read a pipeline's source: an open editor's
   * buffer (what the server analyses), else undefined (read the disk).
   */
  readonly index = {
    text: (fsPath: string): string | undefined => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === fsPath && !d.isClosed)?.getText(),
  };
  /** Resolves once the language server answered initialize (the client is running). */
  readonly started: Promise<void>;
  private readonly firstGraphs = new Map<string, Promise<void>>();

  constructor(
    folders: readonly vscode.Uri[],
    private readonly client: LanguageClient,
    log?: vscode.LogOutputChannel,
  ) {
    if (folders.length === 0) throw new Error('AnalysisService needs a workspace folder');
    this.currentFolder = folders[0]!.toString();
    for (const folder of folders) this.model.add(folder.toString(), folder.fsPath);
    this.started = (async () => {
      traceStartup('host/serverStarting');
      await client.start();
      traceStartup('host/serverReady');
      this.disposables.push(
        client.onNotification(LspGraphChanged, (params: LspGraphChangedParams) => {
          if (!this.model.has(params.folder)) return;
          const files = this.changedFiles.get(params.folder) ?? new Set<string>();
          params.files.forEach((f) => files.add(f));
          this.changedFiles.set(params.folder, files);
          clearTimeout(this.refreshTimers.get(params.folder));
          this.refreshTimers.set(
            params.folder,
            setTimeout(() => void this.refresh(params.folder).catch((error: unknown) => log?.error(`graph: ${String(error)}`)), REFRESH_DEBOUNCE_MS),
          );
        }),
        client.onNotification(LspTaskFindings, (params: LspTaskFindingsParams) => {
          if (!this.model.has(params.folder)) return;
          this.counts.set(params.folder, params.counts);
          if (params.folder === this.currentFolder) this.findingsChanged.fire(params.counts);
        }),
      );
    })();
    for (const folder of folders) this.firstGraphs.set(folder.toString(), this.started.then(() => this.refresh(folder.toString())));
    this.ready.catch((error: unknown) => log?.error(`language server: ${String(error)}`));
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor((editor) => editor && this.follow(editor.document.uri)),
      vscode.workspace.onDidChangeWorkspaceFolders((event) => {
        for (const removed of event.removed) this.model.remove(removed.uri.toString());
        for (const added of event.added) {
          this.model.add(added.uri.toString(), added.uri.fsPath);
          this.firstGraphs.set(added.uri.toString(), this.started.then(() => this.refresh(added.uri.toString())));
        }
        if (!this.model.has(this.currentFolder) && this.model.all()[0]) this.setCurrent(this.model.all()[0]!.uri);
      }),
    );
    const active = vscode.window.activeTextEditor;
    if (active) this.follow(active.document.uri);
  }

  /** The current folder's lint finding counts per task id, as the server last sent them. */
  get taskFindings(): Record<string, DiagnosticCounts> | undefined {
    return this.counts.get(this.currentFolder);
  }

  /** Resolves once every folder's first graph is in (the server indexed them). */
  get ready(): Promise<void> {
    return Promise.all([...this.firstGraphs.values()]).then(() => undefined);
  }

  /** The current folder follows the active editor's file (and the file a command names). */
  follow(uri: vscode.Uri): void {
    if (uri.scheme !== 'file') return;
    const found = this.model.folderOfPath(uri.fsPath);
    if (found && found.folder.uri !== this.currentFolder) this.setCurrent(found.folder.uri);
  }

  private setCurrent(folder: string): void {
    this.currentFolder = folder;
    const graph = this.model.get(folder)?.graph;
    this.changed.fire({ folder: vscode.Uri.parse(folder), files: [...new Set(graph?.tasks.map((t) => t.file) ?? [])] });
    this.findingsChanged.fire(this.counts.get(folder) ?? {});
  }

  private async refresh(folder: string): Promise<void> {
    const params: LspGraphParams = { folder };
    const result = await this.client.sendRequest<LspGraphResult | null>(LspGraphRequest, params);
    const entry = this.model.get(folder);
    if (!result || !entry) return;
    this.model.set(folder, entry.root, result.graph);
    const pending = this.changedFiles.get(folder);
    this.changedFiles.delete(folder);
    const files = pending?.size ? [...pending] : [...new Set(result.graph.tasks.map((t) => t.file))];
    this.changed.fire({ folder: vscode.Uri.parse(folder), files });
  }

  /** The current folder (the active editor's, else the last active one's, else the first). */
  get root(): vscode.Uri {
    return vscode.Uri.parse(this.currentFolder);
  }

  /** Every served folder, in the window's order. */
  folders(): vscode.Uri[] {
    return this.model.all().map((f) => vscode.Uri.parse(f.uri));
  }

  /**
   * Component layouts the server holds for a folder (default: the current one), laid out ahead of
   * time; `jobs` laid out on its warm ELK; `afterAhead`: once what it lays out ahead now is done.
   */
  async layouts(keys: string[], jobs?: LayoutJobSpec[], options: { folder?: vscode.Uri; afterAhead?: boolean } = {}): Promise<LspGraphLayoutResult> {
    await this.ready;
    const params: LspGraphLayoutParams = { folder: (options.folder ?? this.root).toString(), keys, ...(jobs ? { jobs } : {}), ...(options.afterAhead ? { afterAhead: true } : {}) };
    return this.client.sendRequest<LspGraphLayoutResult>(LspGraphLayoutRequest, params);
  }

  /** The folder a file is in (the innermost, when folders nest). */
  folderOf(uri: vscode.Uri): vscode.Uri | undefined {
    const found = uri.scheme === 'file' ? this.model.folderOfPath(uri.fsPath) : undefined;
    return found ? vscode.Uri.parse(found.folder.uri) : undefined;
  }

  /** The folder a task (from this service) is defined in. */
  rootOf(task: TaskNode): vscode.Uri {
    const folder = this.model.folderOf(task);
    return folder ? vscode.Uri.parse(folder.uri) : this.root;
  }

  /** The graph of a folder: by default the current one; given a task, the task's. */
  graph(of?: vscode.Uri | TaskNode): GraphJson {
    const folder = of === undefined ? this.currentFolder : of instanceof vscode.Uri ? of.toString() : this.rootOf(of).toString();
    return this.model.get(folder)?.graph ?? { tasks: [], edges: [], diagnostics: [] };
  }

  /** Every task of every folder, with its folder (pickers list them all). */
  allTasks(): Array<{ task: TaskNode; folder: vscode.Uri }> {
    return this.model.all().flatMap((f) => f.graph.tasks.map((task) => ({ task, folder: vscode.Uri.parse(f.uri) })));
  }

  /** A task by id, in the current folder first. */
  task(id: string): TaskNode | undefined {
    return this.model.task(id, this.currentFolder);
  }

  tasksIn(uri: vscode.Uri): TaskNode[] {
    return uri.scheme === 'file' ? this.model.tasksIn(uri.fsPath) : [];
  }

  taskAt(uri: vscode.Uri, line: number): TaskNode | undefined {
    return uri.scheme === 'file' ? this.model.taskAt(uri.fsPath, line) : undefined;
  }

  uriOf(task: TaskNode): vscode.Uri {
    return vscode.Uri.joinPath(this.rootOf(task), ...task.file.split('/'));
  }

  dispose(): void {
    this.refreshTimers.forEach((timer) => clearTimeout(timer));
    this.disposables.forEach((d) => d.dispose());
  }
}
