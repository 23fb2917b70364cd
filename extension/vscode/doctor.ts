// The editor's Doctor: the CLI's `doctor` checks (core/doctor.ts) in one workspace folder's settings
// (its luigi-spanner.json and folder settings, the interpreter its runs would use), for the active
// editor's folder, or the one the user picks when the window has several and no editor is active.
// The report names the folder: the quick pick's title and its "Workspace settings" row.
import * as vscode from 'vscode';
import { runDoctor, type Check } from '../core/doctor';
import { folderForCommandOrAsk } from './activeFolder';
import { ContextKeys } from './commands';
import { setContext } from './contextKeys';
import { chosenPython } from './pythonInterpreter';
import { emulatorSettingsFor, pythonPathSetting } from './settings';

export async function showDoctor(log: vscode.LogOutputChannel): Promise<void> {
  const { folder, none } = await folderForCommandOrAsk('Luigi Spanner Doctor: check the prerequisites and settings of which folder?');
  if (!folder && !none) return; // the pick was dismissed
  const python = folder ? await chosenPython(folder.uri) : pythonPathSetting(undefined);
  const checks = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: `Luigi Spanner: checking prerequisites${folder ? ` for ${folder.name}` : ''}` },
    () => runDoctor({ python, audience: 'editor', settings: () => emulatorSettingsFor(folder?.uri), workspaceName: folder?.name }),
  );
  // The walkthrough's prerequisite steps complete on these.
  const ok = (id: Check['id']) => checks.some((c) => c.id === id && c.ok);
  setContext(ContextKeys.emulatorBackendOk, ok('docker') || ok('emulatorBinary'));
  setContext(ContextKeys.pythonOk, ok('python') && ok('luigi') && ok('spanner'));
  log.info(`Doctor${folder ? ` for folder ${folder.name} (${folder.uri.fsPath})` : ''}:`);
  for (const c of checks) log.info(`${c.ok ? 'ok' : c.optional ? 'missing (optional)' : 'MISSING'}  ${c.name}: ${c.detail}${c.ok ? '' : ` — fix: ${c.fix}`}`);
  const missing = checks.filter((c) => !c.ok && !c.optional);
  const items = checks.map((c) => ({
    label: `${c.ok ? '$(check)' : c.optional ? '$(info)' : '$(error)'} ${c.name}`,
    description: c.detail,
    detail: c.ok ? undefined : `fix: ${c.fix}`,
  }));
  const verdict = missing.length === 0 ? 'everything needed is present' : `${missing.length} prerequisite(s) missing`;
  await vscode.window.showQuickPick(items, { title: `Luigi Spanner Doctor${folder ? ` (${folder.name})` : ''}: ${verdict}` });
}
