// Runs a task from the editor: parameters prompt, progress with Cancel, logs, live states,
// and a failed task's exception as a diagnostic on the user-code line that raised it.
import path from 'node:path';
import * as vscode from 'vscode';
import type { TaskNode } from '../core/analysis/types';
import { describeError } from '../core/errors';
import { stateOf, type RunEvent, type TaskRunState } from '../core/runs/events';
import { RUNNER_ENV } from '../core/debugger/runs';
import { appendHistory, buildRunRecord, markerRowCounts, notStartedRecord, type RunRecord } from '../core/runs/history';
import { describeSyntaxErrors, syntaxErrorsBlockingRun } from '../core/runs/preflight';
import type { RunOutcome } from '../core/runs/runPipeline';
import { launchRun, parseScheduler } from '../core/runs/launch';
import type { AnalysisService } from './analysisService';
import type { FinishedRun } from './debugger';
import { pythonForRun } from './pythonInterpreter';
import { askTaskParams } from './paramsPrompt';
import { emulatorSettingsFor, runSettingsFor } from './settings';
import { EmulatorCommands, type EmulatorUi } from './emulator';
import { readLastRun, type LastRun } from '../core/runs/lastRun';
import { HISTORY_KEY, readRunHistory } from './runHistoryStore';

export interface TaskStateUpdate {
  id: string;
  family: string;
  state: TaskRunState;
}

export interface RunOptions {
  /** Skip the prompt and use these parameters. */
  params?: Record<string, string>;
  /** Continue in an earlier run's database (Rerun failed): complete tasks are not run again. */
  databaseId?: string;
  /** Delete the task's own completion marker first (emulator only), in the workspace's kept database. */
  force?: boolean;
}

export class RunController implements vscode.Disposable {
  private readonly states = new vscode.EventEmitter<TaskStateUpdate>();
  /** Task states as they change during a run (the graph view listens). */
  readonly onDidChangeTaskState = this.states.event;
  private readonly failures: vscode.DiagnosticCollection;
  private readonly historyChanged = new vscode.EventEmitter<void>();
  private readonly runStarted = new vscode.EventEmitter<{ task: TaskNode; folder: vscode.Uri }>();
  private readonly runFinished = new vscode.EventEmitter<FinishedRun>();
  /** Fires when a run ended, with its events and database (the debugger derives runtime findings). */
  readonly onDidFinishRun = this.runFinished.event;
  /** Fires when a run's process starts (the graph clears the previous run's states). */
  readonly onDidStartRun = this.runStarted.event;
  readonly onDidChangeHistory = this.historyChanged.event;

  constructor(
    private readonly analysis: AnalysisService,
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    /** Failure choices (use the binary, build the image, ...) and the status bar's refresh after a run. */
    private readonly emulator?: Pick<EmulatorUi, 'offerFailureChoices' | 'refresh'>,
  ) {
    this.failures = vscode.languages.createDiagnosticCollection('luigi-spanner-run');
  }

  history(): RunRecord[] {
    return readRunHistory(this.context.workspaceState);
  }

  /** A folder's last run (the current folder's unless given), from the editor or the CLI (core/runs/lastRun.ts): where Inspect and Query look by default. */
  lastRun(folder: vscode.Uri = this.analysis.root): LastRun | undefined {
    try {
      return readLastRun(emulatorSettingsFor(folder).workspace);
    } catch {
      return undefined;
    }
  }

  private async record(record: RunRecord): Promise<void> {
    await this.context.workspaceState.update(HISTORY_KEY, appendHistory(this.history(), record));
    this.historyChanged.fire();
  }

  /** Runs the last failed run's task again in its database: only what did not complete runs. */
  async rerunFailed(run?: RunRecord): Promise<void> {
    const failed = run ?? this.history().find((r) => !r.success);
    if (!failed) {
      void vscode.window.showInformationMessage('Luigi Spanner: no failed run to rerun.');
      return;
    }
    const task = this.analysis.tasksIn(vscode.Uri.file(failed.file)).find((t) => t.name === failed.task);
    if (!task) {
      void vscode.window.showErrorMessage(`Luigi Spanner: ${failed.task} is no longer defined in ${failed.file}.`);
      return;
    }
    await this.run(task, { params: failed.params, databaseId: failed.database });
  }

