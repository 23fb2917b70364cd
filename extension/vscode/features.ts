// The editor features that the first CodeLens does not need, bundled apart (dist/features.js) and
// loaded by extension.ts with require() right after activation, in a task of their own: the graph
// view, runs, the emulator's status bar and commands, the runtime findings, Doctor and the task
// commands. Their code (with zod and the emulator's client) is then not compiled before activate().
import path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { AnalysisService } from './analysisService';
import type { DiagnosticsHook } from './languageClient';
import { Commands, ContextKeys, type TaskCommandArgs } from './commands';
import { RunController } from './runController';
import { PREVIEW_TASK_COMMAND } from './runHistoryView';
import { taskArgsOf } from './tasksView';
import { EmulatorCommands, type PreviewRequest } from './emulator';
import { downstreamRoots, tablesOf } from '../core/runs/taskStates';
import type { TaskRecord } from '../core/runs/history';
import { registerEmulatorUi, type EmulatorUiDeps } from './emulator';
import { showDoctor } from './doctor';
import { registerGraphView } from './graph';
import { registerDebugger } from './debugger';
import { setContext } from './contextKeys';
import { RunOverlay, type OverlayUpdate } from '../core/runs/familyStates';
import type { RunRecord } from '../core/runs/history';
import type { TaskNode } from '../core/analysis/types';

/** What extension.ts made at activation, for the features to use. */
export interface CoreServices {
  log: vscode.LogOutputChannel;
  /** The language server's client and its copy of the graphs; absent without a workspace folder. */
  language?: {
    client: LanguageClient;
    analysis: AnalysisService;
    diagnosticsHook: DiagnosticsHook;
  };
  /** The run history changed (the Luigi Runs and Tasks views, in extension.ts, refresh). */
  historyChanged(): void;
}

export interface Features {
  /** Work that must finish before the extension host exits (e.g. stopping the emulator this window started). */
  deactivate(): Promise<void>;
}

