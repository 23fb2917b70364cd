// Registers the graph view: the panel serializer (so the panel comes back after a restart)
// and the API the rest of the extension calls. Commands and CodeLenses are registered by
// extension.ts; they call `show`.
import * as vscode from 'vscode';
import { FileLayoutCache } from '../../core/graphLayout/fileCache';
import { holdOpeningLayouts, openingLayoutKeys } from '../../core/graphLayout/openingKeys';
import type { ComponentLayout } from '../../core/graphLayout/types';
import { DiagnosticCountsUpdate, RunStates, type DiagnosticCounts, type GraphScope, type RunStateUpdate, type ViewCommandName } from '../../shared/protocol';
import { prepareOpening } from './html';
import { defaultDirection, GRAPH_VIEW_TYPE, GraphPanel, relativeFile, type GraphViewDeps, type OpenRequest, type ReplayState } from './graphPanel';

/** After the graph or the active editor changed, and nothing since for this long, a new panel's layouts are prepared. */
const OPENING_KEYS_DELAY_MS = 1000;

export { GRAPH_VIEW_TYPE, type GraphViewDeps } from './graphPanel';

export interface ShowGraphOptions {
  /** Show this file's tasks with their up- and downstream (default: the active editor's file). */
  focusFile?: vscode.Uri | string;
  /** Select and centre this task (e.g. from the "Show graph" CodeLens). */
  focusTaskId?: string;
}

export interface GraphViewApi extends vscode.Disposable {
  show(options?: ShowGraphOptions): Promise<void>;
  /** Run states for the overlay; merged into what was posted before unless `reset`. */
  postRunStates(update: RunStateUpdate): void;
  /** Diagnostic badge counts per task id; replaces the counts derived from GraphJson.diagnostics. */
  setDiagnosticCounts(counts: Record<string, DiagnosticCounts>): void;
  /** Fit, export, toggle scope, re-layout: for palette commands. No-op without a panel. */
  runCommand(command: ViewCommandName): void;
}

