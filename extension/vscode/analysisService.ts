// Keeps the pure WorkspaceIndex in step with the editor: open documents as typed (debounced),
// files on disk through a watcher. Only the changed file is re-parsed.
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import { MAX_FILE_BYTES, WorkspaceIndex } from '../core/analysis';
import type { GraphJson, TaskNode } from '../core/analysis/types';

const EXCLUDE = '{**/node_modules/**,**/.venv/**,**/venv/**,**/site-packages/**,**/.git/**,**/__pycache__/**,**/.tox/**}';
const TYPING_DEBOUNCE_MS = 250;

export class AnalysisService implements vscode.Disposable {
  readonly index: WorkspaceIndex;
  private readonly changed = new vscode.EventEmitter<{ files: string[] }>();
  /** Fires after the index absorbed a change (file paths root-relative). */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private readonly pending = new Map<string, NodeJS.Timeout>();
  readonly ready: Promise<void>;

  constructor(readonly root: vscode.Uri) {
    this.index = new WorkspaceIndex({ root: root.fsPath });
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(root, '**/*.py'));
    this.disposables.push(
      watcher,
      watcher.onDidCreate((uri) => this.readFromDisk(uri)),
      watcher.onDidChange((uri) => this.isOpen(uri) || this.readFromDisk(uri)),
      watcher.onDidDelete((uri) => this.remove(uri)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
    );
    this.ready = this.indexAll();
  }

  private async indexAll(): Promise<void> {
    const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(this.root, '**/*.py'), EXCLUDE);
    // Read in slices so the extension host stays responsive on large workspaces.
    for (let i = 0; i < uris.length; i += 64) {
      await Promise.all(uris.slice(i, i + 64).map((uri) => this.readFromDisk(uri, false)));
    }
    for (const document of vscode.workspace.textDocuments) this.absorb(document, false);
    this.changed.fire({ files: this.index.files() });
  }

  private isOpen(uri: vscode.Uri): boolean {
    return vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString() && d.isDirty);
  }

  private inRoot(uri: vscode.Uri): boolean {
    return uri.scheme === 'file' && (uri.fsPath + '/').startsWith(this.root.fsPath + '/');
  }

  private async readFromDisk(uri: vscode.Uri, notify = true): Promise<void> {
    if (!this.inRoot(uri)) return;
    try {
      const stat = await fs.stat(uri.fsPath);
      if (stat.size > MAX_FILE_BYTES) {
        this.index.markSkipped(uri.fsPath, `skipped: ${stat.size} bytes is over the ${MAX_FILE_BYTES}-byte limit`);
      } else {
        const bytes = await fs.readFile(uri.fsPath);
        const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
        if (text.includes('\u0000')) this.index.markSkipped(uri.fsPath, 'skipped: binary file');
        else this.index.setFile(uri.fsPath, text);
      }
    } catch (error) {
      if (error instanceof TypeError) this.index.markSkipped(uri.fsPath, 'skipped: not UTF-8');
      else return; // Deleted between the event and the read: the delete event follows.
    }
    if (notify) this.changed.fire({ files: [this.index.key(uri.fsPath)] });
  }

  private remove(uri: vscode.Uri): void {
    if (this.index.removeFile(uri.fsPath)) this.changed.fire({ files: [this.index.key(uri.fsPath)] });
  }

  private schedule(document: vscode.TextDocument, delay = TYPING_DEBOUNCE_MS): void {
    if (document.languageId !== 'python' || !this.inRoot(document.uri)) return;
    const key = document.uri.toString();
    clearTimeout(this.pending.get(key));
    this.pending.set(
      key,
      setTimeout(() => {
        this.pending.delete(key);
        this.absorb(document, true);
      }, delay),
    );
  }

  private absorb(document: vscode.TextDocument, notify: boolean): void {
    if (document.languageId !== 'python' || !this.inRoot(document.uri) || document.isClosed) return;
    this.index.setFile(document.uri.fsPath, document.getText());
    if (notify) this.changed.fire({ files: [this.index.key(document.uri.fsPath)] });
  }

  graph(): GraphJson {
    return this.index.graph();
  }

  tasksIn(uri: vscode.Uri): TaskNode[] {
    return this.inRoot(uri) ? this.index.tasksInFile(uri.fsPath) : [];
  }

  taskAt(uri: vscode.Uri, line: number): TaskNode | undefined {
    return this.inRoot(uri) ? this.index.taskAt(uri.fsPath, line) : undefined;
  }

  uriOf(task: TaskNode): vscode.Uri {
    return vscode.Uri.joinPath(this.root, task.file);
  }

  dispose(): void {
    this.pending.forEach((t) => clearTimeout(t));
    this.disposables.forEach((d) => d.dispose());
  }
}
