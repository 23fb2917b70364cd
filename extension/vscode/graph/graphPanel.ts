// The graph view's host side: one webview panel per window, strict CSP with a fresh nonce,
// a ready handshake before any data, every webview message validated, reveal-in-editor,
// cursor-follow, the persistent layout cache, and state that survives a restart
// (the webview keeps its own view state with setState; the serializer revives the panel).
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import type { GraphJson } from '../../core/analysis/types';
import type { LayoutJobSpec } from '../../core/graphLayout/elk';
import type { FileLayoutCache } from '../../core/graphLayout/fileCache';
import type { ComponentLayout } from '../../core/graphLayout/types';
import { openingLayoutKeys, openingLayouts } from '../../core/graphLayout/openingKeys';
import { composedOpening, openingPicture } from '../../core/graphLayout/openingSnapshot';
import { packedGraphOf, packedLayoutsOf, packLayouts } from '../../core/graphLayout/wire';
import {
  ActiveFile,
  CursorTask,
  DiagnosticCountsUpdate,
  ExportImage,
  GraphLayouts,
  GraphLoad,
  LayoutCacheLookup,
  LayoutCacheResult,
  LayoutCacheStore,
  LayoutRun,
  LayoutRunResult,
  PreviewTaskRows,
  PROTOCOL_VERSION,
  Ready,
  RenderStats,
  RevealTable,
  RevealTask,
  RunStates,
  ViewCommand,
  WebviewError,
  type DiagnosticCounts,
  type GraphLoadMessage,
  type GraphScope,
  type HostToWebviewMessage,
  type LayoutDirection,
  type LspGraphLayoutResult,
  type RunStateUpdate,
  type ViewCommandName,
  type WebviewToHostMessage,
} from '../../shared/protocol';
import { PREVIEW_TASK_COMMAND } from '../runHistoryView';
import { taskAtLine } from './cursor';
import { graphHtml, webviewBundle } from './html';
import { validateWebviewMessage } from './validate';

export const GRAPH_VIEW_TYPE = 'luigiSpanner.graph';
/** Edits arrive per keystroke batch (the index debounces too); re-layout at most this often. */
const UPDATE_DEBOUNCE_MS = 300;
const CURSOR_DEBOUNCE_MS = 80;
const READY_TIMEOUT_MS = 10_000;

export interface GraphViewDeps {
  /** The workspace graph as the analysis currently sees it. */
  getGraph(): GraphJson;
  /** Resolves once the first full index is in (the panel waits for it before the first post). */
  ready?: Promise<unknown>;
  /** Fires whenever the graph may have changed. */
  onDidChangeGraph: vscode.Event<unknown>;
  /** The folder GraphJson file paths are relative to. */
  root: vscode.Uri;
  log: vscode.LogOutputChannel;
  /** The language server's layouts (server/layoutService.ts): held ones by key, and jobs laid out on its warm ELK. */
  layouts?(keys: string[], jobs?: LayoutJobSpec[], options?: { afterAhead?: boolean }): Promise<LspGraphLayoutResult>;
}

export interface OpenRequest {
  scope?: GraphScope;
  revealTaskId?: string;
}

/** What every (re)loaded webview is told after its handshake: the host's memory of the view. */
export interface ReplayState {
  runStates: RunStateUpdate;
  diagnosticCounts: Record<string, DiagnosticCounts> | undefined;
}

