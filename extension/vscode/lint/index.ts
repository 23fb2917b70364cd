// Lint in the editor: diagnostics while typing (after the analysis service's debounce), quick
// fixes from the core's pure text edits, code links to the rule pages, settings, and per-task
// finding counts for the graph's badges. All rule logic lives in extension/core/lint.
import { existsSync, promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import { ruleDocPath, ruleHelpUri } from '../../core/lint/catalog';
import { Linter } from '../../core/lint/engine';
import type { Finding, RuleCode } from '../../core/lint/types';
import type { AnalysisService } from '../analysisService';
import { toDiagnostic, toWorkspaceEdit } from './convert';
import { LINT_SETTINGS, readLintConfig } from './settings';

export interface LintDeps {
  /** Its index, root and onDidChange drive the lint. */
  analysis: Pick<AnalysisService, 'index' | 'root' | 'onDidChange'>;
  log?: vscode.LogOutputChannel;
}

export type TaskFindingCounts = ReadonlyMap<string, { error: number; warning: number; info: number }>;

export interface LintApi extends vscode.Disposable {
  /** Fires after findings changed, with the counts per task id (graph badges). */
  readonly onDidChangeTaskFindings: vscode.Event<TaskFindingCounts>;
  taskFindingCounts(): TaskFindingCounts;
  /** Findings of a root-relative file as last published. */
  findings(file: string): readonly Finding[];
}

const MIGRATION_DEBOUNCE_MS = 250;
const SLICE = 32;

export function registerLint(context: vscode.ExtensionContext, deps: LintDeps): LintApi {
  const { analysis, log } = deps;
  const root = analysis.root;
  const initial = safeConfig(root, log);
  // Syntax errors are shown once, by the analysis service's own diagnostics (from the same parse).
  const linter = new Linter({ index: analysis.index, config: initial.config, defaultMigrationsDir: initial.migrationsDir, syntaxErrors: false });
  const diagnostics = vscode.languages.createDiagnosticCollection('luigi-spanner-lint');
  const published = new Map<string, Finding[]>();
  const countsChanged = new vscode.EventEmitter<TaskFindingCounts>();
  const disposables: vscode.Disposable[] = [diagnostics, countsChanged];
  const pending = new Map<string, NodeJS.Timeout>();

  // The rule pages ship with the extension when packaged with docs/; otherwise the web copy.
  const docsTarget = (code: string) => {
    const local = vscode.Uri.joinPath(context.extensionUri, ruleDocPath(code as RuleCode));
    return existsSync(local.fsPath) ? local : vscode.Uri.parse(ruleHelpUri(code as RuleCode));
  };
  const relative = (uri: vscode.Uri) => (uri.scheme === 'file' && `${uri.fsPath}/`.startsWith(`${root.fsPath}/`) ? analysis.index.key(uri.fsPath) : undefined);
  const openText = (file: string) => vscode.workspace.textDocuments.find((d) => relative(d.uri) === file && !d.isClosed)?.getText();

  const publish = (file: string, findings: Finding[]) => {
    published.set(file, findings);
    diagnostics.set(vscode.Uri.joinPath(root, file), findings.map((f) => toDiagnostic(f, docsTarget)));
  };

  const lintPython = async (file: string) => {
    let text = openText(file);
    if (text === undefined) {
      if (!analysis.index.has(file)) {
        linter.removePythonFile(file);
        publish(file, []);
        return;
      }
      try {
        text = await fs.readFile(vscode.Uri.joinPath(root, file).fsPath, 'utf8');
      } catch {
        return; // deleted meanwhile; the removal event follows
      }
    }
    const started = performance.now();
    publish(file, linter.lintPythonFile(file, text));
    const elapsed = performance.now() - started;
    if (elapsed > 50) log?.debug(`lint ${file}: ${elapsed.toFixed(0)} ms`);
  };

  const lintMigrations = () => {
    const byFile = new Map<string, Finding[]>();
    for (const dir of linter.migrationDirs()) for (const f of linter.lintMigrationDir(dir)) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
    for (const file of published.keys()) if (file.endsWith('.sql') && !byFile.has(file)) publish(file, []);
    for (const [file, findings] of byFile) publish(file, findings);
  };

  const fireCounts = () => countsChanged.fire(linter.countsByTask());

  /** Every indexed file, in slices so the extension host stays responsive. */
  const lintAll = async () => {
    const files = analysis.index.files();
    for (let i = 0; i < files.length; i += SLICE) {
      await Promise.all(files.slice(i, i + SLICE).map(lintPython));
      await new Promise((resolve) => setImmediate(resolve));
    }
    for (const file of [...published.keys()]) if (file.endsWith('.py') && !analysis.index.has(file)) publish(file, []);
    lintMigrations();
    fireCounts();
  };

  const readMigration = async (uri: vscode.Uri) => {
    const file = relative(uri);
    if (!file) return;
    const text = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())?.getText() ?? (await fs.readFile(uri.fsPath, 'utf8').catch(() => undefined));
    if (text === undefined) linter.removeMigration(file);
    else linter.setMigration(file, text);
  };

  let migrationsDir = initial.migrationsDir;
  const isMigration = (uri: vscode.Uri) => uri.path.endsWith('.sql') && (/\/migrations\/[^/]+$/.test(uri.path) || relative(uri)?.startsWith(`${migrationsDir}/`) === true);
  // A schema change can change findings anywhere in its scope: re-lint everything (cached per file).
  const scheduleMigration = (uri: vscode.Uri, remove = false) => {
    const key = uri.toString();
    clearTimeout(pending.get(key));
    pending.set(
      key,
      setTimeout(() => {
        pending.delete(key);
        const file = relative(uri);
        if (!file) return;
        const done = remove ? Promise.resolve(void linter.removeMigration(file)) : readMigration(uri);
        void done.then(lintAll).catch((error: unknown) => log?.error(`lint: ${String(error)}`));
      }, MIGRATION_DEBOUNCE_MS),
    );
  };

  const loadMigrations = async () => {
    const patterns = ['**/migrations/*.sql', `${migrationsDir}/*.sql`];
    for (const pattern of patterns) {
      for (const uri of await vscode.workspace.findFiles(new vscode.RelativePattern(root, pattern), '{**/node_modules/**,**/.venv/**,**/.git/**}')) await readMigration(uri);
    }
  };

  const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(root, '**/*.sql'));
  disposables.push(
    watcher,
    watcher.onDidCreate((uri) => isMigration(uri) && scheduleMigration(uri)),
    watcher.onDidChange((uri) => isMigration(uri) && scheduleMigration(uri)),
    watcher.onDidDelete((uri) => isMigration(uri) && scheduleMigration(uri, true)),
    vscode.workspace.onDidChangeTextDocument((e) => e.document.languageId === 'sql' && isMigration(e.document.uri) && scheduleMigration(e.document.uri)),
    // The analysis service debounces typing and re-parses the file; lint follows it.
    analysis.onDidChange(({ files }) => {
      void (async () => {
        const changed = new Set(files.filter((f) => f.endsWith('.py')));
        for (const file of changed) await lintPython(file);
        // Other files depend on the changed ones only through their classes' task facts: re-lint
        // them (cache hits unless their own facts changed) only when those facts changed.
        if ([...changed].some((file) => linter.affectsOtherFiles(file))) {
          for (const file of published.keys()) if (file.endsWith('.py') && !changed.has(file)) await lintPython(file);
        }
        lintMigrations();
        fireCounts();
      })().catch((error: unknown) => log?.error(`lint: ${String(error)}`));
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!LINT_SETTINGS.some((s) => e.affectsConfiguration(s, root))) return;
      const next = safeConfig(root, log);
      migrationsDir = next.migrationsDir;
      linter.setConfig(next.config, next.migrationsDir);
      void loadMigrations().then(lintAll);
    }),
    vscode.languages.registerCodeActionsProvider(
      [
        { language: 'python', scheme: 'file' },
        { language: 'sql', scheme: 'file' },
      ],
      {
        provideCodeActions(document, _range, actionContext) {
          const file = relative(document.uri);
          if (!file) return [];
          const findings = published.get(file) ?? [];
          const actions: vscode.CodeAction[] = [];
          for (const diagnostic of actionContext.diagnostics) {
            if (diagnostic.source !== 'luigi-spanner' || typeof diagnostic.code !== 'object') continue;
            const code = diagnostic.code.value;
            const finding = findings.find((f) => f.code === code && f.line - 1 === diagnostic.range.start.line && f.column - 1 === diagnostic.range.start.character);
            for (const fix of finding?.fixes ?? []) {
              const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
              action.edit = toWorkspaceEdit(fix, root);
              action.diagnostics = [diagnostic];
              action.isPreferred = fix.isPreferred ?? false;
              actions.push(action);
            }
          }
          return actions;
        },
      },
      { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
    ),
  );

  void loadMigrations()
    .then(lintAll)
    .catch((error: unknown) => log?.error(`lint: ${String(error)}`));

  const api: LintApi = {
    onDidChangeTaskFindings: countsChanged.event,
    taskFindingCounts: () => linter.countsByTask(),
    findings: (file) => published.get(file) ?? [],
    dispose: () => {
      pending.forEach((t) => clearTimeout(t));
      disposables.forEach((d) => d.dispose());
    },
  };
  context.subscriptions.push(api);
  return api;
}

/** Settings with a typo fall back to the defaults, and the user is told what to fix. */
function safeConfig(root: vscode.Uri, log: vscode.LogOutputChannel | undefined): ReturnType<typeof readLintConfig> {
  try {
    return readLintConfig(root);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const fix = (error as { fix?: string }).fix;
    log?.warn(`${message}${fix ? ` ${fix}` : ''}`);
    void vscode.window.showWarningMessage(`Luigi Spanner lint: ${message}`, { detail: fix ?? '' });
    return { config: {}, migrationsDir: 'migrations' };
  }
}