  async run(task: TaskNode, options: RunOptions = {}): Promise<RunOutcome | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Luigi Spanner runs execute workspace code, so they are disabled in untrusted workspaces. Trust the workspace to run tasks.', 'Manage Workspace Trust').then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
      });
      return undefined;
    }
    const file = this.analysis.uriOf(task);
    // A file Python cannot parse would fail only after the emulator and Luigi started, with no line:
    // refuse here, with the place, and record the attempt.
    const folder = this.analysis.rootOf(task);
    const blocking = syntaxErrorsBlockingRun(this.analysis.graph(task), task.id);
    if (blocking.length > 0) {
      const reason = describeSyntaxErrors(blocking);
      await this.record(notStartedRecord({ task: task.name, file: file.fsPath, params: options.params ?? {}, startedAt: new Date(), reason, code: 'SYNTAX_ERROR' }));
      this.log.error(`${task.name} not run: ${reason}`);
      const first = blocking[0]!;
      void vscode.window.showErrorMessage(`Luigi: ${task.name} not run. ${reason}`, 'Go to Error').then(async (choice) => {
        if (choice !== 'Go to Error') return;
        const position = new vscode.Position(Math.max(0, first.line - 1), first.column ?? 0);
        await vscode.window.showTextDocument(vscode.Uri.joinPath(folder, first.file), { selection: new vscode.Range(position, position) });
      });
      return undefined;
    }
    const params = options.params ?? (await this.askParams(task));
    if (params === undefined) return undefined;
    const attemptedAt = new Date();
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Luigi: ${task.name}`, cancellable: true },
      async (progress, token) => {
        try {
          const python = await pythonForRun(file, (line) => this.log.info(line));
          // Settings of the task's folder: its luigi-spanner.json and folder-level settings.
          const settings = emulatorSettingsFor(folder, file);
          const runSettings = runSettingsFor(file);
          const { prepared, handle } = await launchRun({
            settings,
            migrationsDir: settings.migrationsDir,
            // A forced rerun only means something where earlier state is kept.
            keepState: options.force || runSettings.keepState,
            databaseId: options.databaseId,
            onProgress: (message) => {
              progress.report({ message });
              this.log.info(message);
            },
            python,
            file: file.fsPath,
            task: task.name,
            params,
            scheduler: parseScheduler(runSettings.scheduler),
            env: options.force ? { [RUNNER_ENV.force]: '1' } : undefined,
            minimalEnv: runSettings.minimalEnvironment,
            cwd: folder.fsPath,
            onEvent: (event) => this.onEvent(event, progress),
            onLog: (line) => this.log.info(line),
          });
          if (token.isCancellationRequested) handle.cancel();
          this.log.info(`Running ${task.name}(${Object.entries(params).map(([k, v]) => `${k}=${v}`).join(', ')}) in database ${prepared.target.databaseId}`);
          this.runStarted.fire({ task, folder });
          const startedAt = new Date();
          const cancel = token.onCancellationRequested(() => handle.cancel());
          const outcome = await handle.done.finally(() => cancel.dispose());
          // The run may have started the emulator: the status bar shows it now, not at the next poll.
          this.emulator?.refresh();
          this.runFinished.fire({ outcome, target: prepared.target, migrationsDir: prepared.migrationsDir });
          const runId = outcome.events[0]?.runId;
          const rows = runId ? await markerRowCounts(prepared.target, runId) : new Map<string, number | null>();
          const record = buildRunRecord({ outcome, task: task.name, file: file.fsPath, params, startedAt, database: prepared.target.databaseId, rows });
          await this.record(record);
          this.report(task, outcome, record.database);
          return outcome;
        } catch (error) {
          const { message, fix } = describeError(error);
          const code = (error as { code?: string }).code;
          await this.record(notStartedRecord({ task: task.name, file: file.fsPath, params, startedAt: attemptedAt, reason: message, fix, code }));
          this.emulator?.refresh();
          if (this.emulator) {
            void this.emulator.offerFailureChoices(`Luigi: ${task.name} did not start`, error, () => this.run(task, { ...options, params }), folder);
          } else {
            this.log.error(message + (fix ? `\n${fix}` : ''));
            void vscode.window.showErrorMessage(`Luigi: ${task.name} did not start: ${message}${fix ? ` Fix: ${fix}` : ''}`, 'Show Log').then((c) => c && this.log.show());
          }
          return undefined;
        }
      },
    );
  }

  private onEvent(event: RunEvent, progress: vscode.Progress<{ message?: string }>): void {
    const state = stateOf(event);
    if (state && typeof event.id === 'string' && typeof event.family === 'string') {
      this.states.fire({ id: event.id, family: event.family, state });
      if (state === 'running') progress.report({ message: `${event.family} running` });
    }
    if (event.type === 'failed') this.showFailure(event.file ?? undefined, event.line ?? undefined, `${event.family} failed: ${event.exception}: ${event.message}`);
    if (event.type === 'error') void vscode.window.showErrorMessage(`Luigi Spanner: ${event.message}`, { detail: event.fix ?? undefined });
  }

  /**
   * A runtime finding on the line a task failed on says the same and more (the rows, Explain): the
   * plain failure diagnostic there goes, so one bug is one diagnostic.
   */
  dropFailuresCoveredBy(places: Array<{ uri: vscode.Uri; line: number }>): void {
    for (const { uri, line } of places) {
      const kept = (this.failures.get(uri) ?? []).filter((d) => d.range.start.line !== line - 1);
      this.failures.set(uri, kept);
    }
  }

  private showFailure(file: string | undefined, line: number | undefined, message: string): void {
    if (!file || !line) return;
    const uri = vscode.Uri.file(path.isAbsolute(file) ? file : path.join(this.analysis.root.fsPath, file));
    const diagnostic = new vscode.Diagnostic(new vscode.Range(line - 1, 0, line - 1, Number.MAX_SAFE_INTEGER), message, vscode.DiagnosticSeverity.Error);
    diagnostic.source = 'luigi-spanner-run';
    this.failures.set(uri, [...(this.failures.get(uri) ?? []), diagnostic]);
  }

  /** The run's result, naming its database, with "Inspect Last Run" to see the rows it wrote. */
  private report(task: TaskNode, outcome: RunOutcome, databaseId: string): void {
    const summary = outcome.summary;
    const inspect = 'Inspect Last Run';
    const onChoice = (choice: string | undefined) => {
      if (choice === inspect) void vscode.commands.executeCommand(EmulatorCommands.inspectLastRun, databaseId);
      if (choice === 'Show Log') this.log.show();
    };
    if (outcome.cancelled) {
      void vscode.window.showInformationMessage(`Luigi: ${task.name} cancelled.`);
    } else if (summary?.success) {
      // A successful run clears the failures of earlier runs.
      this.failures.clear();
      const ran = summary.tasks.filter((t) => t.status === 'succeeded').length;
      void vscode.window.showInformationMessage(`Luigi: ${task.name} ${summary.status} (${ran} task${ran === 1 ? '' : 's'} ran) in database ${databaseId}.`, inspect).then(onChoice);
    } else {
      void vscode.window.showErrorMessage(`Luigi: ${task.name} ${summary?.status ?? 'failed to start'} (database ${databaseId}).`, 'Show Log', inspect).then(onChoice);
    }
  }

  /** Prompts for required parameters, offering the last values, earlier runs' and the pipeline's literals. */
  private askParams(task: TaskNode): Promise<Record<string, string> | undefined> {
    return askTaskParams(task, { analysis: this.analysis, state: this.context.workspaceState, history: () => this.history() });
  }

  dispose(): void {
    this.historyChanged.dispose();
    this.runStarted.dispose();
    this.runFinished.dispose();
    this.states.dispose();
    this.failures.dispose();
  }
}
