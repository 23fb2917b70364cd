// The language server: one analysis engine per workspace folder (folder.ts), answering any LSP
// client. Push diagnostics, debounced per document; every other answer reads the same index.
//
// Work never blocks requests for long: the first index of a folder and the lint of every file go
// in slices that yield between them, open documents (and what they import) first, so an open
// file is answered while a large folder is still being read.
import { realpathSync } from 'node:fs';
import os from 'node:os';
import v8 from 'node:v8';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import {
  CodeActionKind,
  CodeLensRefreshRequest,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  TextDocumentSyncKind,
  TextDocuments,
  type CodeAction,
  type Connection,
  type Diagnostic,
  type InitializeParams,
  type InitializeResult,
  type WorkspaceFolder,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { describeError } from '../core/errors';
import { traceStartup } from '../shared/startupTrace';
import { parseLintConfig } from '../core/lint/config';
import type { LintConfig } from '../core/lint/types';
import { resolveWorkspaceSettings } from '../core/settings';
import {
  LAYOUT_DIRECTIONS,
  LspGraphChanged,
  LspGraphLayoutRequest,
  LspGraphRequest,
  LspTaskFindings,
  type LspGraphChangedParams,
  type LspGraphLayoutParams,
  type LspGraphLayoutResult,
  type LspGraphParams,
  type LspGraphResult,
  type LspTaskFindingsParams,
} from '../shared/protocol';
import { findingToDiagnostic, graphDiagnosticToLsp, toCodeAction } from './convert';
import { definitionAt, taskAtPosition, taskHover, taskLenses, taskSymbols, toLocation } from './features';
import { FolderAnalysis, type FolderSettings } from './folder';
import { LayoutService } from './layoutService';
import { WorkerLayoutRunner } from './layoutWorker';

export interface ServerOptions {
  /** Starts a worker thread that serves facts requests (see core/analysis/facts-worker.ts). */
  startWorker?: () => Worker;
  /**
   * Worker threads besides the main one for a folder's first index (default 0). Measured on the
   * standard library plus a 1,000-task pipeline (bench/lsp.mjs, 2 busy cores): with workers the peak
   * RSS was 637 MB and the first graph 37 s; without, 459 MB and 17 s. Each worker holds a heap of
   * its own, and the main thread parses its share meanwhile anyway.
   */
  workers?: number;
  /** Quiet time after the last keystroke before a document is re-analysed (default 150 ms). */
  debounceMs?: number;
  /** Starts the warm ELK worker of the graph layouts (layoutWorker.ts); without it no layouts are served. */
  startLayoutWorker?: () => Worker;
  /**
   * From the first bulk index on, the server's thread (and the worker threads it starts later) runs
   * below normal priority (dist/server.js as its own process; not for a server inside another program).
   */
  belowNormalPriority?: boolean;
}

/** Settings an editor without `workspace/configuration` can pass in `initializationOptions.settings` (or `.luigiSpanner`). */
interface RawSettings {
  lint?: { severity?: unknown; disabled?: unknown; mutationLimit?: unknown };
  migrationsDir?: unknown;
}

const SLICE_MS = 15;
/** How long a `luigiSpanner/graphLayout` request with `afterAhead` waits for the layouts ahead (3,000 tasks: ~20 s). */
const AFTER_AHEAD_WAIT_MS = 60_000;
const PROGRESS_EVERY_MS = 250;
/**
 * Between two slices of bulk work: the protocol library takes one incoming message per turn of the
 * event loop (a setImmediate each), so a single turn let one message through per slice, and at
 * start-up the open file's lens request waited behind the editor's burst of notifications and
 * answers, a slice each. A few turns take a burst in one pause; with nothing queued they cost
 * microseconds.
 */
const TURNS_PER_PAUSE = 4;
const yieldToRequests = async () => {
  for (let turn = 0; turn < TURNS_PER_PAUSE; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
};

interface Served {
  analysis: FolderAnalysis;
  /** The first index is in (lint of every file may still be under way). */
  ready: Promise<void>;
  /** Diagnostics published per file key, as JSON, to skip sending what the client has. */
  published: Map<string, string>;
  lastGraph?: string;
  lastCounts?: string;
  /** The graph view's layouts, laid out ahead of time (layoutService.ts). */
  layouts?: LayoutService;
}

/**
 * How far V8 lets the heap grow past what the last full collection kept (its default goes up to
 * 4x). The bulk index and lint allocate fast and keep little (facts, findings): on the standard
 * library plus a 1,000-task pipeline the peak RSS was 528 MB at V8's default and 284 MB at 1.5x,
 * with about 100 MB live. Read by V8 at each collection, so it can be set once the process runs
 * (every editor starts the server its own way).
 */
const HEAP_GROWING_PERCENT = 50;

export function startServer(connection: Connection, options: ServerOptions = {}): void {
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  const debounceMs = options.debounceMs ?? 150;
  const documents = new TextDocuments(TextDocument);
  const folders = new Map<string, Served>();
  const pending = new Map<string, NodeJS.Timeout>();
  let hasConfiguration = false;
  let hasWatchedFilesRegistration = false;
  let hasLensRefresh = false;
  let hasFolderEvents = false;
  let hasProgress = false;
  let initSettings: RawSettings | undefined;
  let initialFolders: WorkspaceFolder[] = [];
  let layoutCacheDirectory: string | undefined;
  let layoutRunner: WorkerLayoutRunner | undefined;

  const log = (message: string) => connection.console.log(message);
  const warn = (message: string) => {
    connection.console.warn(message);
    void connection.window.showWarningMessage(`Luigi Spanner: ${message}`);
  };

  // ---- folders and settings ----

  const readSettings = async (uri: string, root: string): Promise<FolderSettings> => {
    let raw: RawSettings = initSettings ?? {};
    if (hasConfiguration) raw = ((await connection.workspace.getConfiguration({ scopeUri: uri, section: 'luigiSpanner' })) as RawSettings | null) ?? raw;
    let config: LintConfig = {};
    try {
      config = parseLintConfig({ severity: raw.lint?.severity, disabled: raw.lint?.disabled, mutationLimit: raw.lint?.mutationLimit }, 'luigiSpanner.lint settings');
    } catch (error) {
      const { message, fix } = describeError(error);
      warn(`${message}${fix ? ` ${fix}` : ''} The rules' defaults apply meanwhile.`);
    }
    // The one resolver: the editor's setting > luigi-spanner.json > a `migrations/` folder.
    let migrationsDir: string | undefined;
    try {
      const flag = typeof raw.migrationsDir === 'string' && raw.migrationsDir ? path.resolve(root, raw.migrationsDir) : undefined;
      const resolved = resolveWorkspaceSettings(root, flag ? { migrationsDir: flag } : {});
      if (resolved.migrationsDir) migrationsDir = path.relative(resolved.workspace, resolved.migrationsDir).split(path.sep).join('/');
    } catch (error) {
      const { message, fix } = describeError(error);
      warn(`${message}${fix ? ` ${fix}` : ''}`);
    }
    return { config, migrationsDir: migrationsDir && !migrationsDir.startsWith('..') ? migrationsDir : undefined };
  };

  const addFolder = (folder: WorkspaceFolder) => {
    if (folders.has(folder.uri)) return;
    let root: string;
    try {
      root = realpathOr(fileURLToPath(folder.uri));
    } catch {
      log(`not a local folder, not analysed: ${folder.uri}`);
      return;
    }
    // The analysis exists at once, so documents opened while the folder loads are taken in; the
    // folder's settings arrive before its files are read.
    const analysis = new FolderAnalysis(root, folder.uri, { config: {}, migrationsDir: undefined });
    const served: Served = { analysis, published: new Map(), ready: Promise.resolve() };
    if (layoutRunner) served.layouts = new LayoutService({ runner: layoutRunner, ...(layoutCacheDirectory ? { cacheDirectory: layoutCacheDirectory } : {}), log });
    for (const document of documents.all()) {
      const key = keyIn(analysis, document.uri);
      if (key) analysis.setOpenText(key, document.getText());
    }
    const progress = startProgress(folder.name);
    served.ready = (async () => {
      analysis.setSettings(await readSettings(folder.uri, root));
      lowerPriority();
      const started = performance.now();
      await analysis.load({
        ...(options.workers && options.startWorker ? { startWorker: options.startWorker, workers: options.workers } : {}),
        pause: yieldToRequests,
        progress: (done, total) => progress.report(done, total, 'Indexing'),
      });
      traceStartup('server/indexed');
      log(`indexed ${analysis.index.files().length} Python files of ${root} in ${(performance.now() - started).toFixed(0)} ms`);
    })();
    folders.set(folder.uri, served);
    served.ready
      .then(async () => {
        warmLayouts();
        notifyGraph(served, ['*']);
        // Before the lint: the graph view is what a user opens first.
        if (served.layouts) await readGraphDirection(served.layouts, folder.uri);
        served.layouts?.schedule(() => served.analysis.index.graph(), 0);
        if (hasLensRefresh) {
          traceStartup('server/codeLensRefresh');
          void connection.sendRequest(CodeLensRefreshRequest.type);
        }
        const started = performance.now();
        await lintAll(served, undefined, (done, total) => progress.report(done, total, 'Linting'));
        log(`linted ${served.analysis.index.files().length} Python files of ${root} in ${(performance.now() - started).toFixed(0)} ms`);
      })
      .catch((error: unknown) => connection.console.error(`analysis of ${root} failed: ${describeError(error).message}`))
      .finally(() => progress.done());
  };

  /**
   * The first index and lint of a large folder take a core for tens of seconds while the editor
   * starts: below normal priority, the extension host and the workbench go first and the index takes
   * the cores they leave idle. Lowered once the bulk work begins, so the open files' first parse, lint
   * and lenses ran at normal priority; it cannot be raised again (that needs privileges), so later
   * edits are analysed at this priority too, which only matters while every core is busy.
   */
  let priorityLowered = false;
  const lowerPriority = () => {
    if (!options.belowNormalPriority || priorityLowered) return;
    priorityLowered = true;
    try {
      os.setPriority(os.constants.priority.PRIORITY_BELOW_NORMAL);
    } catch (error) {
      log(`could not lower the server's priority: ${describeError(error).message}`);
    }
  };

  /** Loads and warms ELK in its worker, once: its first jobs then find it optimised (layoutWorker.ts). */
  let layoutsWarm = false;
  const warmLayouts = () => {
    if (!layoutRunner || layoutsWarm) return;
    layoutsWarm = true;
    void layoutRunner.warmUp();
  };

  /** "Indexing 1,234/1,800 files" as LSP work-done progress, when the client shows it (at most 4 a second). */
  const startProgress = (name: string) => {
    const reporter = hasProgress ? connection.window.createWorkDoneProgress().catch(() => undefined) : Promise.resolve(undefined);
    let begun = false;
    let last = 0;
    return {
      report(done: number, total: number, what: string) {
        const now = performance.now();
        if (now - last < PROGRESS_EVERY_MS && done < total) return;
        last = now;
        const message = `${what} ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} files`;
        const percentage = total ? Math.floor((done / total) * 100) : 100;
        void reporter.then((r) => {
          if (!r) return;
          if (!begun) r.begin(`Luigi Spanner: ${name}`, percentage, message, false);
          else r.report(percentage, message);
          begun = true;
        });
      },
      done() {
        void reporter.then((r) => r?.done());
      },
    };
  };

  const removeFolder = (uri: string) => {
    const served = folders.get(uri);
    if (!served) return;
    folders.delete(uri);
    served.layouts?.dispose();
    for (const key of served.published.keys()) void connection.sendDiagnostics({ uri: served.analysis.uriOf(key), diagnostics: [] });
  };

  /** The served folder a document belongs to (the innermost, in a nested multi-root setup). */
  const folderOf = (uri: string): { served: Served; key: string } | undefined => {
    let best: { served: Served; key: string } | undefined;
    for (const served of folders.values()) {
      const key = keyIn(served.analysis, uri);
      if (key && (!best || served.analysis.root.length > best.served.analysis.root.length)) best = { served, key };
    }
    return best;
  };

  /** Like folderOf, after every folder's first index (requests that read the graph). */
  const folderOfReady = async (uri: string) => {
    await Promise.all([...folders.values()].map((s) => s.ready.catch(() => undefined)));
    return folderOf(uri);
  };

  /**
   * The folder of a document for a request about it: at once when the document is indexed (an
   * open file is, and the modules it imports are read first), else after the first index. An
   * answer during the first index may miss tasks of files not read yet; lenses are refreshed after.
   */
  const folderOfIndexed = async (uri: string) => {
    const early = folderOf(uri);
    return early && early.served.analysis.index.has(early.key) ? early : folderOfReady(uri);
  };

  // ---- analysis and diagnostics ----

  const diagnosticsOf = (analysis: FolderAnalysis, key: string): Diagnostic[] => [
    ...analysis.graphDiagnosticsOf(key).map((d) => graphDiagnosticToLsp(d, (line) => analysis.lineText(key, line))),
    ...analysis.findingsOf(key).map((f) => findingToDiagnostic(f)),
  ];

  const publish = (served: Served, key: string) => {
    const diagnostics = diagnosticsOf(served.analysis, key);
    const json = JSON.stringify(diagnostics);
    const previous = served.published.get(key);
    if (previous === json || (previous === undefined && diagnostics.length === 0)) return;
    if (diagnostics.length === 0) served.published.delete(key);
    else served.published.set(key, json);
    void connection.sendDiagnostics({ uri: served.analysis.uriOf(key), diagnostics });
  };

  /** Publishes every file whose diagnostics may have changed: those with problems now or before. */
  const publishChanged = (served: Served) => {
    for (const key of new Set([...served.published.keys(), ...served.analysis.filesWithProblems()])) publish(served, key);
  };

  const notifyGraph = (served: Served, files: string[]) => {
    const json = JSON.stringify(served.analysis.graph());
    if (json === served.lastGraph) return;
    served.lastGraph = json;
    served.layouts?.schedule(() => served.analysis.index.graph());
    const params: LspGraphChangedParams = { folder: served.analysis.uri, files: files[0] === '*' ? served.analysis.index.files() : files };
    void connection.sendNotification(LspGraphChanged, params);
  };

  const notifyCounts = (served: Served) => {
    const counts = served.analysis.countsByTask();
    const json = JSON.stringify(counts);
    if (json === served.lastCounts) return;
    served.lastCounts = json;
    const params: LspTaskFindingsParams = { folder: served.analysis.uri, counts };
    void connection.sendNotification(LspTaskFindings, params);
  };

  /** Lints the given Python files (default: all, open ones first) in slices, publishing as it goes. */
  const lintAll = async (served: Served, only?: (key: string) => boolean, progress?: (done: number, total: number) => void) => {
    const { analysis } = served;
    const files = analysis.index.files().filter((key) => !only || only(key));
    files.sort((a, b) => Number(analysis.isOpen(b)) - Number(analysis.isOpen(a)));
    let sliceStart = performance.now();
    for (const [i, key] of files.entries()) {
      if (!folders.has(analysis.uri)) return;
      analysis.lintPython(key);
      publish(served, key);
      if (performance.now() - sliceStart > SLICE_MS) {
        progress?.(i + 1, files.length);
        await yieldToRequests();
        sliceStart = performance.now();
      }
    }
    progress?.(files.length, files.length);
    analysis.lintMigrations();
    publishChanged(served);
    notifyCounts(served);
  };

  /** After `keys` changed (typed, saved, created, deleted): re-analyse, publish, notify. */
  const update = async (served: Served, keys: string[]) => {
    const { analysis } = served;
    // During the first index a file was just opened: a lens or hover request for it that came in
    // meanwhile is answered (from the parse just made) before its lint.
    if (analysis.loading) await yieldToRequests();
    const started = performance.now();
    const python = keys.filter((key) => key.endsWith('.py'));
    for (const key of python) analysis.lintPython(key);
    if (analysis.loading) {
      // The first index is under way: these files' diagnostics now; the graph, the other files'
      // lint and the lens refresh come once it is in.
      for (const key of keys) publish(served, key);
      return;
    }
    const schemaChanged = keys.some((key) => analysis.isMigration(key));
    analysis.lintMigrations();
    publishChanged(served);
    const elapsed = performance.now() - started;
    if (elapsed > 50) log(`diagnostics of ${keys.join(', ')} in ${elapsed.toFixed(0)} ms`);
    notifyGraph(served, keys);
    if (hasLensRefresh && python.length) void connection.sendRequest(CodeLensRefreshRequest.type);
    // Other files depend on a file only through its classes' task facts, or on the schema.
    if (schemaChanged || python.some((key) => analysis.affectsOtherFiles(key))) await lintAll(served, (key) => !python.includes(key));
    else notifyCounts(served);
  };

  /** Takes a document's current text (or, closed, the disk's) into its folder and re-analyses. */
  const apply = (uri: string) => {
    clearTimeout(pending.get(uri));
    pending.delete(uri);
    const found = folderOf(uri);
    if (!found) return;
    const document = documents.get(uri);
    const taken = document ? found.served.analysis.setOpenText(found.key, document.getText()) : (found.served.analysis.closeText(found.key), true);
    if (document && found.key.endsWith('.py')) found.served.layouts?.noteFile(found.key);
    if (taken) void update(found.served, [found.key]).catch((error: unknown) => connection.console.error(describeError(error).message));
  };

  const schedule = (uri: string, delay: number) => {
    clearTimeout(pending.get(uri));
    pending.set(
      uri,
      setTimeout(() => apply(uri), delay),
    );
  };

  /** A request about a document answers from its latest text: a change still in its debounce is applied first. */
  const flush = (uri: string) => {
    if (pending.has(uri)) apply(uri);
  };

  // ---- the protocol ----

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    traceStartup('server/initialize');
    const capabilities = params.capabilities;
    hasConfiguration = Boolean(capabilities.workspace?.configuration);
    hasWatchedFilesRegistration = Boolean(capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration);
    hasLensRefresh = Boolean(capabilities.workspace?.codeLens?.refreshSupport);
    hasFolderEvents = Boolean(capabilities.workspace?.workspaceFolders);
    hasProgress = Boolean(capabilities.window?.workDoneProgress);
    const init = params.initializationOptions as { settings?: RawSettings; luigiSpanner?: RawSettings; graphLayouts?: { cacheDirectory?: unknown }; codeLensByClient?: unknown } | undefined;
    initSettings = init?.settings ?? init?.luigiSpanner;
    // Only a client with a graph view asks for layouts: other editors do not pay for a warm ELK.
    const graphLayouts = init?.graphLayouts;
    if (typeof graphLayouts?.cacheDirectory === 'string' && path.isAbsolute(graphLayouts.cacheDirectory)) layoutCacheDirectory = graphLayouts.cacheDirectory;
    if (graphLayouts && options.startLayoutWorker) {
      // ELK is loaded and warmed once a folder's first index is in (warmLayouts), not now: at start-up
      // its worker took a core for 3 s while the editor waited for the open file's lenses.
      layoutRunner = new WorkerLayoutRunner(options.startLayoutWorker, log);
    }
    initialFolders = params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: path.basename(fileURLToPath(params.rootUri)) }] : []);
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        // A client that provides lenses itself (LspCodeLensInit) asks for them without a registration.
        ...(init?.codeLensByClient === true ? {} : { codeLensProvider: { resolveProvider: false } }),
        hoverProvider: true,
        definitionProvider: true,
        workspaceSymbolProvider: true,
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'luigi-spanner' },
    };
  });

  connection.onInitialized(() => {
    if (hasWatchedFilesRegistration) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.py' }, { globPattern: '**/*.sql' }] });
    }
    for (const folder of initialFolders) addFolder(folder);
    if (hasFolderEvents) {
      connection.workspace.onDidChangeWorkspaceFolders((event) => {
        for (const removed of event.removed) removeFolder(removed.uri);
        for (const added of event.added) addFolder(added);
      });
    }
  });

  connection.onDidChangeConfiguration(() => {
    for (const served of folders.values()) {
      void served.ready
        .then(async () => {
          served.analysis.setSettings(await readSettings(served.analysis.uri, served.analysis.root));
          await lintAll(served);
        })
        .catch((error: unknown) => connection.console.error(describeError(error).message));
    }
  });

  // TextDocuments reports an open as a content change too: the open's immediate analysis stands.
  const opening = new Set<string>();
  documents.onDidOpen((e) => {
    traceStartup('server/didOpen', { file: e.document.uri });
    opening.add(e.document.uri);
    schedule(e.document.uri, 0);
  });
  documents.onDidChangeContent((e) => {
    if (opening.delete(e.document.uri)) return;
    schedule(e.document.uri, debounceMs);
  });
  documents.onDidClose((e) => schedule(e.document.uri, 0));

  connection.onDidChangeWatchedFiles(({ changes }) => {
    const byFolder = new Map<Served, string[]>();
    for (const change of changes) {
      const found = folderOf(change.uri);
      if (!found || found.served.analysis.isOpen(found.key)) continue;
      if (change.type === FileChangeType.Deleted || found.key.endsWith('.py') || found.served.analysis.isMigration(found.key)) {
        found.served.analysis.reloadFromDisk(found.key);
        byFolder.set(found.served, [...(byFolder.get(found.served) ?? []), found.key]);
      }
    }
    for (const [served, keys] of byFolder) void update(served, keys).catch((error: unknown) => connection.console.error(describeError(error).message));
  });

  connection.onCodeAction(async (params) => {
    flush(params.textDocument.uri);
    const found = await folderOfIndexed(params.textDocument.uri);
    if (!found) return [];
    const findings = found.served.analysis.findingsOf(found.key);
    const actions: CodeAction[] = [];
    for (const diagnostic of params.context.diagnostics) {
      if (typeof diagnostic.code !== 'string') continue;
      const finding = findings.find((f) => f.code === diagnostic.code && f.line - 1 === diagnostic.range.start.line && f.column - 1 === diagnostic.range.start.character);
      for (const fix of finding?.fixes ?? []) actions.push(toCodeAction(fix, (file) => found.served.analysis.uriOf(file), diagnostic));
    }
    return actions;
  });

  connection.onCodeLens(async (params) => {
    traceStartup('server/codeLensAsked', { file: params.textDocument.uri });
    flush(params.textDocument.uri);
    const found = await folderOfIndexed(params.textDocument.uri);
    const lenses = found ? taskLenses(found.served.analysis, found.key) : [];
    traceStartup('server/codeLensAnswered', { file: params.textDocument.uri, lenses: lenses.length });
    return lenses;
  });

  connection.onHover(async (params) => {
    flush(params.textDocument.uri);
    const found = await folderOfIndexed(params.textDocument.uri);
    if (!found) return null;
    const { analysis } = found.served;
    const task = taskAtPosition(analysis, found.key, params.position.line, params.position.character);
    return task ? taskHover(analysis.index.graph(), task) : null;
  });

  connection.onDefinition(async (params) => {
    flush(params.textDocument.uri);
    const found = await folderOfIndexed(params.textDocument.uri);
    if (!found) return null;
    const target = definitionAt(found.served.analysis, found.key, params.position.line, params.position.character);
    return target ? toLocation(found.served.analysis, target) : null;
  });

  connection.onWorkspaceSymbol(async (params) => {
    await Promise.all([...folders.values()].map((s) => s.ready.catch(() => undefined)));
    return [...folders.values()].flatMap((served) => taskSymbols(served.analysis, params.query, 500));
  });

  connection.onRequest(LspGraphRequest, async (params: LspGraphParams | undefined): Promise<LspGraphResult | null> => {
    const served = params?.folder ? folders.get(params.folder) : folders.values().next().value;
    if (!served) return null;
    await served.ready;
    return { folder: served.analysis.uri, graph: served.analysis.graph() };
  });

  connection.onRequest(LspGraphLayoutRequest, async (params: LspGraphLayoutParams): Promise<LspGraphLayoutResult> => {
    const served = params?.folder ? folders.get(params.folder) : folders.values().next().value;
    if (!served?.layouts) return { entries: [] };
    if (params.afterAhead === true) await served.layouts.idle(AFTER_AHEAD_WAIT_MS);
    return served.layouts.lookup(Array.isArray(params.keys) ? params.keys.filter((k) => typeof k === 'string') : [], Array.isArray(params.jobs) ? params.jobs : []);
  });

  /** The direction a new graph panel lays out in: the editor's `luigiSpanner.graph.direction`. */
  const readGraphDirection = async (layouts: LayoutService, uri: string) => {
    if (!hasConfiguration) return;
    const graph = (await connection.workspace.getConfiguration({ scopeUri: uri, section: 'luigiSpanner.graph' }).catch(() => null)) as { direction?: unknown } | null;
    const direction = LAYOUT_DIRECTIONS.find((d) => d === graph?.direction);
    if (direction) layouts.setDirection(direction);
  };

  connection.onShutdown(() => {
    layoutRunner?.dispose();
    pending.forEach((timer) => clearTimeout(timer));
    pending.clear();
  });

  documents.listen(connection);
  connection.listen();
}

function keyIn(analysis: FolderAnalysis, uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  return analysis.keyOf(realpathOr(fileURLToPath(uri)));
}

function realpathOr(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}
