// Which workspace folder a folder-wide feature acts on in a multi-root window: the emulator's status
// bar and commands follow the active editor's folder, the Doctor checks it (or asks). Plain data (no
// `vscode`): activeFolder.ts binds it to the window's folders and editors.
import path from 'node:path';

export interface FolderRef {
  /** The folder's URI as the editor names it. */
  readonly uri: string;
  /** Absolute folder path. */
  readonly root: string;
  /** The folder's name in the window (the explorer's). */
  readonly name: string;
}

/** The folder an absolute path is in: the innermost one, when folders nest. */
export function folderOfPath<F extends FolderRef>(folders: readonly F[], file: string): F | undefined {
  let best: F | undefined;
  for (const folder of folders) {
    const relative = path.relative(folder.root, file);
    if (relative.startsWith('..') || path.isAbsolute(relative)) continue;
    if (!best || folder.root.length > best.root.length) best = folder;
  }
  return best;
}

/** What a folder-wide command (Doctor) acts on: the active file's folder, the only folder, or the user's choice among several. */
export type FolderForCommand<F extends FolderRef> = { folder: F } | { ask: readonly F[] } | { none: true };

export function folderForCommand<F extends FolderRef>(folders: readonly F[], activeFile: string | undefined): FolderForCommand<F> {
  const active = activeFile === undefined ? undefined : folderOfPath(folders, activeFile);
  if (active) return { folder: active };
  if (folders.length === 0) return { none: true };
  if (folders.length === 1) return { folder: folders[0]! };
  return { ask: folders };
}

/**
 * The current folder of a window: the active file's, else the last one that was (a webview or an
 * output panel in front keeps it), else the first. Survives folders being added and removed.
 */
export class CurrentFolder<F extends FolderRef> {
  private currentUri: string | undefined;

  constructor(private folders: readonly F[]) {
    this.currentUri = folders[0]?.uri;
  }

  get current(): F | undefined {
    return this.folders.find((f) => f.uri === this.currentUri) ?? this.folders[0];
  }

  /** True when there is more than one folder (features then name the folder they show). */
  get several(): boolean {
    return this.folders.length > 1;
  }

  /** Follows the active file (an absolute path; undefined for none or a non-file editor). Returns true when the current folder changed. */
  follow(activeFile: string | undefined): boolean {
    const found = activeFile === undefined ? undefined : folderOfPath(this.folders, activeFile);
    if (!found || found.uri === this.currentUri) return false;
    this.currentUri = found.uri;
    return true;
  }

  /** The window's folders changed; the current one stays unless it was removed. Returns true when the current folder changed. */
  setFolders(folders: readonly F[]): boolean {
    const before = this.current?.uri;
    this.folders = folders;
    if (!folders.some((f) => f.uri === this.currentUri)) this.currentUri = folders[0]?.uri;
    return this.current?.uri !== before;
  }
}
