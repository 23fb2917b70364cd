// The thin VS Code layer: it wires the pure core (analysis, emulator, runs) to editor features.
// Nothing heavy starts here: the emulator starts on demand, the index fills in the background.
//
// This entry (dist/extension.js) holds only what the first CodeLens needs, since the extension host
// compiles and runs all of it before activate(): the language server's client, its copy of the graphs,
// the Tasks and Luigi Runs views and the walkthrough. The rest (features.ts: the graph view, runs, the
// emulator's status bar and commands, runtime findings, Doctor) is dist/features.js, loaded with
// require() right after activation, in a task of its own (at once for a graph panel the window
// restores); until then each of its commands is a placeholder that loads it first.
import './startupMark';
import * as vscode from 'vscode';
import { AnalysisService } from './analysisService';
import { LOOP_DELAY_LOG_ENV, startLoopDelayProbe } from './loopDelayProbe';
import { HOST_PROFILE_ENV, startCpuProfile } from '../shared/cpuProfile';
import { createLanguageClient, DOCUMENT_SELECTOR, forkServerEarly, hostDebugged, type DiagnosticsHook } from './languageClient';
import { loadWithCodeCache } from './codeCache';
import { defaultCacheFolder } from '../shared/cacheFolder';
import path from 'node:path';
import { registerCodeLenses } from './codeLenses';
import { Commands, ContextKeys } from './commands';
import { RunHistoryView } from './runHistoryView';
import { readRunHistory } from './runHistoryStore';
import { TasksView } from './tasksView';
import { setContext } from './contextKeys';
import { registerWalkthrough } from './walkthrough';
import { traceStartup } from '../shared/startupTrace';
import type { CoreServices, Features } from './features';

// The CodeLens provider is registered and the language server forked while this bundle is evaluated,
// not in activate(): the extension host calls activate() only once it has the extension's storage from
// the window (0.1-0.6 s at start-up), and the editor's first lens request comes a debounce after the
// provider's registration. Only with a folder (no folder, no server). The first activate() takes the
// provider and hands it the server's client, or disposes of it; the client's first start takes the process.
const firstFolder = vscode.workspace.workspaceFolders?.[0];
let earlyLenses = firstFolder ? registerCodeLenses(DOCUMENT_SELECTOR) : undefined;
if (firstFolder) forkServerEarly(firstFolder.uri.fsPath);

export function activate(context: vscode.ExtensionContext): { analysis?: AnalysisService } {
  traceStartup('host/bundleLoaded');
  try {
    return activateWith(context);
  } finally {
    traceStartup('host/activated');
  }
}

