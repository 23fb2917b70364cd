// The emulator in the editor: a status-bar item (stopped, starting, ready, error) with quick
// actions, a LogOutputChannel carrying the emulator's own log, query and inspection views.
// Nothing starts on activation: `refresh` only looks for an emulator that already runs.
import * as vscode from 'vscode';
import { EmulatorController } from '../../../emulator/src/controller';
import { describeError } from '../../core/errors';
import { isRunDatabase } from '../../core/runs/runTarget';
import { writeConfirmation } from '../../core/sqlStatementKind';
import { describeEmulator } from '../../../emulator/src/describe';
import { chooseInspectDatabase, describeDatabaseChoice, type LastRun } from '../../core/runs/lastRun';
import { offerEmulatorFailureChoices } from './failureChoices';
import type { ResultSection } from './protocol';
import { ResultsPanel } from './resultsPanel';
import { inspectionSections, querySection } from './sections';
import { emulatorSettingsFor, keepEmulatorRunning } from '../settings';
import type { WorkspaceSettings } from '../../core/settings';
import { ActiveFolder } from '../activeFolder';
import { emulatorStatusView } from './statusView';
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
/** After the features load, when the status bar first reads the emulator's state (out of the first CodeLens's way). */
const FIRST_READ_MS = 2_000;


export interface EmulatorUiDeps {
  /** Where errors of the UI itself are logged (the extension's main channel); the emulator channel when omitted. */
  log?: vscode.LogOutputChannel;
  /** A folder's newest run that got a database; Inspect and Query default to it. Set once runs exist. */
  lastRun?: (folder: vscode.Uri | undefined) => LastRun | undefined;
}

export interface EmulatorUi {
  /** The controller of the current folder's emulator. */
  readonly controller: EmulatorController;
  /** Call from the extension's deactivate(): stops the emulators this window started unless kept. */
  deactivate(): Promise<void>;
  /**
   * Shows an emulator failure with the choices that fix it (use the binary, set or build the image,
   * Doctor); a choice changes the settings of `folder` (a run's folder), else of the current folder.
   */
  offerFailureChoices(title: string, error: unknown, retry?: () => Promise<unknown>, folder?: vscode.Uri): Promise<void>;
  /** Looks again at what runs now (after a run started or stopped one). */
  refresh(): void;
}

/**
 * One controller per emulator name (folders that share an emulator, the usual case, share its
 * controller: one log follower, one "started here"), reading the settings of the folder that last
 * made it current: its database, project and instance, backend and port.
 */
interface Entry {
  controller: EmulatorController;
  folder: vscode.Uri | undefined;
}

