// One workspace folder as the server sees it: the one analysis engine (WorkspaceIndex + lint
// engine) over the folder's files on disk, with the editor's open documents laid over them.
// Knows nothing of LSP; server.ts turns what it answers into messages.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { withLineage } from '../core/analysis/lineage';
import { WorkspaceIndex } from '../core/analysis/workspace-index';
import { findPythonFiles, importCandidates, indexWorkspaceParallel, readPythonSource } from '../core/analysis/workspace-files';
import { isolated } from '../core/analysis/analysis-failure';
import { extractModuleFacts } from '../core/analysis/module-facts';
import { detached } from '../core/memory';
import type { GraphDiagnostic, GraphJson } from '../core/analysis/types';
import { Linter } from '../core/lint/engine';
import type { Finding, LintConfig } from '../core/lint/types';
import { findMigrationDirs } from '../core/lint/workspace';

export interface FolderSettings {
  config: LintConfig;
  /** Root-relative migrations folder for pipelines with no `migrations/` beside or above them. */
  migrationsDir: string | undefined;
}

export interface LoadOptions {
  /** Starts a facts worker thread; with `workers` > 0 the first index is spread over such threads. */
  startWorker?: () => Worker;
  workers?: number;
  /** Awaited between slices of the first index, so that requests are answered meanwhile. */
  pause?: () => Promise<void>;
  /** Files indexed so far of all found, after each slice. */
  progress?: (done: number, total: number) => void;
  /** Work between two pauses (default 15 ms). */
  sliceMs?: number;
}

export class FolderAnalysis {
  readonly index: WorkspaceIndex;
  readonly linter: Linter;
  /** Editor texts of open documents, by root-relative key; they win over the disk. */
  private readonly open = new Map<string, string>();
  /** Lint findings by root-relative key (.py and .sql files), as last computed. */
  private readonly findings = new Map<string, Finding[]>();
  private settings: FolderSettings;
  private graphDiagnostics: { graph: GraphJson; byFile: Map<string, GraphDiagnostic[]> } | undefined;
  private lineage: { graph: GraphJson; migrations: number; result: GraphJson } | undefined;
  /** During the first index: files not read yet, and those of them to read first (what open files import). */
  private unread: Set<string> | undefined;
  private urgent: string[] = [];
  /** The first index is in (load() finished). */
  private loaded = false;

  constructor(
    /** Absolute folder path. */
    readonly root: string,
    /** The folder's URI as the client named it. */
    readonly uri: string,
    settings: FolderSettings,
  ) {
    this.settings = settings;
    this.index = new WorkspaceIndex({ root });
    // Syntax errors come once, from the index's graph diagnostics (the same parse).
    this.linter = new Linter({ index: this.index, config: settings.config, ...(settings.migrationsDir ? { defaultMigrationsDir: settings.migrationsDir } : {}), syntaxErrors: false, keepTrees: false });
  }

  /** The URI of a file of the folder, spelled from the folder's URI as the client gave it (clients match by URI). */
  uriOf(key: string): string {
    return `${this.uri.replace(/\/+$/, '')}/${key.split('/').map(encodeURIComponent).join('/')}`;
  }

  /** Root-relative key of an absolute path inside the folder, else undefined. */
  keyOf(absolute: string): string | undefined {
    const relative = path.relative(this.root, absolute);
    if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
    return relative.split(path.sep).join('/');
  }

  /**
   * The graph as clients get it: the index's graph with its `tables` section (data lineage, each
   * table with its CREATE TABLE from the migrations), kept until the graph or a migration changes.
   */
  graph(): GraphJson {
    const graph = this.index.graph();
    const migrations = this.linter.migrationsVersion;
    if (this.lineage?.graph !== graph || this.lineage.migrations !== migrations) {
      this.lineage = { graph, migrations, result: withLineage(graph, (file) => this.linter.schemaFor(file)) };
    }
    return this.lineage.result;
  }

  /**
   * Reads and indexes every .py file and every migration. On this thread the files go in slices
   * with a pause between them; the modules that open documents import come first, so an open
   * file's tasks resolve (lenses, hover) long before the rest of a large folder is in.
   */
  async load(options: LoadOptions = {}): Promise<void> {
    try {
      if (options.startWorker && options.workers) {
        // Bulk files keep facts only (no tree, no text): memory stays flat on large folders.
        await indexWorkspaceParallel(this.root, { index: this.index, keepTrees: false, startWorker: options.startWorker, workers: options.workers });
      } else {
        await this.loadInSlices(options);
      }
      // The files the editor opens are set with their text and tree, so typing re-parses only what changed.
      for (const [key, text] of this.open) if (key.endsWith('.py')) this.index.setFile(key, text);
      this.loadMigrations();
    } finally {
      this.loaded = true;
    }
  }