export function activateFeatures(context: vscode.ExtensionContext, core: CoreServices): Features {
  const { log } = core;
  const deactivateHooks: Array<() => Promise<void>> = [];
  const features: Features = {
    async deactivate() {
      await Promise.allSettled(deactivateHooks.map((hook) => hook()));
    },
  };
  const register = (id: string, fn: (...args: never[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));

  register(Commands.doctor, () => showDoctor(log));
  // lastRun is filled in once runs exist (below): Inspect and Query default to the last run's database.
  // The emulator's status bar and commands follow the active editor's folder.
  const emulatorDeps: EmulatorUiDeps = { log };
  const emulatorUi = registerEmulatorUi(context, emulatorDeps);
  deactivateHooks.push(() => emulatorUi.deactivate());

  if (!core.language) return features;
  const { client, analysis, diagnosticsHook } = core.language;
  const runs = new RunController(analysis, context, log, emulatorUi);
  emulatorDeps.lastRun = (of) => runs.lastRun(of);
  context.subscriptions.push(runs, runs.onDidChangeHistory(() => core.historyChanged()));

  // The graph view shows the current folder's graph (the active file's folder), and follows it.
  const graphView = registerGraphView(context, {
    getGraph: () => analysis.graph(),
    ready: analysis.ready,
    onDidChangeGraph: analysis.onDidChange,
    get root() {
      return analysis.root;
    },
    log,
    layouts: (keys, jobs, options) => analysis.layouts(keys, jobs, options),
  });
  context.subscriptions.push(graphView);
  register(Commands.showGraph, (arg?: unknown) => {
    const args = taskArgsOf(arg);
    if (args?.file && path.isAbsolute(args.file)) analysis.follow(vscode.Uri.file(args.file));
    return graphView.show({ focusFile: args?.file, focusTaskId: args?.taskId });
  });
  // Run states stream onto the graph, per task family with instance counts, while the graph shows
  // the run's folder (core/runs/familyStates.ts RunOverlay).
  const overlay = new RunOverlay(analysis.root.toString());
  const post = (update: OverlayUpdate | undefined) => update && graphView.postRunStates(update);
  context.subscriptions.push(
    runs.onDidStartRun(({ folder }) => post(overlay.startRun(folder.toString()))),
    runs.onDidChangeTaskState(({ id, family, state }) => post(overlay.update(id, family, state))),
    analysis.onDidChange(() => post(overlay.show(analysis.root.toString()))),
  );

  // Diagnostics, quick fixes and CodeLenses come from the server as LSP; the badges' counts too.
  context.subscriptions.push(analysis.onDidChangeTaskFindings((counts) => graphView.setDiagnosticCounts(counts)));
  // Counts the server sent before this module loaded.
  if (analysis.taskFindings) graphView.setDiagnosticCounts(analysis.taskFindings);

  const debuggerApi = registerDebugger(context, { analysis, log, onDidFinishRun: runs.onDidFinishRun, history: () => runs.history(), staticDiagnostics: () => client.diagnostics });
  // Runtime findings that a static diagnostic stands for travel on it: one diagnostic per bug.
  diagnosticsHook.merge = (uri, diagnostics) => debuggerApi.mergeStatic(uri, diagnostics);
  // The diagnostics the server published before this module loaded, taken in as the hook takes later ones.
  client.diagnostics?.forEach((uri, diagnostics) => void debuggerApi.mergeStatic(uri, [...diagnostics]));
  context.subscriptions.push(debuggerApi, debuggerApi.onDidPublish((places) => runs.dropFailuresCoveredBy(places)));

  const taskFor = (arg?: unknown): TaskNode | undefined => {
    // A Tasks view node carries the task itself (its folder known, whatever folder is current).
    const node = arg as { kind?: string; task?: unknown } | undefined;
    if (node?.kind === 'task' && node.task && typeof node.task === 'object') return node.task as TaskNode;
    const args: TaskCommandArgs | undefined = taskArgsOf(arg);
    // A lens names its file (absolute): the task of that file's folder, whatever folder is current.
    if (args?.file && args.task && path.isAbsolute(args.file)) {
      const inFile = analysis.tasksIn(vscode.Uri.file(args.file)).find((t) => t.name === args.task);
      if (inFile) return inFile;
    }
    if (args?.taskId) return analysis.task(args.taskId);
    const editor = vscode.window.activeTextEditor;
    return editor ? analysis.taskAt(editor.document.uri, editor.selection.active.line + 1) ?? analysis.tasksIn(editor.document.uri)[0] : undefined;
  };
  register(Commands.runTask, async (args?: unknown) => {
    const task = taskFor(args) ?? (await pickTask(analysis));
    if (task) await runs.run(task);
  });
  register(Commands.forceRerun, async (args?: unknown) => {
    const task = taskFor(args) ?? (await pickTask(analysis));
    if (task) await runs.run(task, { force: true });
  });
  context.subscriptions.push(runs.onDidFinishRun(() => setContext(ContextKeys.hasRun, true)));
  register(Commands.rerunFailed, (node?: { run?: RunRecord }) => runs.rerunFailed(node?.run));

  register(Commands.goToTask, async (arg?: unknown) => {
    const task = taskFor(arg);
    if (task) await vscode.window.showTextDocument(analysis.uriOf(task), { selection: new vscode.Range(task.line - 1, 0, task.line - 1, 0) });
  });
  // Luigi runs a task's upstream; "with downstream" runs the tasks that (transitively) require it.
  register(Commands.runTaskWithDownstream, async (arg?: unknown) => {
    const task = taskFor(arg) ?? (await pickTask(analysis));
    if (!task) return;
    const roots = downstreamRoots(analysis.graph(task), task.id);
    const target =
      roots.length <= 1
        ? roots[0]
        : (
            await vscode.window.showQuickPick(
              roots.map((t) => ({ label: t.name, description: `${t.file}:${t.line}`, task: t })),
              { title: `${task.name} is upstream of ${roots.length} final tasks: run which (with everything it requires)?` },
            )
          )?.task;
    if (target) await runs.run(target);
  });
  // Rows a task wrote: from a run in Luigi Runs (its database), or from the Tasks view and the graph (the last run's).
  register(PREVIEW_TASK_COMMAND, async (arg?: { run?: RunRecord; task?: TaskRecord | unknown }) => {
    const record = arg?.run;
    const family = record ? (arg?.task as TaskRecord | undefined)?.family : undefined;
    const node = family ? analysis.graph().tasks.find((t) => t.name === family) : taskFor(arg);
    if (!node) {
      void vscode.window.showInformationMessage(`Luigi Spanner: ${family ?? 'that task'} is not defined in this workspace any more; inspecting its run's database.`);
      return vscode.commands.executeCommand(EmulatorCommands.inspectLastRun, record?.database);
    }
    const request: PreviewRequest = {
      title: record ? `${node.name} (run of ${record.task}, ${new Date(record.startedAt).toLocaleTimeString()})` : node.name,
      databaseId: record?.database || undefined,
      tables: tablesOf(node),
    };
    return vscode.commands.executeCommand(EmulatorCommands.previewRows, request);
  });
  register(Commands.listTasks, async () => {
    const task = await pickTask(analysis);
    if (task) await vscode.window.showTextDocument(analysis.uriOf(task), { selection: new vscode.Range(task.line - 1, 0, task.line - 1, 0) });
  });
  return features;
}

/** Asks for a task of any folder; with several folders each names its folder, the current folder's first. */
async function pickTask(analysis: AnalysisService) {
  await analysis.ready;
  const current = analysis.root.toString();
  const several = analysis.folders().length > 1;
  const tasks = analysis.allTasks().sort((a, b) => Number(b.folder.toString() === current) - Number(a.folder.toString() === current));
  const picked = await vscode.window.showQuickPick(
    tasks.map(({ task, folder }) => ({
      label: task.name,
      description: `${task.kind} · ${several ? `${vscode.workspace.getWorkspaceFolder(folder)?.name ?? folder.fsPath}: ` : ''}${task.file}:${task.line}`,
      detail: task.doc,
      task,
    })),
    { title: 'Luigi tasks', matchOnDescription: true },
  );
  return picked?.task;
}
