// The window's current workspace folder (the active editor's, else the last one's, else the first)
// as an event source, and the folder a folder-wide command acts on (the active editor's, else the
// user's pick). The rule itself is folderChoice.ts, tested without the editor.
import * as vscode from 'vscode';
import { CurrentFolder, folderForCommand, type FolderRef } from './folderChoice';

interface WindowFolder extends FolderRef {
  readonly folder: vscode.WorkspaceFolder;
}

function windowFolders(): WindowFolder[] {
  return (vscode.workspace.workspaceFolders ?? []).map((folder) => ({ uri: folder.uri.toString(), root: folder.uri.fsPath, name: folder.name, folder }));
}

function activeFile(): string | undefined {
  const uri = vscode.window.activeTextEditor?.document.uri;
  return uri?.scheme === 'file' ? uri.fsPath : undefined;
}

export class ActiveFolder implements vscode.Disposable {
  private readonly model = new CurrentFolder<WindowFolder>(windowFolders());
  private readonly changed = new vscode.EventEmitter<vscode.WorkspaceFolder | undefined>();
  /** Fires when the current folder changed (another folder's file became active, folders were removed). */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor() {
    this.model.follow(activeFile());
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor(() => {
        if (this.model.follow(activeFile())) this.changed.fire(this.current);
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        const moved = this.model.setFolders(windowFolders());
        const followed = this.model.follow(activeFile());
        if (moved || followed) this.changed.fire(this.current);
      }),
    );
  }

  /** The current folder; undefined in a window without folders. */
  get current(): vscode.WorkspaceFolder | undefined {
    return this.model.current?.folder;
  }

  /** More than one folder: features name the folder they show. */
  get several(): boolean {
    return this.model.several;
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}

/**
 * The folder a folder-wide command acts on: the active editor's; the only one; else a pick among
 * them (`placeHolder` says what for). Undefined when there is no folder or the pick was dismissed;
 * `none` tells the two apart.
 */
export async function folderForCommandOrAsk(placeHolder: string): Promise<{ folder?: vscode.WorkspaceFolder; none?: true }> {
  const choice = folderForCommand(windowFolders(), activeFile());
  if ('folder' in choice) return { folder: choice.folder.folder };
  if ('none' in choice) return { none: true };
  const picked = await vscode.window.showWorkspaceFolderPick({ placeHolder, ignoreFocusOut: true });
  return { folder: picked };
}