  /**
   * Whether the first index is still under way, or has not begun (the folder's settings are being
   * read): the graph of the files opened meanwhile is not the folder's graph yet.
   */
  get loading(): boolean {
    return !this.loaded;
  }

  private async loadInSlices({ pause, progress, sliceMs = 15 }: LoadOptions): Promise<void> {
    const all = findPythonFiles(this.root).map((file) => this.keyOf(file)).filter((key): key is string => key !== undefined);
    this.unread = new Set(all);
    for (const key of this.open.keys()) this.readFirst(key);
    let next = 0;
    let done = 0;
    let sliceStart = performance.now();
    try {
      for (;;) {
        let key = this.urgent.pop();
        while (key === undefined && next < all.length) {
          const candidate = all[next++]!;
          if (this.unread.has(candidate)) key = candidate;
        }
        if (key === undefined) break;
        if (!this.unread.delete(key)) continue;
        done++;
        if (!this.open.has(key)) this.indexFromDisk(key);
        this.readFirst(key);
        if (pause && performance.now() - sliceStart >= sliceMs) {
          progress?.(done, all.length);
          await pause();
          sliceStart = performance.now();
        }
      }
      progress?.(all.length, all.length);
    } finally {
      this.unread = undefined;
      this.urgent = [];
    }
  }

  /** During the first index: the modules `key` imports are read next. */
  private readFirst(key: string): void {
    const facts = this.unread && this.index.facts(key);
    if (!facts) return;
    for (const candidate of importCandidates(key, facts)) if (this.unread!.has(candidate)) this.urgent.push(candidate);
  }

