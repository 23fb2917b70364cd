// The first-session walkthrough (package.json `contributes.walkthroughs`): its commands.
// Its steps complete on the events other modules raise (ContextKeys, commands); nothing here tracks them.
import * as vscode from 'vscode';
import { copySample } from '../core/sample';
import { Commands, WALKTHROUGH_ID } from './commands';

/** A file to open once the window has reopened on the copied sample. */
const OPEN_ON_START = 'luigiSpanner.openOnStart';

export function registerWalkthrough(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(Commands.showWalkthrough, () =>
      vscode.commands.executeCommand('workbench.action.openWalkthrough', `${context.extension.id}#${WALKTHROUGH_ID}`, false),
    ),
    vscode.commands.registerCommand(Commands.openSample, () => openSample(context, log)),
  );
  void openPendingFile(context);
}

async function openSample(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): Promise<void> {
  const [parent] =
    (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Copy the Sample Here', title: 'Where to copy the orders sample pipeline' })) ?? [];
  if (!parent) return;
  let target: string;
  try {
    target = copySample(vscode.Uri.joinPath(context.extensionUri, 'samples', 'orders').fsPath, parent.fsPath);
  } catch (error) {
    log.error(`Copying the sample into ${parent.fsPath} failed: ${(error as Error).message}`);
    void vscode.window.showErrorMessage(`Luigi Spanner: could not copy the sample into ${parent.fsPath}: ${(error as Error).message}`);
    return;
  }
  log.info(`Sample pipeline copied to ${target}`);
  const pipeline = vscode.Uri.joinPath(vscode.Uri.file(target), 'pipeline.py');
  await context.globalState.update(OPEN_ON_START, pipeline.toString());
  // Opening a folder reloads this window (or opens another when one is already open).
  await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(target), { forceNewWindow: Boolean(vscode.workspace.workspaceFolders?.length) });
}

async function openPendingFile(context: vscode.ExtensionContext): Promise<void> {
  const pending = context.globalState.get<string>(OPEN_ON_START);
  if (!pending) return;
  const uri = vscode.Uri.parse(pending);
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  if (!folder) return;
  await context.globalState.update(OPEN_ON_START, undefined);
  await vscode.window.showTextDocument(uri, { preview: false });
}
