// The emulator in the editor: a status-bar item (stopped, starting, ready, error) with quick
// actions, a LogOutputChannel carrying the emulator's own log, query and inspection views.
// Nothing starts on activation: `refresh` only looks for an emulator that already runs.
import * as vscode from 'vscode';
import { EmulatorController, type EmulatorSnapshot } from '../../../emulator/src/controller';
import { describeError } from '../../core/errors';
import { isRunDatabase } from '../../core/runs/runTarget';
import { writeConfirmation } from '../../core/sqlStatementKind';
import { describeEmulator } from '../../../emulator/src/describe';
import { chooseInspectDatabase, describeDatabaseChoice, type LastRun } from '../../core/runs/lastRun';
import { offerEmulatorFailureChoices } from './failureChoices';
import type { ResultSection } from './protocol';
import { ResultsPanel } from './resultsPanel';
import { inspectionSections, querySection } from './sections';
import { emulatorSettingsFor, keepEmulatorRunning } from './settings';
import { ContextKeys } from '../commands';
import { setContext } from '../contextKeys';

/** Command ids; package.json contributes the same. */
export const EmulatorCommands = {
  start: 'luigiSpanner.emulator.start',
  stop: 'luigiSpanner.emulator.stop',
  status: 'luigiSpanner.emulator.status',
  reset: 'luigiSpanner.emulator.reset',
  openLogs: 'luigiSpanner.emulator.openLogs',
  query: 'luigiSpanner.emulator.query',
  inspect: 'luigiSpanner.emulator.inspect',
  actions: 'luigiSpanner.emulator.actions',
  /** Inspect the last run's database (or the run given as argument). */
  inspectLastRun: 'luigiSpanner.emulator.inspectLastRun',
  /** Internal: rows of some tables in one database, each with the query that read them ({@link PreviewRequest}). */
  previewRows: 'luigiSpanner.emulator.previewRows',
} as const;

/** What "preview the rows a task wrote" asks the emulator UI for. */
export interface PreviewRequest {
  /** Heading: "LoadOrders (run of OrdersReport, 14:03)". */
  title: string;
  databaseId?: string;
  tables: string[];
  /** Said under the tables: whose rows these are. */
  note?: string;
}

const PREVIEW_ROWS = 50;


export interface EmulatorUiDeps {
  /** The workspace folder whose luigi-spanner.json and settings apply; the first folder when omitted. */
  folder?: vscode.Uri;
  /** Where errors of the UI itself are logged (the extension's main channel); the emulator channel when omitted. */
  log?: vscode.LogOutputChannel;
  /** The newest run that got a database; Inspect and Query default to it. Set once runs exist. */
  lastRun?: () => LastRun | undefined;
}

export interface EmulatorUi {
  controller: EmulatorController;
  /** Call from the extension's deactivate(): stops the emulator this window started unless kept. */
  deactivate(): Promise<void>;
  /** Shows an emulator failure with the choices that fix it (use the binary, set or build the image, Doctor). */
  offerFailureChoices(title: string, error: unknown, retry?: () => Promise<unknown>): Promise<void>;
  /** Looks again at what runs now (after a run started or stopped one). */
  refresh(): void;
}

const STATE_TEXT: Record<EmulatorSnapshot['state'], string> = {
  stopped: '$(circle-slash) Spanner',
  starting: '$(sync~spin) Spanner',
  ready: '$(database) Spanner',
  error: '$(error) Spanner',
};