  /** Facts only, as fresh strings: neither the text nor a tree stays in memory. */
  private indexFromDisk(key: string): void {
    let source: ReturnType<typeof readPythonSource>;
    try {
      source = readPythonSource(path.join(this.root, key));
    } catch (error) {
      source = { skipped: `Skipped: could not be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
    }
    if ('skipped' in source) {
      this.index.markSkipped(key, source.skipped);
      return;
    }
    const text = source.text;
    const analysed = isolated(() => detached(extractModuleFacts(text)));
    if ('failed' in analysed) this.index.markFailed(key, analysed.failed);
    else this.index.setFacts(key, analysed.value);
  }

  private loadMigrations(): void {
    const dirs = new Set(findMigrationDirs(this.root));
    if (this.settings.migrationsDir) dirs.add(this.settings.migrationsDir);
    for (const dir of dirs) {
      let names: string[];
      try {
        names = readdirSync(path.join(this.root, dir)).filter((n) => n.toLowerCase().endsWith('.sql'));
      } catch {
        continue;
      }
      for (const name of names) {
        const key = `${dir}/${name}`;
        const text = this.open.get(key) ?? readText(path.join(this.root, key));
        if (text !== undefined) this.linter.setMigration(key, text);
      }
    }
  }

  setSettings(settings: FolderSettings): void {
    this.settings = settings;
    this.linter.setConfig(settings.config, settings.migrationsDir);
    this.loadMigrations();
  }

  isMigration(key: string): boolean {
    if (!key.toLowerCase().endsWith('.sql')) return false;
    const dir = key.includes('/') ? key.slice(0, key.lastIndexOf('/')) : '';
    return dir === 'migrations' || dir.endsWith('/migrations') || (this.settings.migrationsDir !== undefined && dir === this.settings.migrationsDir);
  }

  // ---- texts ----

  /** An open document's text (didOpen, didChange). Returns whether the analysis took it (a .py or migration file). */
  setOpenText(key: string, text: string): boolean {
    if (key.endsWith('.py')) {
      this.open.set(key, text);
      this.index.setFile(key, text);
      this.unread?.delete(key);
      this.readFirst(key);
      return true;
    }
    if (this.isMigration(key)) {
      this.open.set(key, text);
      this.linter.setMigration(key, text);
      return true;
    }
    return false;
  }

  /** A document closed: the disk's text counts again. */
  closeText(key: string): void {
    if (!this.open.delete(key)) return;
    this.reloadFromDisk(key);
  }

  isOpen(key: string): boolean {
    return this.open.has(key);
  }

  /** A file changed, appeared or went away on disk (not open in the editor). */
  reloadFromDisk(key: string): void {
    if (this.open.has(key)) return;
    const absolute = path.join(this.root, key);
    if (key.endsWith('.py')) {
      this.unread?.delete(key);
      // A file no editor holds keeps facts only, like the first index's files.
      if (isFile(absolute)) this.indexFromDisk(key);
      else {
        this.index.removeFile(key);
        this.linter.removePythonFile(key);
        this.findings.delete(key);
      }
    } else if (this.isMigration(key)) {
      const text = readText(absolute);
      if (text === undefined) this.linter.removeMigration(key);
      else this.linter.setMigration(key, text);
    }
  }

  // ---- lint ----

  /** Lints one Python file (its open text, the index's, or the disk's). */
  lintPython(key: string): Finding[] {
    if (!this.index.has(key)) {
      this.linter.removePythonFile(key);
      this.findings.delete(key);
      return [];
    }
    const text = this.open.get(key) ?? this.index.text(key) ?? textOf(readPythonSource(path.join(this.root, key)));
    const findings = text === undefined ? [] : this.linter.lintPythonFile(key, text);
    this.findings.set(key, findings);
    return findings;
  }

  /** Whether the last lint of `key` changed facts other files' findings depend on. */
  affectsOtherFiles(key: string): boolean {
    return this.linter.affectsOtherFiles(key);
  }

  /** Re-lints every migration folder; returns the migration files whose findings were (or are now) non-empty. */
  lintMigrations(): string[] {
    const byFile = new Map<string, Finding[]>();
    for (const dir of this.linter.migrationDirs()) for (const f of this.linter.lintMigrationDir(dir)) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
    const touched = new Set(byFile.keys());
    for (const key of [...this.findings.keys()]) {
      if (!key.endsWith('.py') && !byFile.has(key)) {
        this.findings.delete(key);
        touched.add(key);
      }
    }
    for (const [key, list] of byFile) this.findings.set(key, list);
    return [...touched];
  }

  findingsOf(key: string): readonly Finding[] {
    return this.findings.get(key) ?? [];
  }

  /** Files with lint findings or graph diagnostics now. */
  filesWithProblems(): string[] {
    const files = new Set<string>();
    for (const [key, list] of this.findings) if (list.length) files.add(key);
    for (const key of this.graphDiagnosticsByFile().keys()) files.add(key);
    return [...files];
  }

  graphDiagnosticsOf(key: string): readonly GraphDiagnostic[] {
    return this.graphDiagnosticsByFile().get(key) ?? [];
  }

  private graphDiagnosticsByFile(): Map<string, GraphDiagnostic[]> {
    const graph = this.index.graph();
    if (this.graphDiagnostics?.graph !== graph) {
      const byFile = new Map<string, GraphDiagnostic[]>();
      for (const d of graph.diagnostics) byFile.set(d.file, [...(byFile.get(d.file) ?? []), d]);
      this.graphDiagnostics = { graph, byFile };
    }
    return this.graphDiagnostics.byFile;
  }

  /** The text of a line (0-based) of a file, when an editor or the index holds the file's text. */
  lineText(key: string, line: number): string | undefined {
    // The index keeps no text for bulk-indexed files (keepTrees: false, or facts from the cache):
    // a file no editor holds is read from disk, only for the request that needs it.
    const text = this.open.get(key) ?? this.index.text(key) ?? this.diskText(key);
    if (text === undefined) return undefined;
    let start = 0;
    for (let i = 0; i < line; i++) {
      start = text.indexOf('\n', start) + 1;
      if (start === 0) return undefined;
    }
    const end = text.indexOf('\n', start);
    return text.slice(start, end === -1 ? text.length : end).replace(/\r$/, '');
  }

  private diskText(key: string): string | undefined {
    try {
      return textOf(readPythonSource(path.join(this.root, key)));
    } catch {
      return undefined;
    }
  }

  countsByTask(): Record<string, { error: number; warning: number; info: number }> {
    return Object.fromEntries(this.linter.countsByTask());
  }
}

function textOf(source: { text: string } | { skipped: string }): string | undefined {
  return 'text' in source ? source.text : undefined;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
