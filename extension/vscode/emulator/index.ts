// The emulator in the editor: a status-bar item (stopped, starting, ready, error) with quick
// actions, a LogOutputChannel carrying the emulator's own log, query and inspection views.
// Nothing starts on activation: `refresh` only looks for an emulator that already runs.
import * as vscode from 'vscode';
import { EmulatorController, type EmulatorSnapshot } from '../../../emulator/src/controller';
import { describeError } from '../../core/errors';
import { isRunDatabase } from '../../core/runs/runTarget';
import { writeConfirmation } from '../../core/sqlStatementKind';
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
} as const;

export interface EmulatorUiDeps {
  /** The workspace folder whose luigi-spanner.json and settings apply; the first folder when omitted. */
  folder?: vscode.Uri;
  /** Where errors of the UI itself are logged (the extension's main channel); the emulator channel when omitted. */
  log?: vscode.LogOutputChannel;
}

export interface EmulatorUi {
  controller: EmulatorController;
  /** Call from the extension's deactivate(): stops the emulator this window started unless kept. */
  deactivate(): Promise<void>;
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
  const guarded = (action: () => Promise<unknown>) => async () => {
    try {
      await action();
    } catch (error) {
      const { message, fix } = describeError(error);
      log.error(`${message}${fix ? ` — fix: ${fix}` : ''}`);
      // A notification shows no `detail`: the fix goes into the message itself.
      const choice = await vscode.window.showErrorMessage(fix ? `${message} Fix: ${fix}` : message, 'Open Logs');
      if (choice === 'Open Logs') emulatorLog.show(true);
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
    await withProgress('stopping…', () => controller.stop());
  };
  const reset = async () => {
    requireTrust();
    const pick = await vscode.window.showQuickPick(
      [
        { label: 'Fresh database', description: 'drop and recreate it with migrations and seeds (fast)', full: false },
        { label: 'Full reset', description: 'restart the emulator: every database is gone', full: true },
      ],
      { title: 'Reset the Spanner emulator' },
    );
    if (!pick) return;
    const s = await withProgress(pick.full ? 'restarting…' : 'recreating the database…', () => controller.reset({ full: pick.full }));
    void vscode.window.showInformationMessage(`Database recreated in ${Math.round(s.database?.millis ?? 0)} ms.`);
  };
  const query = async () => {
    const editor = vscode.window.activeTextEditor;
    const selected = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : undefined;
    const sql = selected ?? (await vscode.window.showInputBox({ title: 'Run SQL on the emulator', prompt: 'One SELECT, or one INSERT/UPDATE/DELETE', value: 'SELECT * FROM ' }));
    if (!sql?.trim()) return;
    // Anything but a read is confirmed first, unless it goes to a run's own scratch database.
    const databaseId = controller.databaseId;
    const question = writeConfirmation(sql, { databaseId, isRunDatabase: isRunDatabase(databaseId) });
    if (question) {
      const answer = await vscode.window.showWarningMessage(question, { modal: true, detail: sql.trim().slice(0, 500) }, 'Run');
      if (answer !== 'Run') return;
    }
    // Confirmed above, or nothing to confirm (a read, or a run's database).
    const result = await controller.query(sql, { allowWrites: true });
    results.show(sql.trim().split('\n')[0]!.slice(0, 80), [querySection(result)]);
  };
  const inspect = async () => {
    const inspection = await controller.inspect();
    const settings = emulatorSettingsFor(folder());
    results.show(`Database ${settings.databaseId}`, inspectionSections(inspection));
  };
  const status = async () => {
    const s = await controller.refresh();
    void vscode.window.showInformationMessage(s.running ? `Spanner emulator ${s.state}: ${s.running.backend} at ${s.running.host}.` : `Spanner emulator ${s.state}.`);
  };
  const actions = async () => {
    const s = controller.snapshot;
    const items: Array<vscode.QuickPickItem & { run: () => Promise<unknown> | void }> = [
      ...(s.state === 'ready'
        ? [
            { label: '$(debug-stop) Stop', run: stop },
            { label: '$(refresh) Reset…', run: reset },
            { label: '$(play) Run a query…', run: query },
            { label: '$(table) Inspect tables, migrations and markers', run: inspect },
            {
              label: '$(copy) Copy connection environment',
              run: () => vscode.env.clipboard.writeText(Object.entries(controller.connectionEnv()).map(([k, v]) => `${k}=${v}`).join('\n')),
            },
          ]
        : [{ label: '$(play) Start', run: start }]),
      { label: '$(output) Open emulator logs', run: () => emulatorLog.show(true) },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: `Spanner emulator: ${s.state}${s.running ? ` at ${s.running.host}` : ''}` });
    if (pick) await pick.run();
  };

  const commands: Array<[string, () => Promise<unknown>]> = [
    [EmulatorCommands.start, start],
    [EmulatorCommands.stop, stop],
    [EmulatorCommands.status, status],
    [EmulatorCommands.reset, reset],
    [EmulatorCommands.openLogs, async () => emulatorLog.show(true)],
    [EmulatorCommands.query, query],
    [EmulatorCommands.inspect, inspect],
    [EmulatorCommands.actions, actions],
  ];
  for (const [id, action] of commands) context.subscriptions.push(vscode.commands.registerCommand(id, guarded(action)));

  // An emulator started by the CLI or by a run shows as ready; found again on focus.
  void controller.refresh().catch((error: unknown) => log.warn(`Emulator status: ${describeError(error).message}`));
  context.subscriptions.push(
    vscode.window.onDidChangeWindowState((state) => {
      if (state.focused && controller.snapshot.state !== 'starting') void controller.refresh().catch(() => undefined);
    }),
  );

  return { controller, deactivate: () => controller.dispose({ keepRunning: keepEmulatorRunning(folder()) }) };
}