export function registerEmulatorUi(context: vscode.ExtensionContext, deps: EmulatorUiDeps = {}): EmulatorUi {
  const activeFolder = new ActiveFolder();
  const emulatorLog = vscode.window.createOutputChannel('Luigi Spanner Emulator', { log: true });
  const log = deps.log ?? emulatorLog;
  const results = new ResultsPanel(log);
  const item = vscode.window.createStatusBarItem('luigiSpanner.emulator', vscode.StatusBarAlignment.Left, 50);
  item.name = 'Spanner Emulator';
  item.command = EmulatorCommands.actions;
  context.subscriptions.push(activeFolder, emulatorLog, results, item);

  const folder = () => activeFolder.current?.uri;
  // A folder's settings (an `inspect` of each setting, luigi-spanner.json read from disk) took tens of
  // milliseconds of the host's thread, and every render and controller action reads them: read once
  // per folder, again after the settings or a luigi-spanner.json change (reread() below).
  const settingsCache = new Map<string, WorkspaceSettings>();
  const settingsOf = (uri: vscode.Uri | undefined): WorkspaceSettings => {
    const key = uri?.toString() ?? '';
    let settings = settingsCache.get(key);
    if (!settings) {
      settings = emulatorSettingsFor(uri);
      settingsCache.set(key, settings);
    }
    return settings;
  };
  const folderSettings = (uri: vscode.Uri | undefined): { settings?: WorkspaceSettings; error?: string } => {
    try {
      return { settings: settingsOf(uri) };
    } catch (error) {
      return { error: describeError(error).message };
    }
  };
  /** How messages name a folder: only in a window of several. */
  const ofFolder = (uri: vscode.Uri | undefined) => {
    if (!uri || !activeFolder.several) return '';
    return ` of folder ${vscode.workspace.getWorkspaceFolder(uri)?.name ?? uri.fsPath}`;
  };

  const entries = new Map<string, Entry>();
  /** The current folder's emulator; undefined until the first read (see FIRST_READ_MS). */
  let active: Entry | undefined;
  let stopWatching: (() => void) | undefined;
  const entryFor = (uri: vscode.Uri | undefined): Entry => {
    const { settings } = folderSettings(uri);
    // A folder whose settings do not resolve gets a controller of its own, whose actions report why.
    const key = settings ? `name:${settings.name}` : `invalid:${uri?.toString() ?? ''}`;
    let entry = entries.get(key);
    if (!entry) {
      const created: Entry = { folder: uri, controller: new EmulatorController(() => settingsOf(created.folder)) };
      entry = created;
      entries.set(key, created);
      const offChange = created.controller.onDidChange(() => created === active && render());
      // The channel carries the current folder's emulator.
      const offLog = created.controller.onLog((line) => created === active && emulatorLog.appendLine(line));
      const offGone = created.controller.onDidGoAway(({ emulator }) => {
        if (created !== active) return;
        log.warn(`The ${describeEmulator(emulator)} went away.`);
        void vscode.window
          .showWarningMessage(`Luigi Spanner: the ${describeEmulator(emulator)} is no longer running (stopped elsewhere, or it exited).`, 'Start', 'Open Logs')
          .then((choice) => {
            if (choice === 'Start') void vscode.commands.executeCommand(EmulatorCommands.start);
            if (choice === 'Open Logs') emulatorLog.show(true);
          });
      });
      context.subscriptions.push({ dispose: offChange }, { dispose: offLog }, { dispose: offGone });
    }
    entry.folder = uri;
    return entry;
  };
  /**
   * Makes the current folder's emulator the one shown: its controller watches (only the shown one
   * does, every couple of seconds) and is read at once.
   */
  const follow = () => {
    const next = entryFor(folder());
    const changed = next !== active;
    active = next;
    if (changed || !stopWatching) {
      stopWatching?.();
      // One source of truth (emulatorStatus: container labels, binary state files), read shortly after
      // activation, on focus and every couple of seconds: an emulator started or stopped by a run,
      // the CLI or another window shows here without anyone pressing a button.
      stopWatching = next.controller.watch();
    }
    render();
    if (next.controller.snapshot.state !== 'starting') void next.controller.refresh().catch((error: unknown) => log.warn(`Emulator status: ${describeError(error).message}`));
    return next;
  };
  /** The settings changed (the editor's, or a luigi-spanner.json): read them again, and follow. */
  const reread = () => {
    settingsCache.clear();
    follow();
  };
  /** The current folder's emulator, read now if the first read has not happened yet. */
  const current = (): Entry => active ?? follow();

  const render = () => {
    if (!active) return;
    const s = active.controller.snapshot;
    setContext(ContextKeys.emulatorReady, s.state === 'ready');
    const { settings, error } = folderSettings(active.folder);
    const folderName = activeFolder.several ? activeFolder.current?.name : undefined;
    const view = emulatorStatusView({ snapshot: s, settings, settingsError: error, folderName });
    item.text = view.text;
    item.backgroundColor = s.state === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    const tooltip = new vscode.MarkdownString(`${view.tooltip}\n\n`, true);
    tooltip.isTrusted = { enabledCommands: Object.values(EmulatorCommands) };
    const link = (label: string, command: string) => `[${label}](command:${command})`;
    const links =
      s.state === 'ready'
        ? [link('Stop', EmulatorCommands.stop), link('Reset', EmulatorCommands.reset), link('Query', EmulatorCommands.query), link('Inspect', EmulatorCommands.inspect)]
        : [link('Start', EmulatorCommands.start)];
    tooltip.appendMarkdown([...links, link('Logs', EmulatorCommands.openLogs)].join(' · '));
    item.tooltip = tooltip;
    item.show();
  };
  // The first read (the folder's settings, the Docker engine's and the binary's state) waits until the
  // window has started: at activation it held the extension host's thread with the first CodeLens
  // due. A command that needs the emulator reads it at once.
  const firstRead = setTimeout(() => active ?? follow(), FIRST_READ_MS);
  context.subscriptions.push(
    { dispose: () => clearTimeout(firstRead) },
    activeFolder.onDidChange(() => void follow()),
    vscode.workspace.onDidChangeConfiguration((event) => event.affectsConfiguration('luigiSpanner') && reread()),
  );
  // A luigi-spanner.json edited (another emulator name, database or port) re-reads the folder's settings.
  const configFiles = vscode.workspace.createFileSystemWatcher('**/luigi-spanner.json');
  context.subscriptions.push(configFiles, configFiles.onDidChange(reread), configFiles.onDidCreate(reread), configFiles.onDidDelete(reread));

  /** Runs an action; a failure shows its message with the fix and goes to the log. */
  const offerFailureChoices = (title: string, error: unknown, retry?: () => Promise<unknown>, at: vscode.Uri | undefined = current().folder) =>
    offerEmulatorFailureChoices({ title, error, folder: at, retry, log, extensionRoot: context.extensionUri });
  const guarded = (action: (...args: never[]) => Promise<unknown>) => async (...args: never[]) => {
    // The folder the command acted on, taken before it ran (the user may switch editors meanwhile).
    const at = current().folder;
    try {
      await action(...args);
    } catch (error) {
      // Start (and Reset) can fail for reasons a setting fixes: offer those; anything else: the log.
      await offerFailureChoices(`Spanner emulator${ofFolder(at)}`, error, action === start ? () => guarded(start)() : undefined, at);
    }
  };
  const requireTrust = () => {
    if (!vscode.workspace.isTrusted) throw new Error('The emulator runs only in trusted workspaces (it executes a container or a local binary).');
  };
  const withProgress = <T>(title: string, task: () => Promise<T>) =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Spanner emulator: ${title}` }, task);

  // Every command acts on the current folder's emulator and settings, as the status bar shows them.
  const start = async () => {
    requireTrust();
    const { controller, folder: at } = current();
    const s = await withProgress('starting…', () => controller.start());
    const applied = s.database?.applied.length ? ` Migrations applied: ${s.database.applied.join(', ')}.` : '';
    const database = s.database ? ` Database ${controller.databaseId}${ofFolder(at)}.` : '';
    void vscode.window.showInformationMessage(`Spanner emulator ${s.running?.reused ? 'found running' : 'started'} (${s.running?.backend}) at ${s.running?.host}.${database}${applied}`);
    if (s.running?.notice) void vscode.window.showWarningMessage(`Luigi Spanner: ${s.running.notice}`);
  };
  const stop = async () => {
    const { controller, folder: at } = current();
    const { stopped } = await withProgress('stopping…', () => controller.stop());
    void vscode.window.showInformationMessage(
      stopped.length === 0
        ? `Luigi Spanner: no emulator named "${folderSettings(at).settings?.name ?? 'default'}" was running.`
        : `Luigi Spanner: stopped ${stopped.map(describeEmulator).join(' and ')}. Its databases are gone.`,
    );
  };
  /** Drops data: it names the folder's database it acts on; the lifecycle refuses any host but an emulator's. */
  const reset = async () => {
    requireTrust();
    const { controller, folder: at } = current();
    const databaseId = controller.databaseId;
    const pick = await vscode.window.showQuickPick(
      [
        { label: 'Fresh database', description: `drop and recreate ${databaseId} with migrations and seeds (fast)`, full: false },
        { label: 'Full reset', description: "restart the emulator: every database on it is gone, other workspaces' too", full: true },
      ],
      { title: `Reset the Spanner emulator: database ${databaseId}${ofFolder(at)}` },
    );
    if (!pick) return;
    const s = await withProgress(pick.full ? 'restarting…' : `recreating ${databaseId}…`, () => controller.reset({ full: pick.full }));
    void vscode.window.showInformationMessage(`Luigi Spanner: database ${databaseId}${ofFolder(at)} recreated in ${Math.round(s.database?.millis ?? 0)} ms.`);
  };
  /**
   * The database Inspect and Query read: the one named by the caller (a run in Luigi Runs), else the
   * folder's last run's (where the rows a run wrote are: a fresh run-* database unless state is
   * kept), else the folder's. `label` says which it is, so the view never shows a database without its name.
   */
  const databaseFor = (entry: Entry, args?: unknown): { databaseId: string; label: string } => {
    const given = typeof args === 'string' ? args : (args as { databaseId?: string; run?: { database?: string; task?: string } } | undefined)?.databaseId ?? (args as { run?: { database?: string } } | undefined)?.run?.database;
    const task = (args as { run?: { task?: string } } | undefined)?.run?.task;
    // The same rule as the CLI's inspect and query (core/runs/lastRun.ts).
    const choice = chooseInspectDatabase({ explicit: given || undefined, workspaceDatabase: entry.controller.databaseId, lastRun: deps.lastRun?.(entry.folder), running: entry.controller.snapshot.running });
    return { databaseId: choice.databaseId, label: `${describeDatabaseChoice(choice)}${given && task ? ` (run of ${task})` : ''}${ofFolder(entry.folder)}` };
  };
  /** Finds an emulator started elsewhere first, so Inspect after a CLI or run start just works. */
  const requireEmulator = async (entry: Entry) => {
    if (entry.controller.snapshot.state !== 'ready') await entry.controller.refresh();
  };
  const query = async (args?: unknown) => {
    const entry = current();
    await requireEmulator(entry);
    const { databaseId, label } = databaseFor(entry, args);
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
    const result = await entry.controller.query(sql, { allowWrites: true, databaseId });
    results.show(`${sql.trim().split('\n')[0]!.slice(0, 80)} — database ${label}`, [querySection(result)]);
  };
  const inspect = async (args?: unknown) => {
    const entry = current();
    await requireEmulator(entry);
    const { databaseId, label } = databaseFor(entry, args);
    const inspection = await entry.controller.inspect({ databaseId });
    results.show(`Database ${label}`, inspectionSections(inspection));
  };
  const previewRows = async (request: PreviewRequest) => {
    const entry = current();
    await requireEmulator(entry);
    const { databaseId, label } = databaseFor(entry, request.databaseId);
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
        const section = querySection(await entry.controller.query(sql, { databaseId, maxRows: PREVIEW_ROWS }));
        sections.push({ ...section, title: table, note: `${sql}  —  ${section.note ?? ''}  ${note}` });
      } catch (error) {
        sections.push({ title: table, columns: [], rows: [], note: `${sql}  —  ${describeError(error).message}` });
      }
    }
    results.show(`${request.title} — database ${label}`, sections);
  };
  const status = async () => {
    const { controller, folder: at } = current();
    const s = await controller.refresh();
    void vscode.window.showInformationMessage(
      `Spanner emulator${ofFolder(at)} ${s.state}${s.running ? `: ${s.running.backend} at ${s.running.host}` : ''}; database ${controller.databaseId}.`,
    );
  };
  const actions = async () => {
    const entry = current();
    const { controller } = entry;
    const s = controller.snapshot;
    const lastRun = deps.lastRun?.(entry.folder);
    const last = s.running && lastRun?.emulator.handle === s.running.handle ? lastRun : undefined;
    // The first item is what Enter picks: always something that reads, never Stop or Reset.
    const items: Array<vscode.QuickPickItem & { run: () => Promise<unknown> | void }> = [
      ...(s.state === 'ready'
        ? [
            ...(last?.databaseId
              ? [{ label: '$(table) Inspect last run', description: `${last.databaseId} · ${last.task}`, run: () => inspect(last.databaseId) }]
              : []),
            { label: '$(table) Inspect workspace database', description: controller.databaseId, run: () => inspect(controller.databaseId) },
            { label: '$(play) Run a query…', description: databaseFor(entry).databaseId, run: () => query() },
            {
              label: '$(copy) Copy connection environment',
              run: () => vscode.env.clipboard.writeText(Object.entries(controller.connectionEnv()).map(([k, v]) => `${k}=${v}`).join('\n')),
            },
            { label: '$(output) Open emulator logs', run: () => emulatorLog.show(true) },
            { label: '', kind: vscode.QuickPickItemKind.Separator, run: () => undefined },
            { label: '$(refresh) Reset…', description: `drops data in ${controller.databaseId}`, run: reset },
            { label: '$(debug-stop) Stop', description: 'every database on it is gone', run: stop },
          ]
        : [{ label: '$(play) Start', run: start }, { label: '$(output) Open emulator logs', run: () => emulatorLog.show(true) }]),
    ];
    const pick = await vscode.window.showQuickPick(items, { title: `Spanner emulator${ofFolder(entry.folder)}: ${s.state}${s.running ? ` at ${s.running.host}` : ''}` });
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

  context.subscriptions.push(
    { dispose: () => stopWatching?.() },
    vscode.window.onDidChangeWindowState((state) => {
      if (state.focused && active && active.controller.snapshot.state !== 'starting') void active.controller.refresh().catch(() => undefined);
    }),
  );

  return {
    get controller() {
      return current().controller;
    },
    // Each emulator this window started stops unless its folder keeps it running.
    deactivate: async () => {
      await Promise.allSettled([...entries.values()].map((entry) => entry.controller.dispose({ keepRunning: keepEmulatorRunning(entry.folder) })));
    },
    offerFailureChoices,
    // A run may have started or stopped any folder's emulator: every controller looks again.
    refresh: () => {
      for (const entry of entries.values()) if (entry.controller.snapshot.state !== 'starting') void entry.controller.refresh().catch(() => undefined);
    },
  };
}
