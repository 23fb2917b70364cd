// The incremental workspace index shared by the extension and the CLI. Pure: it is handed file
// texts and never reads the disk or imports `vscode`. Setting one file re-parses that file
// only; the graph is rebuilt from the kept per-file facts on the next query.
import { GraphBuilder } from './graph-builder';
import { extractModuleFacts, type ModuleFacts } from './module-facts';
import type { Resolution } from './resolver';
import type { GraphDiagnostic, GraphJson, TaskNode } from './types';

export interface WorkspaceIndexOptions {
  /**
   * Absolute folder the graph is relative to (forward slashes or the platform's). When set,
   * absolute paths given to the index are made relative to it; task ids and `file` fields are
   * always relative to it.
   */
  root?: string;
}

interface GraphView {
  graph: GraphJson;
  builder: GraphBuilder;
  byFile: Map<string, TaskNode[]>;
  byId: Map<string, TaskNode>;
}

export class WorkspaceIndex {
  private readonly modules = new Map<string, ModuleFacts>();
  private readonly skipped = new Map<string, GraphDiagnostic>();
  private readonly folders = new Map<string, number>();
  private readonly root: string | undefined;
  private view: GraphView | undefined;

  constructor(options: WorkspaceIndexOptions = {}) {
    this.root = options.root === undefined ? undefined : toSlashes(options.root).replace(/\/+$/, '');
  }

  /** Root-relative, forward-slash form of a path, as the index keys files. */
  key(path: string): string {
    let normal = toSlashes(path);
    if (this.root !== undefined && (normal === this.root || normal.startsWith(`${this.root}/`))) normal = normal.slice(this.root.length + 1);
    return normal.replace(/^(\.\/)+/, '');
  }

  /** Parses `text` as the new content of `path` (a .py file) and keeps its facts. */
  setFile(path: string, text: string): ModuleFacts {
    const facts = extractModuleFacts(text);
    this.setFacts(path, facts);
    return facts;
  }

  /** Keeps facts extracted elsewhere (e.g. in a worker) for `path`. */
  setFacts(path: string, facts: ModuleFacts): void {
    const key = this.key(path);
    this.skipped.delete(key);
    if (!this.modules.has(key)) this.countFolders(key, 1);
    this.modules.set(key, facts);
    this.view = undefined;
  }

  /** Records that `path` was not analysed (binary, too large, not UTF-8); shown as a diagnostic. */
  markSkipped(path: string, message: string): void {
    const key = this.key(path);
    this.removeFile(key);
    this.skipped.set(key, { file: key, line: 1, severity: 'warning', message, code: 'skipped-file' });
    this.view = undefined;
  }

  removeFile(path: string): boolean {
    const key = this.key(path);
    const removedSkip = this.skipped.delete(key);
    if (!this.modules.delete(key)) {
      if (removedSkip) this.view = undefined;
      return removedSkip;
    }
    this.countFolders(key, -1);
    this.view = undefined;
    return true;
  }

  has(path: string): boolean {
    return this.modules.has(this.key(path));
  }

  /** Indexed files, sorted. */
  files(): string[] {
    return [...this.modules.keys()].sort();
  }

  facts(path: string): ModuleFacts | undefined {
    return this.modules.get(this.key(path));
  }

  /** The whole pipeline graph (cached until a file changes). */
  graph(): GraphJson {
    return this.current().graph;
  }

  tasksInFile(path: string): TaskNode[] {
    return this.current().byFile.get(this.key(path)) ?? [];
  }

  /** The task whose class spans `line` (1-based) in `path`. */
  taskAt(path: string, line: number): TaskNode | undefined {
    return this.tasksInFile(path).find((task) => task.line <= line && line <= (task.endLine ?? task.line));
  }

  task(id: string): TaskNode | undefined {
    return this.current().byId.get(id);
  }

  diagnosticsFor(path: string): GraphDiagnostic[] {
    const key = this.key(path);
    return this.graph().diagnostics.filter((d) => d.file === key);
  }

  /** What a dotted name written at module level of `path` points at (for lint rules). */
  resolve(path: string, parts: readonly string[]): Resolution {
    return this.current().builder.resolver.resolve(this.key(path), parts);
  }

  /** Whether the class `className` defined in `path` is a Luigi task (directly or via its bases). */
  isTask(path: string, className: string): boolean {
    const key = this.key(path);
    const cls = this.modules.get(key)?.classes.find((c) => c.name === className);
    return !!cls && !!this.current().builder.classInfo(key, cls).task;
  }

  private current(): GraphView {
    if (this.view) return this.view;
    const files = this.files();
    const builder = new GraphBuilder({ facts: (file) => this.modules.get(file), hasFolder: (folder) => this.folders.has(folder) }, files);
    const graph = builder.build([...this.skipped.values()]);
    const byFile = new Map<string, TaskNode[]>();
    const byId = new Map<string, TaskNode>();
    for (const task of graph.tasks) {
      byId.set(task.id, task);
      const list = byFile.get(task.file);
      if (list) list.push(task);
      else byFile.set(task.file, [task]);
    }
    this.view = { graph, builder, byFile, byId };
    return this.view;
  }

  private countFolders(file: string, delta: number): void {
    for (let slash = file.lastIndexOf('/'); slash > 0; slash = file.lastIndexOf('/', slash - 1)) {
      const folder = file.slice(0, slash);
      const count = (this.folders.get(folder) ?? 0) + delta;
      if (count > 0) this.folders.set(folder, count);
      else this.folders.delete(folder);
    }
  }
}

function toSlashes(path: string): string {
  return path.replace(/\\/g, '/');
}
