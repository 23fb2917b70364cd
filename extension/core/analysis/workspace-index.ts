// The incremental workspace index shared by the extension and the CLI. Pure: it is handed file
// texts and never reads the disk or imports `vscode`.
//
// Setting a file re-parses only that file (only its changed region, when its previous tree is
// kept) and re-extracts its facts. The next graph() recomputes only the files whose previous
// computation read something that changed (see effects.ts); the others keep their results.
import { analysisFailedMessage, ANALYSIS_FAILED, isolated } from './analysis-failure';
import { assembleGraph, folderKey, GraphBuilder, type FileResult } from './graph-builder';
import { emptyModuleFacts, extractModuleFacts, extractModuleFactsReusing, tryParse, type ClassFacts, type ModuleFacts, type StatementMemo } from './module-facts';
import type { Tree } from './python-parser';
import type { Resolution } from './resolver';
import type { StringExpr, StringValue } from '../python/string-expr';
import type { GraphDiagnostic, GraphJson, TaskNode } from './types';

export interface WorkspaceIndexOptions {
  /**
   * Absolute folder the graph is relative to (forward slashes or the platform's). When set,
   * absolute paths given to the index are made relative to it; task ids and `file` fields are
   * always relative to it.
   */
  root?: string;
  /**
   * Keep each file's text and syntax tree (default true): edits then re-parse only the changed
   * region, and tree(path) serves lint rules. Off, a bulk one-shot index (the CLI) uses less memory.
   */
  keepTrees?: boolean;
}

interface IndexedFile {
  facts: ModuleFacts;
  text?: string;
  tree?: Tree;
  /** With the tree, from the second version on: the facts of each top-level statement, for the next version (an edit re-walks only what it touched). */
  memo?: StatementMemo;
}

interface GraphView {
  graph: GraphJson;
  builder: GraphBuilder;
  byFile: Map<string, TaskNode[]>;
  /** Built on first use. */
  byId?: Map<string, TaskNode>;
}

export class WorkspaceIndex {
  private readonly modules = new Map<string, IndexedFile>();
  private readonly skipped = new Map<string, GraphDiagnostic>();
  private readonly folders = new Map<string, number>();
  private readonly results = new Map<string, FileResult>();
  /** Keys changed since the last graph (files, and the folders above them). */
  private readonly changed = new Set<string>();
  private readonly root: string | undefined;
  private readonly keepTrees: boolean;
  private view: GraphView | undefined;
  private recomputed: string[] = [];

  constructor(options: WorkspaceIndexOptions = {}) {
    this.root = options.root === undefined ? undefined : toSlashes(options.root).replace(/\/+$/, '');
    this.keepTrees = options.keepTrees ?? true;
  }

  /** Root-relative, forward-slash form of a path, as the index keys files. */
  key(path: string): string {
    let normal = toSlashes(path);
    if (this.root !== undefined && (normal === this.root || normal.startsWith(`${this.root}/`))) normal = normal.slice(this.root.length + 1);
    return normal.replace(/^(\.\/)+/, '');
  }

  /**
   * Parses `text` as the new content of `path` (a .py file) and keeps its facts. Never throws:
   * a file whose analysis fails is recorded as one analysis-failed diagnostic (empty facts back).
   */
  setFile(path: string, text: string): ModuleFacts {
    const key = this.key(path);
    const previous = this.modules.get(key);
    if (previous?.text === text) return previous.facts;
    const analysed = isolated(() => {
      const tree = tryParse(text, previous?.text !== undefined && previous.tree ? { text: previous.text, tree: previous.tree } : undefined);
      // A statement memo only for a file set again (an open file edited): one-shot runs (the CLI's
      // lint and graph) set each file once and would only pay for the copies.
      if (!this.keepTrees || !previous) return { tree, facts: extractModuleFacts(text, tree) };
      return { tree, ...extractModuleFactsReusing(text, tree, previous.memo) };
    });
    if ('failed' in analysed) {
      this.markFailed(key, analysed.failed);
      return emptyModuleFacts();
    }
    const { tree, facts } = analysed.value;
    const memo = 'memo' in analysed.value ? analysed.value.memo : undefined;
    this.store(key, this.keepTrees && tree ? { facts, text, tree, ...(memo ? { memo } : {}) } : { facts });
    return facts;
  }

  /** Keeps facts extracted elsewhere (e.g. in a worker) for `path`. */
  setFacts(path: string, facts: ModuleFacts): void {
    this.store(this.key(path), { facts });
  }

  /** Records that `path` was not analysed (binary, too large, not UTF-8); shown as a diagnostic. */
  markSkipped(path: string, message: string): void {
    const key = this.key(path);
    this.removeFile(key);
    this.skipped.set(key, { file: key, line: 1, severity: 'warning', message, code: 'skipped-file' });
    this.view = undefined;
  }

