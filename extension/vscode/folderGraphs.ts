// The pipeline graphs of every workspace folder, as the language server last sent them, and which
// folder a file or a task belongs to. Plain data (no `vscode`): analysisService.ts wraps it with
// the client's messages and the editor's URIs.
import path from 'node:path';
import type { GraphJson, TaskNode } from '../core/analysis/types';

export interface FolderGraph {
  /** The folder's URI as the client names it (the key of the server's messages). */
  readonly uri: string;
  /** Absolute folder path. */
  readonly root: string;
  readonly graph: GraphJson;
}

interface Entry extends FolderGraph {
  byFile: Map<string, TaskNode[]>;
  byId: Map<string, TaskNode>;
}

const EMPTY: GraphJson = { tasks: [], edges: [], diagnostics: [] };

export class FolderGraphs {
  private readonly folders = new Map<string, Entry>();
  /** Which folder each task object came from (ids repeat across folders: two `pipeline.py`). */
  private readonly folderOfTask = new WeakMap<TaskNode, Entry>();

  /** Adds a folder (with an empty graph until the server's arrives). */
  add(uri: string, root: string): void {
    if (!this.folders.has(uri)) this.set(uri, root, EMPTY);
  }

  remove(uri: string): void {
    this.folders.delete(uri);
  }

  set(uri: string, root: string, graph: GraphJson): void {
    const entry: Entry = { uri, root, graph, byFile: new Map(), byId: new Map() };
    for (const task of graph.tasks) {
      entry.byFile.set(task.file, [...(entry.byFile.get(task.file) ?? []), task]);
      entry.byId.set(task.id, task);
      this.folderOfTask.set(task, entry);
    }
    this.folders.set(uri, entry);
  }

  has(uri: string): boolean {
    return this.folders.has(uri);
  }

  /** Every folder, in the order added. */
  all(): FolderGraph[] {
    return [...this.folders.values()];
  }

  get(uri: string): FolderGraph | undefined {
    return this.folders.get(uri);
  }

  /** The folder an absolute path is in: the innermost one, when folders nest. */
  folderOfPath(file: string): { folder: FolderGraph; relative: string } | undefined {
    let best: { folder: Entry; relative: string } | undefined;
    for (const folder of this.folders.values()) {
      const relative = path.relative(folder.root, file);
      if (relative.startsWith('..') || path.isAbsolute(relative)) continue;
      if (!best || folder.root.length > best.folder.root.length) best = { folder, relative: relative.split(path.sep).join('/') };
    }
    return best;
  }

  /** The folder a task object (from one of these graphs) belongs to. */
  folderOf(task: TaskNode): FolderGraph | undefined {
    return this.folderOfTask.get(task);
  }

  /** Tasks defined in an absolute file path. */
  tasksIn(file: string): TaskNode[] {
    const found = this.folderOfPath(file);
    return found ? (found.folder as Entry).byFile.get(found.relative) ?? [] : [];
  }

  /** The task whose class spans `line` (1-based) of an absolute file path. */
  taskAt(file: string, line: number): TaskNode | undefined {
    return this.tasksIn(file).find((task) => task.line <= line && line <= (task.endLine ?? task.line));
  }

  /** A task by id: in `preferred` (the active folder) first, then in the others in order. */
  task(id: string, preferred?: string): TaskNode | undefined {
    const first = preferred ? this.folders.get(preferred)?.byId.get(id) : undefined;
    if (first) return first;
    for (const folder of this.folders.values()) {
      const task = folder.byId.get(id);
      if (task) return task;
    }
    return undefined;
  }

  /** Absolute path of a task's file. */
  fileOf(task: TaskNode): string | undefined {
    const folder = this.folderOfTask.get(task);
    return folder ? path.join(folder.root, ...task.file.split('/')) : undefined;
  }
}