function activateWith(context: vscode.ExtensionContext): { analysis?: AnalysisService } {
  // Off unless the code-server benchmark asks for it (bench/code-server-scenario.mjs).
  context.subscriptions.push(startLoopDelayProbe(process.env[LOOP_DELAY_LOG_ENV]));
  startCpuProfile(process.env[HOST_PROFILE_ENV]);
  const log = vscode.window.createOutputChannel('Luigi Spanner', { log: true });
  context.subscriptions.push(log);
  const folder = vscode.workspace.workspaceFolders?.[0];
  const early = earlyLenses;
  earlyLenses = undefined;

  // The language server first: its process starts while the rest of the window starts.
  let language: CoreServices['language'];
  if (folder) {
    // The analysis runs in the language server's process; the host keeps only its graph.
    const diagnosticsHook: DiagnosticsHook = {};
    const client = createLanguageClient(context, log, diagnosticsHook);
    deactivateHooks.push(() => client.stop());
    // The editor may be asking for lenses already; the answers wait for the server (attached before it starts).
    const lenses = early ?? registerCodeLenses(DOCUMENT_SELECTOR);
    lenses.attach({ client, started: () => analysis.started });
    context.subscriptions.push(lenses);
    // Every folder of the window is served; commands act on the active file's folder or the task's.
    const analysis = new AnalysisService((vscode.workspace.workspaceFolders ?? [folder]).map((f) => f.uri), client, log);
    context.subscriptions.push(analysis);
    language = { client, analysis, diagnosticsHook };
  } else if (early) {
    early.attach(undefined);
    early.dispose();
  }

  registerWalkthrough(context, log);

  // The views read the run history themselves: they show it before the runs' code has loaded.
  const history = () => readRunHistory(context.workspaceState);
  const historyView = new RunHistoryView(history);
  context.subscriptions.push(historyView, vscode.window.registerTreeDataProvider('luigiSpanner.runHistory', historyView));
  const tasksView = language ? new TasksView(language.analysis, history) : undefined;
  if (tasksView && language) {
    context.subscriptions.push(tasksView, vscode.window.registerTreeDataProvider('luigiSpanner.tasks', tasksView), language.analysis.onDidChange(() => tasksView.refresh()));
    context.subscriptions.push(vscode.commands.registerCommand(Commands.refreshTasks, () => tasksView.refresh()));
  }
  const core: CoreServices = {
    log,
    language,
    historyChanged() {
      historyView.refresh();
      tasksView?.refresh();
    },
  };

  // Until the features load, each of their commands is a placeholder that loads them and runs the real one.
  const ownCommands = new Set<string>([Commands.showWalkthrough, Commands.openSample, Commands.refreshTasks]);
  const contributed = (context.extension.packageJSON as { contributes?: { commands?: Array<{ command: string }> } }).contributes?.commands ?? [];
  const placeholders = contributed
    .map((c) => c.command)
    .filter((id) => !ownCommands.has(id))
    .map((id) =>
      vscode.commands.registerCommand(id, (...args: unknown[]) => {
        loadFeatures();
        return vscode.commands.executeCommand(id, ...args);
      }),
    );
  let features: Features | undefined;
  let featuresModule: typeof import('./features') | undefined;
  // A separate bundle (scripts/build.mjs), compiled only now, from V8's code cache when a window
  // before this one kept it (codeCache.ts); a plain require() under a debugger (breakpoints, maps).
  let saveCodeCache: (() => void) | undefined;
  const requireFeatures = (): typeof import('./features') => {
    if (featuresModule) return featuresModule;
    const file = context.asAbsolutePath('dist/features.js');
    if (hostDebugged) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      featuresModule = require(file) as typeof import('./features');
    } else {
      const loaded = loadWithCodeCache<typeof import('./features')>(file, path.join(defaultCacheFolder(), 'host-code-cache'));
      featuresModule = loaded.exports;
      if (loaded.cache !== 'used') saveCodeCache = loaded.save;
    }
    return featuresModule;
  };
  function loadFeatures(): Features {
    if (features) return features;
    const { activateFeatures } = requireFeatures();
    placeholders.forEach((p) => p.dispose());
    features = activateFeatures(context, core);
    traceStartup('host/featuresLoaded');
    // The code the start-up compiled goes into the cache once the window has settled (a task of
    // its own, once per version of the bundle).
    const save = saveCodeCache;
    saveCodeCache = undefined;
    if (save) {
      setTimeout(() => {
        try {
          save();
        } catch (error) {
          log.warn(`could not keep the compiled code of dist/features.js: ${String(error)}`);
        }
      }, CODE_CACHE_SAVE_DELAY_MS).unref();
    }
    return features;
  }
  deactivateHooks.push(async () => {
    await features?.deactivate();
  });
  // A graph panel being restored needs its serializer now; so do windows without a folder (no lens).
  if (!folder || hasGraphTab()) loadFeatures();
  // Else right after activation, in two tasks of their own (the bundle's compile, then its
  // activation): activate() and the host's next messages (the lens request among them) do not wait
  // for them, no task of theirs holds the host's thread for long, and they still register before the
  // server's first answer (the runtime findings' merge sees every diagnostic; providers keep their order).
  else {
    const guard = (step: () => unknown) => () => {
      try {
        step();
      } catch (error) {
        log.error(`loading the extension's features (dist/features.js) failed: ${String(error)}`);
      }
    };
    setTimeout(
      guard(() => {
        requireFeatures();
        setTimeout(guard(loadFeatures), 0);
      }),
      0,
    );
  }

  // The editor-title graph button shows only on files that define tasks.
  if (language) {
    const { analysis } = language;
    const updateContext = () => {
      const editor = vscode.window.activeTextEditor;
      const hasTasks = Boolean(editor && analysis.tasksIn(editor.document.uri).length > 0);
      setContext(ContextKeys.fileHasTasks, hasTasks);
    };
    context.subscriptions.push(vscode.window.onDidChangeActiveTextEditor(updateContext), analysis.onDidChange(updateContext));
  }

  return language ? { analysis: language.analysis } : {};
}

/** How long after the features' activation their compiled code is written to the cache. */
const CODE_CACHE_SAVE_DELAY_MS = 20_000;

/** A tab of the pipeline graph (restored with the window) is open. */
function hasGraphTab(): boolean {
  return vscode.window.tabGroups.all.some((group) => group.tabs.some((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('luigiSpanner.graph')));
}

/** Work that must finish before the extension host exits (e.g. stopping the emulator this window started). */
const deactivateHooks: Array<() => Promise<void>> = [];

export async function deactivate(): Promise<void> {
  await Promise.allSettled(deactivateHooks.map((hook) => hook()));
}

// The last statement of dist/extension.js's evaluation: the trace tells the bundle's own cost from the
// extension host's wait between loading it and calling activate().
traceStartup('host/bundleEvaluated');