  /** Records that analysing `path` threw (`reason`); shown as one analysis-failed diagnostic. */
  markFailed(path: string, reason: string): void {
    const key = this.key(path);
    this.removeFile(key);
    this.skipped.set(key, { file: key, line: 1, severity: 'error', message: analysisFailedMessage(reason), code: ANALYSIS_FAILED });
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
    this.results.delete(key);
    this.touch(key);
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
    return this.modules.get(this.key(path))?.facts;
  }

  /** The syntax tree of an indexed file (when trees are kept); valid until the file changes. */
  tree(path: string): Tree | undefined {
    return this.modules.get(this.key(path))?.tree;
  }

  /** The text an indexed file was last set to (when trees are kept). */
  text(path: string): string | undefined {
    return this.modules.get(this.key(path))?.text;
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
    const view = this.current();
    view.byId ??= new Map(view.graph.tasks.map((task) => [task.id, task]));
    return view.byId.get(id);
  }

  diagnosticsFor(path: string): GraphDiagnostic[] {
    const key = this.key(path);
    return this.graph().diagnostics.filter((d) => d.file === key);
  }

  /** Files whose graph part the last graph() computation recomputed (the rest was reused). */
  lastRecomputed(): readonly string[] {
    return this.recomputed;
  }

  /** What a dotted name written at module level of `path` points at (for lint rules). */
  resolve(path: string, parts: readonly string[]): Resolution {
    return this.current().builder.resolver.resolve(this.key(path), parts);
  }

  /**
   * The value of a string expression written in `path` (a table name, a SQL text), in the class
   * `className` when inside one: the graph's own resolver (table-names.ts), for the lint rules.
   */
  stringValue(path: string, className: string | undefined, expr: StringExpr): StringValue {
    const key = this.key(path);
    const { builder } = this.current();
    const cls = className === undefined ? undefined : this.modules.get(key)?.facts.classes.find((c) => c.name === className);
    return builder.tableNames.value(expr, { file: key, ...(cls ? { mro: builder.classInfo(key, cls).mro } : {}) });
  }

  /** What a base class written on module-level `cls` of `path` points at (see Resolver.resolveBase). */
  resolveBase(path: string, cls: ClassFacts, parts: readonly string[]): Resolution {
    return this.current().builder.resolver.resolveBase(this.key(path), cls, parts);
  }

  /** Whether the class `className` defined in `path` is a Luigi task (directly or via its bases). */
  isTask(path: string, className: string): boolean {
    const key = this.key(path);
    const cls = this.modules.get(key)?.facts.classes.find((c) => c.name === className);
    return !!cls && !!this.current().builder.classInfo(key, cls).task;
  }

  private store(key: string, file: IndexedFile): void {
    this.skipped.delete(key);
    if (!this.modules.has(key)) this.countFolders(key, 1);
    this.modules.set(key, file);
    this.touch(key);
  }

  private touch(key: string): void {
    this.changed.add(key);
    for (let slash = key.lastIndexOf('/'); slash > 0; slash = key.lastIndexOf('/', slash - 1)) this.changed.add(folderKey(key.slice(0, slash)));
    this.view = undefined;
  }

  private current(): GraphView {
    if (this.view) return this.view;
    const builder = new GraphBuilder({ facts: (file) => this.modules.get(file)?.facts, hasFolder: (folder) => this.folders.has(folder) });
    const files = this.files();
    const results: FileResult[] = [];
    this.recomputed = [];
    for (const file of files) {
      let result = this.results.get(file);
      if (!result || this.readsChanged(result)) {
        const computed = isolated(() => builder.fileResult(file));
        if ('value' in computed) {
          result = computed.value;
          this.results.set(file, result);
        } else {
          // Not kept: computed again with the next graph, in case what it read has changed.
          const diagnostic = { file, line: 1, severity: 'error' as const, message: analysisFailedMessage(computed.failed), code: ANALYSIS_FAILED };
          result = { tasks: [], edges: [], diagnostics: [diagnostic], reads: new Set([file]) };
          this.results.delete(file);
        }
        this.recomputed.push(file);
      }
      results.push(result);
    }
    this.changed.clear();
    const graph = assembleGraph(results, [...this.skipped.values()]);
    const byFile = new Map<string, TaskNode[]>();
    files.forEach((file, i) => byFile.set(file, results[i]!.tasks));
    this.view = { graph, builder, byFile };
    return this.view;
  }

  private readsChanged(result: FileResult): boolean {
    for (const key of this.changed) if (result.reads.has(key)) return true;
    return false;
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