export class GraphPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private isReady = false;
  private readyTimer: NodeJS.Timeout | undefined;
  private updateTimer: NodeJS.Timeout | undefined;
  private cursorTimer: NodeJS.Timeout | undefined;
  private lastCursorTask: string | null = null;
  /** What the next `open` shows; resolved once the caller knows (it may wait for the index). */
  private openRequest: Promise<OpenRequest> = Promise.resolve({});
  /** Layouts for the view a loading panel opens with, fetched from the server while it loads (`layouts` once in). */
  private ahead: { promise: Promise<ComponentLayout[]>; layouts?: ComponentLayout[] } | undefined;
  /**
   * The graph and view the page's HTML carries (a new panel opened with its layouts held: see
   * render), for as long as that HTML is the page's: VS Code reloads it when a hidden panel shows.
   */
  private embedded: { graph: GraphJson; open: OpenRequest } | undefined;
  /** `ready`s received: the page's first load, then reloads after being hidden. */
  private handshakes = 0;
  private readonly closed = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.closed.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly deps: GraphViewDeps,
    private readonly cache: FileLayoutCache,
    private readonly replay: ReplayState,
    /** What a new panel opens with, when known at once (the index is in): its HTML may then carry the graph. */
    opening?: OpenRequest,
  ) {
    const webviewRoot = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
    panel.webview.options = { enableScripts: true, localResourceRoots: [webviewRoot] };
    this.disposables.push(
      this.closed,
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      // A hidden webview is torn down (no retainContextWhenHidden: big graphs cost memory);
      // it comes back through the same handshake, restoring from its state and the cache.
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.isReady = false;
      }),
      deps.onDidChangeGraph(() => this.scheduleUpdate()),
      vscode.window.onDidChangeActiveTextEditor((editor) => this.activeEditorChanged(editor)),
      vscode.window.onDidChangeTextEditorSelection((e) => this.scheduleCursor(e.textEditor)),
    );
    this.render(opening);
  }

  private render(opening?: OpenRequest): void {
    const webview = this.panel.webview;
    const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', name)).toString();
    this.isReady = false;
    const initial = opening && this.openingMessage(opening);
    const bundle = webviewBundle(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview').fsPath, asset('main.js'));
    webview.html = graphHtml({
      cspSource: webview.cspSource,
      nonce: randomBytes(16).toString('base64'),
      script: { inline: bundle.script },
      style: { inline: bundle.style },
      layoutWorkerUri: asset('layout-worker.js'),
      defaultDirection: defaultDirection(),
      layoutService: Boolean(this.deps.layouts),
      ...(initial ? { opening: initial.message } : {}),
    });
    this.embedded = initial && opening && { graph: initial.graph, open: opening };
    clearTimeout(this.readyTimer);
    this.readyTimer = setTimeout(() => {
      if (!this.isReady) this.deps.log.error(`graph view: the webview did not say ready within ${READY_TIMEOUT_MS / 1000} s; check "Developer: Open Webview Developer Tools" for errors`);
    }, READY_TIMEOUT_MS);
  }

  /**
   * The first graph message, if the host holds every layout of the view it opens with (index.ts
   * fetched them once the server had laid them out ahead): the page then draws from its HTML.
   */
  private openingMessage(open: OpenRequest): { graph: GraphJson; message: GraphLoadMessage } | undefined {
    if (!this.deps.layouts) return undefined;
    const graph = this.deps.getGraph();
    const scope = open.scope ?? { kind: 'workspace' };
    const direction = defaultDirection();
    const layouts = openingLayouts(graph, scope, direction);
    if (!layouts) return undefined;
    const message: GraphLoadMessage = { method: GraphLoad, graph: packedGraphOf(graph), reason: 'open', layoutService: true, layouts: packedLayoutsOf(layouts) };
    if (open.scope) message.scope = open.scope;
    if (open.revealTaskId) message.revealTaskId = open.revealTaskId;
    // A big view's first drawing, drawn while the page prepares the whole graph; a small view's
    // whole drawing, which the page takes as is (openingSnapshot.ts).
    const composed = composedOpening(graph, scope, direction);
    if (composed) Object.assign(message, openingPicture(composed, open.revealTaskId));
    const picture = message.snapshot ? ` and a first drawing of ${message.snapshot.nodes.length} of its ${composed!.visible.nodes.length} nodes` : message.drawing ? ` and its whole drawing (${message.drawing.visible.nodes.length} nodes)` : '';
    this.deps.log.info(`graph view: opened with the graph and its layouts in the page${picture}`);
    return { graph, message };
  }

  /** Brings the panel forward; the request applies now, or after the handshake of a loading webview. */
  show(request: Promise<OpenRequest>): void {
    this.panel.reveal(undefined, false);
    this.openRequest = request;
    // A new panel whose HTML carries its first graph needs no layouts fetched while it loads.
    if (!this.isReady && this.deps.layouts && !(this.embedded && !this.handshakes)) {
      const ahead: NonNullable<GraphPanel['ahead']> = { promise: request.then((open) => this.fetchAhead(open)).catch(() => []) };
      void ahead.promise.then((layouts) => (ahead.layouts = layouts));
      this.ahead = ahead;
    }
    if (this.isReady) void request.then((open) => this.postGraph('open', open));
  }

  post(message: HostToWebviewMessage): void {
    // Before the handshake nothing is posted; the replay after `ready` carries the state.
    if (this.isReady) void this.panel.webview.postMessage(message);
  }

  /**
   * While a new panel loads (~0.1-0.2 s), the layouts of the view it opens with (a fresh panel's:
   * this scope, no focus or grouping changes, the default direction), as the server laid them out
   * ahead: the webview then draws without asking. On a big graph they may come in after `ready`
   * (0.2 s at 3,000 tasks): the graph goes at once, and the webview prepares it while they come.
   */
  private async fetchAhead(open: OpenRequest): Promise<ComponentLayout[]> {
    await this.deps.ready;
    // Worked out when the graph changed (index.ts), unless the command came first.
    const keys = openingLayoutKeys(this.deps.getGraph(), open.scope ?? { kind: 'workspace' }, defaultDirection());
    if (keys.length === 0 || !this.deps.layouts) return [];
    const request = this.deps.layouts(keys);
    // While the server answers: the graph is then ready to go on `ready`.
    packedGraphOf(this.deps.getGraph());
    return (await request).entries;
  }

  private async postGraph(reason: 'open' | 'update', options: OpenRequest = {}): Promise<void> {
    await this.deps.ready;
    const message: HostToWebviewMessage = { method: GraphLoad, graph: packedGraphOf(this.deps.getGraph()), reason, ...(this.deps.layouts ? { layoutService: true } : {}) };
    const ahead = this.ahead;
    this.ahead = undefined;
    if (ahead?.layouts?.length) message.layouts = packLayouts(ahead.layouts);
    else if (ahead && !ahead.layouts) message.layoutsFollow = true;
    if (options.scope) message.scope = options.scope;
    if (options.revealTaskId) message.revealTaskId = options.revealTaskId;
    this.post(message);
    // Always answered (possibly empty): the webview waits for it before asking itself.
    if (message.layoutsFollow) void ahead!.promise.then((layouts) => this.post({ method: GraphLayouts, layouts: packLayouts(layouts) }));
  }

  private receive(raw: unknown): void {
    const result = validateWebviewMessage(raw);
    if (!result.ok) {
      this.deps.log.warn(result.error);
      return;
    }
    void this.handle(result.message).catch((error: unknown) => this.deps.log.error(`graph view: ${error instanceof Error ? error.message : String(error)}`));
  }

  private async handle(message: WebviewToHostMessage): Promise<void> {
    switch (message.method) {
      case Ready: {
        if (message.protocolVersion !== PROTOCOL_VERSION) {
          this.deps.log.error(`graph view: webview speaks protocol ${message.protocolVersion}, the extension ${PROTOCOL_VERSION}; reload the window`);
          return;
        }
        this.isReady = true;
        this.handshakes++;
        clearTimeout(this.readyTimer);
        const open = await this.openRequest;
        this.openRequest = Promise.resolve({});
        if (!open.scope) {
          const editorScope = this.scopeOf(vscode.window.activeTextEditor);
          // A revived panel keeps its own scope; the file it follows comes as activeFile.
          if (editorScope) this.post({ method: ActiveFile, file: editorScope.file });
        }
        // The page drew this graph from its HTML already (a new panel's, or the same HTML reloaded
        // after the panel was hidden) unless the graph or the view asked for changed since.
        const embedded = this.embedded;
        if (embedded?.graph === this.deps.getGraph() && (open === embedded.open || (!open.scope && !open.revealTaskId))) this.ahead = undefined;
        else await this.postGraph('open', open);
        this.post({ method: RunStates, update: { ...this.replay.runStates, reset: true } });
        if (this.replay.diagnosticCounts) this.post({ method: DiagnosticCountsUpdate, counts: this.replay.diagnosticCounts });
        this.lastCursorTask = null;
        this.scheduleCursor(vscode.window.activeTextEditor);
        return;
      }
      case RevealTask:
        await this.reveal(message.taskId);
        return;
      case RevealTable:
        await this.revealTable(message.table);
        return;
      case PreviewTaskRows:
        await this.previewRows(message.taskId);
        return;
      case LayoutCacheLookup: {
        // The server's layouts first (computed ahead, it also reads the shared cache folder); the
        // host's own folder if the server is not there.
        const fromServer = this.deps.layouts ? await this.deps.layouts(message.keys).catch((error: unknown) => (this.deps.log.warn(`graph view: layouts from the language server: ${String(error)}`), undefined)) : undefined;
        const entries = fromServer ? fromServer.entries : await this.cache.get(message.keys);
        this.post({ method: LayoutCacheResult, requestId: message.requestId, entries: packLayouts(entries) });
        return;
      }
      case LayoutRun: {
        try {
          if (!this.deps.layouts) throw new Error('no language server to lay out the graph');
          const result = await this.deps.layouts([], message.jobs);
          this.post({ method: LayoutRunResult, requestId: message.requestId, layouts: (result.layouts ?? []).map(packLayouts) });
        } catch (error) {
          // The webview then lays out in its own workers.
          this.post({ method: LayoutRunResult, requestId: message.requestId, error: error instanceof Error ? error.message : String(error) });
        }
        return;
      }
      case LayoutCacheStore:
        this.cache.put(message.entries);
        return;
      case ExportImage:
        await this.saveExport(message.format, message.data, message.suggestedName);
        return;
      case RenderStats:
        this.deps.log.info(
          `graph view: ${message.nodes} nodes, ${message.edges} edges on screen in ${Math.round(message.totalMs)} ms ` +
            (message.firstPaintMs !== undefined && message.firstPaintMs < message.totalMs ? `(first drawn at ${Math.round(message.firstPaintMs)} ms) ` : '') +
            `(ELK ${Math.round(message.layoutMs)} ms${message.layoutSource ? ` in the ${message.layoutSource === 'server' ? 'language server' : message.layoutSource === 'webview' ? 'view' : 'caches'}` : ''}; ` +
            `components ${message.cachedComponents} cached, ${message.computedComponents} laid out)`,
        );
        return;
      case WebviewError:
        this.deps.log.error(`graph view (webview): ${message.message}`);
        return;
    }
  }

  private async reveal(taskId: string): Promise<void> {
    const task = this.deps.getGraph().tasks.find((t) => t.id === taskId);
    if (!task) {
      this.deps.log.warn(`graph view: no task ${taskId} to reveal (the graph changed meanwhile)`);
      return;
    }
    await this.openAt(task.file, task.line);
  }

  /** Opens the table's CREATE TABLE; a table no migration defines says so instead. */
  private async revealTable(name: string): Promise<void> {
    const table = this.deps.getGraph().tables?.find((t) => t.name.toLowerCase() === name.toLowerCase());
    if (!table) {
      this.deps.log.warn(`graph view: no table ${name} to reveal (the graph changed meanwhile)`);
      return;
    }
    if (!table.migration) {
      void vscode.window.showInformationMessage(`No CREATE TABLE ${table.name} in the workspace's migrations folders (migrations/ beside or above the pipeline, or luigi-spanner.json "migrationsDir").`);
      return;
    }
    await this.openAt(table.migration.file, table.migration.line);
  }

  /** Opens a root-relative file at a 1-based line next to the graph, in the editor group the user last worked in. */
  private async openAt(file: string, line1: number): Promise<void> {
    const uri = vscode.Uri.joinPath(this.deps.root, ...file.split('/'));
    const line = Math.max(0, line1 - 1);
    const selection = new vscode.Range(line, 0, line, 0);
    const column = vscode.window.visibleTextEditors.find((e) => e.viewColumn !== undefined && e.viewColumn !== this.panel.viewColumn)?.viewColumn ?? vscode.ViewColumn.Beside;
    const editor = await vscode.window.showTextDocument(uri, { viewColumn: column, selection, preserveFocus: true, preview: true });
    editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  /** The same preview as a task's row in Luigi Runs: its tables in the last run's database. */
  private async previewRows(taskId: string): Promise<void> {
    if (!this.deps.getGraph().tasks.some((t) => t.id === taskId)) {
      this.deps.log.warn(`graph view: no task ${taskId} to preview (the graph changed meanwhile)`);
      return;
    }
    await vscode.commands.executeCommand(PREVIEW_TASK_COMMAND, { taskId });
  }

  private async saveExport(format: 'svg' | 'png', data: string, suggestedName: string): Promise<void> {
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(this.deps.root, suggestedName),
      filters: format === 'svg' ? { 'SVG image': ['svg'] } : { 'PNG image': ['png'] },
      title: `Export the pipeline graph as ${format.toUpperCase()}`,
    });
    if (!target) return;
    await writeFile(target.fsPath, format === 'svg' ? Buffer.from(data, 'utf8') : Buffer.from(data, 'base64'));
    this.deps.log.info(`graph view: exported ${target.fsPath}`);
    void vscode.window.showInformationMessage(`Pipeline graph exported to ${path.basename(target.fsPath)}.`);
  }

  /** A hidden or loading webview gets the whole graph after its next `ready` anyway. */
  private scheduleUpdate(): void {
    clearTimeout(this.updateTimer);
    this.updateTimer = setTimeout(() => {
      if (this.isReady && this.panel.visible) void this.postGraph('update');
    }, UPDATE_DEBOUNCE_MS);
  }

  /** Root-relative path of an editor's file when it defines tasks. */
  private scopeOf(editor: vscode.TextEditor | undefined): { kind: 'file'; file: string } | undefined {
    if (!editor || editor.document.languageId !== 'python' || editor.document.uri.scheme !== 'file') return undefined;
    const file = relativeFile(this.deps.root, editor.document.uri);
    if (!file || !this.deps.getGraph().tasks.some((t) => t.file === file)) return undefined;
    return { kind: 'file', file };
  }

  private activeEditorChanged(editor: vscode.TextEditor | undefined): void {
    const scope = this.scopeOf(editor);
    if (scope) this.post({ method: ActiveFile, file: scope.file });
    this.scheduleCursor(editor);
  }

  private scheduleCursor(editor: vscode.TextEditor | undefined): void {
    clearTimeout(this.cursorTimer);
    this.cursorTimer = setTimeout(() => {
      if (!editor || !this.isReady) return;
      const file = relativeFile(this.deps.root, editor.document.uri);
      const taskId = file ? taskAtLine(this.deps.getGraph().tasks, file, editor.selection.active.line + 1)?.id ?? null : null;
      if (taskId === this.lastCursorTask) return;
      this.lastCursorTask = taskId;
      this.post({ method: CursorTask, taskId });
    }, CURSOR_DEBOUNCE_MS);
  }

  runCommand(command: ViewCommandName): void {
    this.post({ method: ViewCommand, command });
  }

  dispose(): void {
    clearTimeout(this.readyTimer);
    clearTimeout(this.updateTimer);
    clearTimeout(this.cursorTimer);
    this.closed.fire();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

/** The layout direction of a new panel (setting luigiSpanner.graph.direction). */
export function defaultDirection(): LayoutDirection {
  return vscode.workspace.getConfiguration('luigiSpanner').get<LayoutDirection>('graph.direction') ?? 'RIGHT';
}

export function relativeFile(root: vscode.Uri, uri: vscode.Uri): string | undefined {
  const relative = path.relative(root.fsPath, uri.fsPath);
  if (!relative || relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  return relative.split(path.sep).join('/');
}