export function registerGraphView(context: vscode.ExtensionContext, deps: GraphViewDeps): GraphViewApi {
  // Layouts depend only on graph structure, so one bounded cache serves every workspace.
  const cache = new FileLayoutCache(vscode.Uri.joinPath(context.globalStorageUri, 'graph-layouts').fsPath);
  const replay: ReplayState = { runStates: {}, diagnosticCounts: undefined };
  let current: GraphPanel | undefined;

  const adopt = (panel: vscode.WebviewPanel, opening?: OpenRequest): GraphPanel => {
    const graphPanel = new GraphPanel(panel, context.extensionUri, deps, cache, replay, opening);
    current = graphPanel;
    graphPanel.onDidDispose(() => {
      if (current === graphPanel) current = undefined;
    });
    return graphPanel;
  };

  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(GRAPH_VIEW_TYPE, {
      // The webview restores its own view state (getState); the host only re-attaches.
      async deserializeWebviewPanel(panel: vscode.WebviewPanel) {
        current?.dispose();
        adopt(panel);
      },
    }),
  );

  // What a new panel opens with (the workspace, the active file's scope): the keys of its layouts,
  // worked out in a quiet moment after a change rather than on the command's critical path, then
  // the layouts themselves once the language server has laid them out ahead
  // (core/graphLayout/openingKeys.ts). A new panel for such a view gets them in its HTML. Not while
  // a panel shows: it lays out on its own then.
  let keysTimer: NodeJS.Timeout | undefined;
  /** The opening layouts fetched last, by key: after an edit only the components it changed are fetched again. */
  let fetched = new Map<string, ComponentLayout>();
  let prefetch = 0;
  /** Task count of the workspace view last said to open drawn (said again when it changes). */
  let announced = -1;
  const prepareOpenings = () => {
    clearTimeout(keysTimer);
    const layouts = deps.layouts;
    if (!layouts) return;
    keysTimer = setTimeout(() => {
      if (current?.panel.visible) return;
      const graph = deps.getGraph();
      if (graph.tasks.length === 0) return;
      const direction = defaultDirection();
      const scopes: GraphScope[] = [{ kind: 'workspace' }];
      const uri = vscode.window.activeTextEditor?.document.uri;
      const file = uri?.scheme === 'file' ? relativeFile(deps.root, uri) : undefined;
      if (file !== undefined && graph.tasks.some((t) => t.file === file)) scopes.push({ kind: 'file', file });
      const keys = new Set(scopes.flatMap((scope) => openingLayoutKeys(graph, scope, direction)));
      const missing = [...keys].filter((key) => !fetched.has(key));
      const run = ++prefetch;
      void (missing.length ? layouts(missing, undefined, { afterAhead: true }) : Promise.resolve({ entries: [] })).then(
        ({ entries }) => {
          if (run !== prefetch) return;
          const kept = new Map<string, ComponentLayout>();
          for (const key of keys) {
            const entry = fetched.get(key);
            if (entry) kept.set(key, entry);
          }
          for (const entry of entries) kept.set(entry.key, entry);
          fetched = kept;
          // What a command puts into a new panel's HTML, made now rather than on its critical path.
          for (const scope of scopes) {
            if (!holdOpeningLayouts(graph, scope, direction, kept.values())) continue;
            void prepareOpening(graph, scope, direction).then(() => {
              if (scope.kind !== 'workspace' || announced === graph.tasks.length) return;
              announced = graph.tasks.length;
              deps.log.info(`graph view: a new panel of the workspace's ${graph.tasks.length} tasks opens drawn (its layouts are held)`);
            });
          }
        },
        (error: unknown) => deps.log.warn(`graph view: prefetching layouts from the language server: ${String(error)}`),
      );
    }, OPENING_KEYS_DELAY_MS);
  };
  /** The first index is in: a command's view is known at once. */
  let indexed = false;
  void Promise.resolve(deps.ready).then(() => {
    indexed = true;
    prepareOpenings();
  }, () => undefined);
  context.subscriptions.push(
    deps.onDidChangeGraph(prepareOpenings),
    vscode.window.onDidChangeActiveTextEditor(prepareOpenings),
    { dispose: () => clearTimeout(keysTimer) },
  );

  const api: GraphViewApi = {
    async show(options = {}) {
      const file = options.focusFile ?? vscode.window.activeTextEditor?.document.uri;
      const uri = typeof file === 'string' ? vscode.Uri.file(file) : file;
      const openRequest = (): OpenRequest => {
        const relative = uri && relativeFile(deps.root, uri);
        const open: OpenRequest = {};
        if (relative !== undefined && deps.getGraph().tasks.some((t) => t.file === relative)) open.scope = { kind: 'file', file: relative };
        if (options.focusTaskId) open.revealTaskId = options.focusTaskId;
        return open;
      };
      // The panel opens at once; what it shows is settled once the index is in (known now if it is).
      const known = indexed ? openRequest() : undefined;
      const request = known ? Promise.resolve(known) : Promise.resolve(deps.ready).then(openRequest);
      if (!current) {
        const panel = vscode.window.createWebviewPanel(GRAPH_VIEW_TYPE, 'Pipeline Graph', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, {
          enableScripts: true,
          localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview')],
        });
        adopt(panel, known);
      }
      current!.show(request);
      await request;
    },
    postRunStates(update) {
      replay.runStates = update.reset
        ? { byTaskId: { ...update.byTaskId }, byFamily: { ...update.byFamily } }
        : { byTaskId: { ...replay.runStates.byTaskId, ...update.byTaskId }, byFamily: { ...replay.runStates.byFamily, ...update.byFamily } };
      current?.post({ method: RunStates, update });
    },
    setDiagnosticCounts(counts) {
      replay.diagnosticCounts = counts;
      current?.post({ method: DiagnosticCountsUpdate, counts });
    },
    runCommand(command) {
      current?.runCommand(command);
    },
    dispose() {
      current?.dispose();
    },
  };
  context.subscriptions.push(api);
  return api;
}