export function registerEmulatorUi(context: vscode.ExtensionContext, deps: EmulatorUiDeps = {}): EmulatorUi {
  const folder = () => deps.folder ?? vscode.workspace.workspaceFolders?.[0]?.uri;
  const emulatorLog = vscode.window.createOutputChannel('Luigi Spanner Emulator', { log: true });
  const log = deps.log ?? emulatorLog;
  const controller = new EmulatorController(() => emulatorSettingsFor(folder()));
  const results = new ResultsPanel(log);
  const item = vscode.window.createStatusBarItem('luigiSpanner.emulator', vscode.StatusBarAlignment.Left, 50);
  item.name = 'Spanner Emulator';
  item.command = EmulatorCommands.actions;
  context.subscriptions.push(emulatorLog, results, item);

  const render = (s: EmulatorSnapshot) => {
    setContext(ContextKeys.emulatorReady, s.state === 'ready');
    item.text = STATE_TEXT[s.state];
    item.backgroundColor = s.state === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    const tooltip = new vscode.MarkdownString('', true);
    tooltip.isTrusted = { enabledCommands: Object.values(EmulatorCommands) };
    tooltip.appendMarkdown(`**Spanner emulator: ${s.state}**\n\n`);
    if (s.running) {
      tooltip.appendMarkdown(`${s.running.backend} at \`${s.running.host}\`${s.running.faultInjection ? ' (fault injection)' : ''}\n\n`);
      const settings = safeSettings();
      if (settings) tooltip.appendMarkdown(`database \`${settings.databaseId}\` in \`${settings.projectId}/${settings.instanceId}\`\n\n`);
    }
    if (s.error) tooltip.appendText(`${s.error.message}${s.error.fix ? `\nFix: ${s.error.fix}` : ''}\n\n`);
    const link = (label: string, command: string) => `[${label}](command:${command})`;
    const links =
      s.state === 'ready'
        ? [link('Stop', EmulatorCommands.stop), link('Reset', EmulatorCommands.reset), link('Query', EmulatorCommands.query), link('Inspect', EmulatorCommands.inspect)]
        : [link('Start', EmulatorCommands.start)];
    tooltip.appendMarkdown([...links, link('Logs', EmulatorCommands.openLogs)].join(' · '));
    item.tooltip = tooltip;
    item.show();
  };
  const safeSettings = () => {
    try {
      return emulatorSettingsFor(folder());
    } catch {
      return undefined;
    }
  };
  const offChange = controller.onDidChange(render);
  const offLog = controller.onLog((line) => emulatorLog.appendLine(line));
  context.subscriptions.push({ dispose: offChange }, { dispose: offLog });
  render(controller.snapshot);

  /** Runs an action; a failure shows its message with the fix and goes to the log. */
  const offerFailureChoices = (title: string, error: unknown, retry?: () => Promise<unknown>) =>
    offerEmulatorFailureChoices({ title, error, folder: folder(), retry, log, extensionRoot: context.extensionUri });
  const guarded = (action: (...args: never[]) => Promise<unknown>) => async (...args: never[]) => {
    try {
      await action(...args);
    } catch (error) {
      // Start (and Reset) can fail for reasons a setting fixes: offer those; anything else: the log.
      await offerFailureChoices('Spanner emulator', error, action === start ? () => guarded(start)() : undefined);
    }
  };
  const requireTrust = () => {
    if (!vscode.workspace.isTrusted) throw new Error('The emulator runs only in trusted workspaces (it executes a container or a local binary).');
  };
  const withProgress = <T>(title: string, task: () => Promise<T>) =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Spanner emulator: ${title}` }, task);

  const start = async () => {
    requireTrust();
    const s = await withProgress('starting…', () => controller.start());
    const applied = s.database?.applied.length ? ` Migrations applied: ${s.database.applied.join(', ')}.` : '';
    void vscode.window.showInformationMessage(`Spanner emulator ${s.running?.reused ? 'found running' : 'started'} (${s.running?.backend}) at ${s.running?.host}.${applied}`);
    if (s.running?.notice) void vscode.window.showWarningMessage(`Luigi Spanner: ${s.running.notice}`);
  };
  const stop = async () => {
    const { stopped } = await withProgress('stopping…', () => controller.stop());
    void vscode.window.showInformationMessage(
      stopped.length === 0
        ? `Luigi Spanner: no emulator named "${safeSettings()?.name ?? 'default'}" was running.`
        : `Luigi Spanner: stopped ${stopped.map(describeEmulator).join(' and ')}. Its databases are gone.`,
    );
  };
  const reset = async () => {
    requireTrust();
    const pick = await vscode.window.showQuickPick(
      [
        { label: 'Fresh database', description: 'drop and recreate it with migrations and seeds (fast)', full: false },
        { label: 'Full reset', description: "restart the emulator: every database on it is gone, other workspaces' too", full: true },
      ],
      { title: 'Reset the Spanner emulator' },
    );
    if (!pick) return;
    const s = await withProgress(pick.full ? 'restarting…' : 'recreating the database…', () => controller.reset({ full: pick.full }));
    void vscode.window.showInformationMessage(`Database recreated in ${Math.round(s.database?.millis ?? 0)} ms.`);
  };
  /**
   * The database Inspect and Query read: the one named by the caller (a run in Luigi Runs), else the
   * last run's (where the rows a run wrote are: a fresh run-* database unless state is kept), else
   * the workspace's. `label` says which it is, so the view never shows a database without its name.
   */
  const databaseFor = (args?: unknown): { databaseId: string; label: string } => {
    const given = typeof args === 'string' ? args : (args as { databaseId?: string; run?: { database?: string; task?: string } } | undefined)?.databaseId ?? (args as { run?: { database?: string } } | undefined)?.run?.database;
    const task = (args as { run?: { task?: string } } | undefined)?.run?.task;
    // The same rule as the CLI's inspect and query (core/runs/lastRun.ts).
    const choice = chooseInspectDatabase({ explicit: given || undefined, workspaceDatabase: controller.databaseId, lastRun: deps.lastRun?.(), running: controller.snapshot.running });
    return { databaseId: choice.databaseId, label: `${describeDatabaseChoice(choice)}${given && task ? ` (run of ${task})` : ''}` };
  };
  /** Finds an emulator started elsewhere first, so Inspect after a CLI or run start just works. */
  const requireEmulator = async () => {
    if (controller.snapshot.state !== 'ready') await controller.refresh();
  };
  const query = async (args?: unknown) => {
    await requireEmulator();
    const { databaseId, label } = databaseFor(args);
    const editor = vscode.window.activeTextEditor;
    const selected = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : undefined;
    const sql =
      selected ??
      (await vscode.window.showInputBox({ title: `Run SQL on database ${label}`, prompt: 'One SELECT, or one INSERT/UPDATE/DELETE', value: 'SELECT * FROM ' }));
    if (!sql?.trim()) return;
    // Anything but a read is confirmed first, unless it goes to a run's own scratch database.
    const question = writeConfirmation(sql, { databaseId, isRunDatabase: isRunDatabase(databaseId) });
    if (question) {
      const answer = await vscode.window.showWarningMessage(question, { modal: true, detail: sql.trim().slice(0, 500) }, 'Run');
      if (answer !== 'Run') return;
    }
    // Confirmed above, or nothing to confirm (a read, or a run's database).
    const result = await controller.query(sql, { allowWrites: true, databaseId });
    results.show(`${sql.trim().split('\n')[0]!.slice(0, 80)} — database ${label}`, [querySection(result)]);
  };
  const inspect = async (args?: unknown) => {
    await requireEmulator();
    const { databaseId, label } = databaseFor(args);
    const inspection = await controller.inspect({ databaseId });
    results.show(`Database ${label}`, inspectionSections(inspection));
  };
  const inspectWorkspace = async () => inspect(controller.databaseId);
  const previewRows = async (request: PreviewRequest) => {
    await requireEmulator();
    const { databaseId, label } = databaseFor(request.databaseId);
    if (request.tables.length === 0) {
      void vscode.window.showInformationMessage(`Luigi Spanner: no Spanner table of ${request.title} is known statically; showing its database instead.`);
      return inspect(databaseId);
    }
    // Whose rows these are follows from the database actually read (the last run's may be gone).
    const note =
      request.note ??
      (isRunDatabase(databaseId) ? "This database is the run's own: every row here came from it." : "The first rows of each table: this database is not one run's own, so other runs may have written them too.");
    const sections: ResultSection[] = [];
    for (const table of request.tables) {
      // Names come from the static analysis: only plain identifiers reach the SQL text.
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) continue;
      const sql = `SELECT * FROM \`${table}\` LIMIT ${PREVIEW_ROWS}`;
      try {
        const section = querySection(await controller.query(sql, { databaseId, maxRows: PREVIEW_ROWS }));
        sections.push({ ...section, title: table, note: `${sql}  —  ${section.note ?? ''}  ${note}` });
      } catch (error) {
        sections.push({ title: table, columns: [], rows: [], note: `${sql}  —  ${describeError(error).message}` });
      }
    }
    results.show(`${request.title} — database ${label}`, sections);
  };
  const status = async () => {
    const s = await controller.refresh();
    void vscode.window.showInformationMessage(s.running ? `Spanner emulator ${s.state}: ${s.running.backend} at ${s.running.host}.` : `Spanner emulator ${s.state}.`);
  };
  const actions = async () => {
    const s = controller.snapshot;
    const last = s.running && deps.lastRun?.()?.emulator.handle === s.running.handle ? deps.lastRun?.() : undefined;
    // The first item is what Enter picks: always something that reads, never Stop or Reset.
    const items: Array<vscode.QuickPickItem & { run: () => Promise<unknown> | void }> = [
      ...(s.state === 'ready'
        ? [
            ...(last?.databaseId
              ? [{ label: '$(table) Inspect last run', description: `${last.databaseId} · ${last.task}`, run: () => inspect(last.databaseId) }]
              : []),
            { label: '$(table) Inspect workspace database', description: controller.databaseId, run: inspectWorkspace },
            { label: '$(play) Run a query…', description: databaseFor().databaseId, run: () => query() },
            {
              label: '$(copy) Copy connection environment',
              run: () => vscode.env.clipboard.writeText(Object.entries(controller.connectionEnv()).map(([k, v]) => `${k}=${v}`).join('\n')),
            },
            { label: '$(output) Open emulator logs', run: () => emulatorLog.show(true) },
            { label: '', kind: vscode.QuickPickItemKind.Separator, run: () => undefined },
            { label: '$(refresh) Reset…', description: 'drops data', run: reset },
            { label: '$(debug-stop) Stop', description: 'every database on it is gone', run: stop },
          ]
        : [{ label: '$(play) Start', run: start }, { label: '$(output) Open emulator logs', run: () => emulatorLog.show(true) }]),
    ];
    const pick = await vscode.window.showQuickPick(items, { title: `Spanner emulator: ${s.state}${s.running ? ` at ${s.running.host}` : ''}` });
    if (pick) await pick.run();
  };

  const commands: Array<[string, (...args: never[]) => Promise<unknown>]> = [
    [EmulatorCommands.start, start],
    [EmulatorCommands.stop, stop],
    [EmulatorCommands.status, status],
    [EmulatorCommands.reset, reset],
    [EmulatorCommands.openLogs, async () => emulatorLog.show(true)],
    [EmulatorCommands.query, query],
    [EmulatorCommands.inspect, inspect],
    [EmulatorCommands.actions, actions],
    [EmulatorCommands.inspectLastRun, inspect],
    [EmulatorCommands.previewRows, previewRows],
  ];
  for (const [id, action] of commands) context.subscriptions.push(vscode.commands.registerCommand(id, guarded(action)));

  // One source of truth (emulatorStatus: container labels, binary state files), read on activation,
  // on focus and every couple of seconds: an emulator started or stopped by a run, the CLI or
  // another window shows here without anyone pressing a button.
  void controller.refresh().catch((error: unknown) => log.warn(`Emulator status: ${describeError(error).message}`));
  const stopWatching = controller.watch();
  const offGone = controller.onDidGoAway(({ emulator }) => {
    log.warn(`The ${describeEmulator(emulator)} went away.`);
    void vscode.window
      .showWarningMessage(`Luigi Spanner: the ${describeEmulator(emulator)} is no longer running (stopped elsewhere, or it exited).`, 'Start', 'Open Logs')
      .then((choice) => {
        if (choice === 'Start') void vscode.commands.executeCommand(EmulatorCommands.start);
        if (choice === 'Open Logs') emulatorLog.show(true);
      });
  });
  context.subscriptions.push(
    { dispose: stopWatching },
    { dispose: offGone },
    vscode.window.onDidChangeWindowState((state) => {
      if (state.focused && controller.snapshot.state !== 'starting') void controller.refresh().catch(() => undefined);
    }),
  );

  return {
    controller,
    deactivate: () => controller.dispose({ keepRunning: keepEmulatorRunning(folder()) }),
    offerFailureChoices,
    refresh: () => void controller.refresh().catch(() => undefined),
  };
}
