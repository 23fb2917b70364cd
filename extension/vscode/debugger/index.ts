// The duplicate-insert debugger in the editor: runtime findings of runs and reproductions as
// diagnostics (source `luigi-spanner-runtime`) with related information on the conflicting row's
// writer, an Explain view (a Markdown preview of a virtual document), and Reproduce Rerun.
// All analysis is in extension/core/debugger; this file only adapts it to VS Code.
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { Target } from '../../../emulator/src';
import {
  clearSourceCache,
  explainMarkdown,
  findingsInWords,
  findingsOfRun,
  formatTimeline,
  reproduceRerun,
  type ReproduceResult,
  type RuntimeFinding,
  type SourceLocation,
  type TimelineEntry,
} from '../../core/debugger';
import { describeError } from '../../core/errors';
import type { RunRecord } from '../../core/runs/history';
import { askTaskParams } from '../paramsPrompt';
import { DEFAULT_DOCS_BASE_URL } from '../../core/lint/catalog';
import type { TaskNode } from '../../core/analysis/types';
import type { RunOutcome } from '../../core/runs/runPipeline';
import { prepareRunTarget } from '../../core/runs/runTarget';
import type { AnalysisService } from '../analysisService';
import type { TaskCommandArgs } from '../commands';
import { emulatorSettingsFor } from '../settings';
import { pythonForRun } from '../pythonInterpreter';
import {
  DEBUGGER_COMMANDS,
  EXPLAIN_SCHEME,
  explainPath,
  findingKey,
  findingLabel,
  relatedLocations,
  RUNTIME_DIAGNOSTIC_SOURCE,
  type PublishedFinding,
} from './model';
import { MergedDiagnostics } from './merged';

export { DEBUGGER_COMMANDS, RUNTIME_DIAGNOSTIC_SOURCE } from './model';

/** A run the editor finished: its events, and the database it wrote (RunController fires this). */
export interface FinishedRun {
  outcome: RunOutcome;
  target: Target;
  migrationsDir?: string;
}

export interface DebuggerDeps {
  analysis: Pick<AnalysisService, 'root' | 'rootOf' | 'graph' | 'ready' | 'taskAt' | 'tasksIn' | 'uriOf' | 'index'>;
  /** Earlier runs, whose parameters Reproduce offers. */
  history?: () => RunRecord[];
  log: vscode.LogOutputChannel;
  /** Every editor run, once it ended: its runtime findings replace the previous ones. */
  onDidFinishRun?: vscode.Event<FinishedRun>;
  /** The language client's diagnostics, which carry the runtime findings they stand for. */
  staticDiagnostics?: () => vscode.DiagnosticCollection | undefined;
}

export interface DebuggerApi extends vscode.Disposable {
  /** Findings as last published (a run or a reproduction). */
  findings(): readonly PublishedFinding[];
  /** Opens the Explain view of a published finding (by key), or asks which. */
  explain(key?: string): Promise<void>;
  reproduce(args?: TaskCommandArgs): Promise<ReproduceResult | undefined>;
  /** Fires with the places (absolute file, 1-based line) of newly published findings. */
  onDidPublish: vscode.Event<Array<{ uri: vscode.Uri; line: number }>>;
  /** The language client's middleware hook: a file's static diagnostics with the runtime findings they confirm merged in. */
  mergeStatic(uri: vscode.Uri, diagnostics: vscode.Diagnostic[]): vscode.Diagnostic[];
}

function toSeverity(severity: RuntimeFinding['severity']): vscode.DiagnosticSeverity {
  return severity === 'error' ? vscode.DiagnosticSeverity.Error : severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
}

