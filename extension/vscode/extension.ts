// The thin VS Code layer: it wires the pure core (analysis, emulator, runs) to editor features.
// Nothing heavy starts here: the emulator starts on demand, the index fills in the background.
import './startupMark';
import path from 'node:path';
import * as vscode from 'vscode';
import { AnalysisService } from './analysisService';
import { HOST_PROFILE_ENV, LOOP_DELAY_LOG_ENV, startHostProfile, startLoopDelayProbe } from './loopDelayProbe';
import { createLanguageClient, type DiagnosticsHook } from './languageClient';
import { Commands, ContextKeys, type TaskCommandArgs } from './commands';
import { RunController } from './runController';
import { PREVIEW_TASK_COMMAND, RunHistoryView } from './runHistoryView';
import { TasksView, taskArgsOf } from './tasksView';
import { EmulatorCommands, type PreviewRequest } from './emulator';
import { downstreamRoots, tablesOf } from '../core/runs/taskStates';
import type { TaskRecord } from '../core/runs/history';
import { registerEmulatorUi, type EmulatorUiDeps } from './emulator';
import { registerGraphView } from './graph';
import { registerDebugger } from './debugger';
import { setContext } from './contextKeys';
import { traceStartup } from '../shared/startupTrace';
import { registerWalkthrough } from './walkthrough';
import { showDoctor } from './doctor';
import { FamilyStateTracker } from '../core/runs/familyStates';
import type { RunRecord } from '../core/runs/history';
import type { TaskNode } from '../core/analysis/types';

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
  startHostProfile(process.env[HOST_PROFILE_ENV]);
  const log = vscode.window.createOutputChannel('Luigi Spanner', { log: true });
  context.subscriptions.push(log);
  const folder = vscode.workspace.workspaceFolders?.[0];
  const register = (id: string, fn: (...args: never[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));

  register(Commands.doctor, () => showDoctor(log));
  registerWalkthrough(context, log);
  // lastRun is filled in once runs exist (below): Inspect and Query default to the last run's database.
  // The emulator's status bar and commands follow the active editor's folder.
  const emulatorDeps: EmulatorUiDeps = { log };
  const emulatorUi = registerEmulatorUi(context, emulatorDeps);
  deactivateHooks.push(() => emulatorUi.deactivate());

  if (!folder) return {};
  // The analysis runs in the language server's process; the host keeps only its graph.
  const diagnosticsHook: DiagnosticsHook = {};
  const client = createLanguageClient(context, log, diagnosticsHook);
  deactivateHooks.push(() => client.stop());
  // Every folder of the window is served; commands act on the active file's folder or the task's.
  const analysis = new AnalysisService((vscode.workspace.workspaceFolders ?? [folder]).map((f) => f.uri), client, log);
  const runs = new RunController(analysis, context, log, emulatorUi);
  emulatorDeps.lastRun = (of) => runs.lastRun(of);
  context.subscriptions.push(analysis, runs);

  // The graph view shows the current folder's graph (the active file's folder), and follows it.
  const graphView = registerGraphView(context, {
    getGraph: () => analysis.graph(),
    ready: analysis.ready,
    onDidChangeGraph: analysis.onDidChange,
    get root() {
      return analysis.root;
    },
    log,
    layouts: (keys, jobs) => analysis.layouts(keys, jobs),
  });
  context.subscriptions.push(graphView);
  register(Commands.showGraph, (arg?: unknown) => {
    const args = taskArgsOf(arg);
    if (args?.file && path.isAbsolute(args.file)) analysis.follow(vscode.Uri.file(args.file));
    return graphView.show({ focusFile: args?.file, focusTaskId: args?.taskId });
  });
  // Run states stream onto the graph, per task family with instance counts.
  const familyStates = new FamilyStateTracker();
  context.subscriptions.push(
    runs.onDidStartRun(() => {
      familyStates.reset();
      graphView.postRunStates({ reset: true });
    }),
    runs.onDidChangeTaskState(({ id, family, state }) => graphView.postRunStates({ byFamily: familyStates.update(id, family, state) })),
  );

  // Diagnostics, quick fixes and CodeLenses come from the server as LSP; the badges' counts too.
  context.subscriptions.push(analysis.onDidChangeTaskFindings((counts) => graphView.setDiagnosticCounts(counts)));

  const debuggerApi = registerDebugger(context, { analysis, log, onDidFinishRun: runs.onDidFinishRun, history: () => runs.history(), staticDiagnostics: () => client.diagnostics });
  // Runtime findings that a static diagnostic stands for travel on it: one diagnostic per bug.
  diagnosticsHook.merge = (uri, diagnostics) => debuggerApi.mergeStatic(uri, diagnostics);
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
  const historyView = new RunHistoryView(() => runs.history());
  context.subscriptions.push(historyView, vscode.window.registerTreeDataProvider('luigiSpanner.runHistory', historyView), runs.onDidChangeHistory(() => historyView.refresh()));
  register(Commands.rerunFailed, (node?: { run?: RunRecord }) => runs.rerunFailed(node?.run));

  // The Tasks view: tasks by module, kind and last state.
  const tasksView = new TasksView(analysis, () => runs.history());
  context.subscriptions.push(
    tasksView,
    vscode.window.registerTreeDataProvider('luigiSpanner.tasks', tasksView),
    analysis.onDidChange(() => tasksView.refresh()),
    runs.onDidChangeHistory(() => tasksView.refresh()),
  );
  register(Commands.refreshTasks, () => tasksView.refresh());
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

  // The editor-title graph button shows only on files that define tasks.
  const updateContext = () => {
    const editor = vscode.window.activeTextEditor;
    const hasTasks = Boolean(editor && analysis.tasksIn(editor.document.uri).length > 0);
    setContext(ContextKeys.fileHasTasks, hasTasks);
  };
  context.subscriptions.push(vscode.window.onDidChangeActiveTextEditor(updateContext), analysis.onDidChange(updateContext));

  return { analysis };
}

/** Work that must finish before the extension host exits (e.g. stopping the emulator this window started). */
const deactivateHooks: Array<() => Promise<void>> = [];

export async function deactivate(): Promise<void> {
  await Promise.allSettled(deactivateHooks.map((hook) => hook()));
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