export function registerDebugger(context: vscode.ExtensionContext, deps: DebuggerDeps): DebuggerApi {
  const { analysis, log } = deps;
  // The current folder (the active file's) at the time of use: a multi-root window has several.
  const absolute = (file: string) => (path.isAbsolute(file) ? vscode.Uri.file(file) : vscode.Uri.joinPath(analysis.root, file));
  const explanations = new Map<string, string>();
  const explainChanged = new vscode.EventEmitter<vscode.Uri>();
  const publishedPlaces = new vscode.EventEmitter<Array<{ uri: vscode.Uri; line: number }>>();
  let published: PublishedFinding[] = [];
  const disposables: vscode.Disposable[] = [explainChanged, publishedPlaces];

  // The Markdown preview refuses file: links, so packaged rule pages are served under the explain
  // scheme (they open as documents); without them, the web copy.
  const localDoc = (repoPath: string) => vscode.Uri.joinPath(context.extensionUri, repoPath);
  const docsLink = (repoPath: string) =>
    existsSync(localDoc(repoPath.replace(/#.*$/, '')).fsPath)
      ? vscode.Uri.from({ scheme: EXPLAIN_SCHEME, path: `/${repoPath.replace(/#.*$/, '')}` }).toString()
      : `${DEFAULT_DOCS_BASE_URL}/${repoPath}`;
  const docsTarget = (repoPath: string) => {
    const local = localDoc(repoPath);
    return existsSync(local.fsPath) ? local : vscode.Uri.parse(`${DEFAULT_DOCS_BASE_URL}/${repoPath}`);
  };
  const classOf = (family: string): SourceLocation | undefined => {
    const task = analysis.graph().tasks.find((t) => t.name === family);
    return task ? { file: task.file, line: task.line } : undefined;
  };

  // A finding that a static diagnostic stands for is carried by it; the others are diagnostics of their own.
  const merged = new MergedDiagnostics({
    absolute,
    related: ({ finding }) => relatedLocations(finding, classOf),
    staticCollection: () => deps.staticDiagnostics?.(),
    toDiagnostic: ({ finding }) => {
      const range = new vscode.Range(finding.line - 1, finding.column - 1, finding.endLine - 1, finding.endColumn - 1);
      const diagnostic = new vscode.Diagnostic(range, finding.message, toSeverity(finding.severity));
      diagnostic.source = RUNTIME_DIAGNOSTIC_SOURCE;
      diagnostic.code = { value: finding.code, target: docsTarget(finding.docs) };
      diagnostic.relatedInformation = relatedLocations(finding, classOf).map(
        (r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(absolute(r.file), new vscode.Position(r.line - 1, 0)), r.message),
      );
      return diagnostic;
    },
  });
  disposables.push(merged);

  function publish(findings: RuntimeFinding[], timeline?: TimelineEntry[]): void {
    clearSourceCache();
    published = findings.map((finding) => ({ key: findingKey(finding), finding, ...(timeline ? { timeline } : {}) }));
    merged.publish(published);
    publishedPlaces.fire(published.map(({ finding }) => ({ uri: absolute(finding.file), line: finding.line })));
  }

  // Explain: a Markdown document served from memory and opened in the Markdown preview (its own
  // strict content security policy; no remote resources, no scripts of ours).
  disposables.push(
    vscode.workspace.registerTextDocumentContentProvider(EXPLAIN_SCHEME, {
      onDidChange: explainChanged.event,
      provideTextDocumentContent: async (uri) => {
        if (uri.path.startsWith('/docs/rules/')) return new TextDecoder().decode(await vscode.workspace.fs.readFile(localDoc(uri.path.slice(1))));
        return explanations.get(uri.path) ?? '# Finding no longer available\n\nRun the task or Reproduce Rerun again.';
      },
    }),
  );

  async function explain(key?: string): Promise<void> {
    let chosen = key ? published.find((p) => p.key === key) : published.length === 1 ? published[0] : undefined;
    if (!chosen) {
      if (published.length === 0) {
        void vscode.window.showInformationMessage('Luigi Spanner: no runtime findings yet. Run a task, or use "Luigi Spanner: Reproduce Rerun".');
        return;
      }
      const picked = await vscode.window.showQuickPick(published.map((p) => ({ ...findingLabel(p.finding), p })), { title: 'Explain a runtime finding' });
      chosen = picked?.p;
    }
    if (!chosen) return;
    const docPath = explainPath(chosen);
    const markdown = explainMarkdown(chosen.finding, {
      timeline: chosen.timeline,
      // Source places are workspace-root links with #L<line> (explain.ts): the Markdown preview opens them at the line.
      link: docsLink,
    }).join('\n');
    explanations.set(docPath, markdown);
    const uri = vscode.Uri.from({ scheme: EXPLAIN_SCHEME, path: docPath });
    explainChanged.fire(uri);
    try {
      await vscode.commands.executeCommand('markdown.showPreview', uri);
    } catch {
      // No Markdown extension: the source is readable as it is.
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true });
    }
  }

  disposables.push(
    vscode.languages.registerCodeActionsProvider(
      { scheme: 'file' },
      {
        // Explain on a runtime diagnostic, and on a static one that carries runtime findings.
        provideCodeActions: (document, _range, codeActions) =>
          codeActions.diagnostics.flatMap((d) => {
            const code = typeof d.code === 'object' ? String(d.code.value) : String(d.code);
            const matches =
              d.source === RUNTIME_DIAGNOSTIC_SOURCE
                ? published.filter((p) => p.finding.code === code && p.finding.line === d.range.start.line + 1 && absolute(p.finding.file).fsPath === document.uri.fsPath).slice(0, 1)
                : merged.carriedBy(document.uri, d);
            return matches.map((match) => {
              const seen = d.source === RUNTIME_DIAGNOSTIC_SOURCE ? '' : ' (seen at runtime)';
              const action = new vscode.CodeAction(`Explain ${match.finding.code}${seen}: the rows, the timeline and the fix`, vscode.CodeActionKind.QuickFix);
              action.command = { command: DEBUGGER_COMMANDS.explainRuntimeFinding, title: 'Explain', arguments: [match.key] };
              action.diagnostics = [d];
              return action;
            });
          }),
      },
      { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
    ),
  );

  async function pickTask(args?: TaskCommandArgs): Promise<TaskNode | undefined> {
    await analysis.ready;
    const tasks = analysis.graph().tasks;
    if (args?.taskId) return tasks.find((t) => t.id === args.taskId);
    if (args?.file && args.task) return analysis.tasksIn(absolute(args.file)).find((t) => t.name === args.task);
    const editor = vscode.window.activeTextEditor;
    const here = editor ? analysis.taskAt(editor.document.uri, editor.selection.active.line + 1) : undefined;
    if (here) return here;
    const picked = await vscode.window.showQuickPick(
      tasks.map((task) => ({ label: task.name, description: `${task.file}:${task.line}`, task })),
      { title: 'Reproduce Rerun: which task?' },
    );
    return picked?.task;
  }

  // The same prompt as Run's: last values, earlier runs' and the pipeline's literals offered.
  const askParams = (task: TaskNode) => askTaskParams(task, { analysis, state: context.workspaceState, history: deps.history }, `Reproduce ${task.name}`);

  async function reproduce(args?: TaskCommandArgs): Promise<ReproduceResult | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Reproduce Rerun runs workspace code: trust the workspace first.', 'Manage Workspace Trust').then((c) => {
        if (c) void vscode.commands.executeCommand('workbench.trust.manage');
      });
      return undefined;
    }
    const task = await pickTask(args);
    if (!task) return undefined;
    const params = await askParams(task);
    if (!params) return undefined;
    const file = analysis.uriOf(task);
    const root = analysis.rootOf(task);
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Reproduce rerun: ${task.name}` }, async (progress) => {
      try {
        const say = (message: string) => {
          progress.report({ message: message.trim() });
          log.info(message);
        };
        const python = await pythonForRun(file, (line) => log.info(line));
        const settings = emulatorSettingsFor(root, file);
        const migrationsDir = settings.migrationsDir;
        const prepared = await prepareRunTarget({ settings, migrationsDir, onProgress: say });
        const result = await reproduceRerun({ python, file: file.fsPath, task: task.name, params, root: root.fsPath, migrationsDir, target: prepared.target, onProgress: say, onLog: (line) => log.trace(line) });
        publish(result.findings, result.timeline);
        for (const line of formatTimeline(result.timeline)) log.info(line);
        for (const reason of result.reasons) log.info(reason);
        if (result.verdict === 'rerun-safe') {
          void vscode.window.showInformationMessage(`Luigi Spanner: ${task.name} is rerun-safe. ${result.reasons.at(-1) ?? ''}`);
        } else {
          const headline = result.verdict === 'unsafe' ? `${task.name} is NOT rerun-safe` : `${task.name}: inconclusive`;
          const detail = result.findings.length ? findingsInWords(result.findings) : (result.reasons[0] ?? '');
          void vscode.window.showWarningMessage(`Luigi Spanner: ${headline}. ${detail}`, ...(result.findings.length ? ['Explain'] : []), 'Show Log').then((choice) => {
            if (choice === 'Explain') void explain(published.length === 1 ? published[0]!.key : undefined);
            if (choice === 'Show Log') log.show();
          });
        }
        return result;
      } catch (error) {
        const { message, fix } = describeError(error);
        log.error(message + (fix ? `\nfix: ${fix}` : ''));
        void vscode.window.showErrorMessage(`Luigi Spanner: ${message}`, { detail: fix });
        return undefined;
      }
    });
  }

  if (deps.onDidFinishRun) {
    disposables.push(
      deps.onDidFinishRun(async ({ outcome, target, migrationsDir }) => {
        try {
          publish(await findingsOfRun(outcome, target, { root: analysis.root.fsPath, migrationsDir }));
        } catch (error) {
          log.warn(`Runtime findings of the run could not be read: ${describeError(error).message}`);
        }
      }),
    );
  }

  disposables.push(
    vscode.commands.registerCommand(DEBUGGER_COMMANDS.reproduceRerun, (args?: TaskCommandArgs) => reproduce(args)),
    vscode.commands.registerCommand(DEBUGGER_COMMANDS.explainRuntimeFinding, (key?: string) => explain(typeof key === 'string' ? key : undefined)),
  );
  const api: DebuggerApi = {
    findings: () => published,
    explain,
    reproduce,
    onDidPublish: publishedPlaces.event,
    mergeStatic: (uri, diagnostics) => merged.handleStatic(uri, diagnostics),
    // Idempotent: the caller may also add the returned API to context.subscriptions.
    dispose: () => disposables.splice(0).forEach((d) => d.dispose()),
  };
  context.subscriptions.push(api);
  return api;
}
