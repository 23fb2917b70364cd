// The lint engine shared by the CLI and the editor: Python files and migration folders in, findings
// (with quick fixes) out. Pure: it is handed texts and a WorkspaceIndex, never reads the disk.
// Incremental: a file is re-analysed only when its text, the task facts of its classes, its
// schema or the configuration changed.
import { analysisFailedMessage, ANALYSIS_FAILED, failureReason } from '../analysis/analysis-failure';
import type { ClassFacts, ModuleFacts } from '../analysis/module-facts';
import type { WorkspaceIndex } from '../analysis/workspace-index';
import { SPANNER_TASK_BASES } from '../python/spanner-api';
import { resolveConfig, type ResolvedConfig } from './config';
import { ddlFindings, type SequentialKeyWrite } from './ddl/rules';
import { buildSchema, type Schema } from './ddl/schema';
import type { ClassContext, RawFinding } from './engine-types';
import { extractModuleFacts, tryParse, type SyntaxErrorFacts } from '../analysis/module-facts';
import type { Tree } from '../analysis/python-parser';
import { lintPython, type PythonLintResult } from './python/analyzer';
import { isSuppressed, suppressionFix, suppressionsIn } from './suppression';
import { detached, hashText } from '../memory';
import type { Finding, LintConfig } from './types';
import type { StringExpr, StringValue } from '../python/string-expr';

/** Luigi bases that define neither output() nor complete() themselves. */
const BARE_TASK_BASES = new Set(['luigi.Task', 'luigi.task.Task', 'luigi.worker.Task', 'object']);

export interface LinterOptions {
  index: WorkspaceIndex;
  config?: LintConfig;
  /**
   * Root-relative migrations folder for files with no `migrations/` folder beside them or above
   * them (luigi-spanner.json `migrationsDir`, the luigiSpanner.migrationsDir setting).
   */
  defaultMigrationsDir?: string;
  /**
   * Report the parser's syntax errors as `syntax-error` findings (default true). The editor turns
   * it off: its analysis service already shows the same errors from the index's facts.
   */
  syntaxErrors?: boolean;
  /**
   * Keep the tree of a file parsed here (default true): a re-lint of the same text (a schema or
   * configuration change) then skips the parse. The language server turns it off for the files it
   * indexed in bulk, so a large workspace holds no tree per file.
   */
  keepTrees?: boolean;
}

interface PythonEntry {
  /** What the text was compared by: a hash, so that a large workspace holds no text per file. */
  textHash: string;
  /** Only with the tree kept (an incremental re-parse needs the text the tree was parsed from). */
  text: string | undefined;
  /** Only when this file's text was parsed here rather than taken from the index. */
  tree: Tree | undefined;
  syntaxErrors: Finding[];
  signature: string;
  /** The task facts of the file's own classes, which other files' results depend on. */
  contexts: string;
  contextsChanged: boolean;
  /** The findings with severity, suppressions and quick fixes applied (they need the text, which is not kept). */
  findings: Finding[];
  sequentialKeys: PythonLintResult['sequentialKeys'];
  migrationsDir: string | undefined;
  /**
   * The table names the lint asked the index for, with the answers it got: they may come from
   * other files (a constant imported, a base class), so the findings stand only while the same
   * questions get the same answers.
   */
  tableQueries: Array<{ className: string | undefined; expr: StringExpr }>;
  tableAnswers: string;
}

const parentOf = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');

export class Linter {
  private config: ResolvedConfig;
  private configVersion = 0;
  private readonly index: WorkspaceIndex;
  private defaultMigrationsDir: string | undefined;
  /** Migrations folder -> file -> text. */
  private readonly migrations = new Map<string, Map<string, string>>();
  private readonly schemas = new Map<string, { schema: Schema; version: number }>();
  private schemaVersion = 0;
  private readonly python = new Map<string, PythonEntry>();
  private readonly reportSyntaxErrors: boolean;
  private readonly keepTrees: boolean;
  private readonly classesByFacts = new WeakMap<ModuleFacts, Map<string, ClassFacts>>();

  constructor(options: LinterOptions) {
    this.index = options.index;
    this.reportSyntaxErrors = options.syntaxErrors ?? true;
    this.keepTrees = options.keepTrees ?? true;
    this.config = resolveConfig(options.config);
    this.defaultMigrationsDir = options.defaultMigrationsDir;
  }

  setConfig(config: LintConfig, defaultMigrationsDir?: string): void {
    this.config = resolveConfig(config);
    this.configVersion++;
    if (defaultMigrationsDir !== this.defaultMigrationsDir) {
      this.defaultMigrationsDir = defaultMigrationsDir;
      this.schemaVersion++;
    }
  }

  get mutationLimit(): number {
    return this.config.mutationLimit;
  }

  // ---- migrations ----

  /** Sets a migration file (root-relative .sql path); its folder is a migrations folder. */
  setMigration(file: string, text: string): void {
    const dir = parentOf(file);
    let files = this.migrations.get(dir);
    if (!files) this.migrations.set(dir, (files = new Map()));
    if (files.get(file) === text) return;
    files.set(file, text);
    this.schemas.delete(dir);
    this.schemaVersion++;
  }

  removeMigration(file: string): boolean {
    const dir = parentOf(file);
    const files = this.migrations.get(dir);
    if (!files?.delete(file)) return false;
    if (files.size === 0) this.migrations.delete(dir);
    this.schemas.delete(dir);
    this.schemaVersion++;
    return true;
  }

  /** Changes whenever a migration, a migrations folder or the default folder changes. */
  get migrationsVersion(): number {
    return this.schemaVersion;
  }

  migrationDirs(): string[] {
    return [...this.migrations.keys()].sort();
  }

  /** The migrations folder whose schema applies to `file`: the nearest `migrations/` beside or above it. */
  migrationsDirFor(file: string): string | undefined {
    for (let folder = parentOf(file); ; folder = parentOf(folder)) {
      const candidate = folder ? `${folder}/migrations` : 'migrations';
      if (this.migrations.has(candidate)) return candidate;
      if (!folder) break;
    }
    return this.defaultMigrationsDir !== undefined && this.migrations.has(this.defaultMigrationsDir) ? this.defaultMigrationsDir : undefined;
  }

  /** The schema of the migrations folder that applies to `file` (see migrationsDirFor). */
  schemaFor(file: string): Schema | undefined {
    const dir = this.migrationsDirFor(file);
    return dir === undefined ? undefined : this.schema(dir);
  }

  schema(dir: string): Schema | undefined {
    const files = this.migrations.get(dir);
    if (!files) return undefined;
    let cached = this.schemas.get(dir);
    if (!cached) {
      cached = { schema: buildSchema([...files].map(([file, text]) => ({ file, text }))), version: this.schemaVersion };
      this.schemas.set(dir, cached);
    }
    return cached.schema;
  }

  // ---- Python ----

  /**
   * Findings of one Python file (root-relative path) with the given text. Never throws: a file
   * whose analysis fails gets one analysis-failed finding, and other files are linted as usual.
   */
  lintPythonFile(file: string, text: string): Finding[] {
    try {
      return this.lintPythonFileUnguarded(file, text);
    } catch (error) {
      this.python.delete(this.index.key(file));
      const message = analysisFailedMessage(failureReason(error));
      return [{ code: ANALYSIS_FAILED, severity: 'error', file: this.index.key(file), line: 1, column: 1, endLine: 1, endColumn: 1, message }];
    }
  }

  private lintPythonFileUnguarded(file: string, text: string): Finding[] {
    const key = this.index.key(file);
    const migrationsDir = this.migrationsDirFor(key);
    const contexts = this.classContexts(key);
    const contextsText = JSON.stringify([...contexts]);
    const signature = `${this.configVersion}|${migrationsDir ?? ''}|${migrationsDir ? this.schemaStamp(migrationsDir) : ''}|${contextsText}`;
    let entry = this.python.get(key);
    const previousContexts = entry?.contexts;
    const textHash = hashText(text);
    if (!entry || entry.textHash !== textHash || entry.signature !== signature || !this.sameTableAnswers(key, entry)) {
      let tableQueries: PythonEntry['tableQueries'] = [];
      const answers: StringValue[] = [];
      const schema = migrationsDir ? this.schema(migrationsDir) : undefined;
      const parsed = entry?.textHash === textHash && entry.tree ? { tree: entry.tree, syntaxErrors: entry.syntaxErrors, own: entry.tree } : this.parse(key, text, entry);
      const { tree } = parsed;
      // A file the parser gave up on (nesting deeper than its stack) has no tree: only its errors.
      const result = !tree ? { findings: [], sequentialKeys: [] } : lintPython({
        file: key,
        text,
        tree,
        classContext: (name) => contexts.get(name) ?? { isTask: false, spannerTask: false, hasCompletionCheck: false },
        isTaskReference: (parts) => this.isTaskReference(key, parts),
        tableNames: (expr, className) => {
          const answer = this.index.stringValue(key, className, expr);
          tableQueries.push({ className, expr });
          answers.push(answer);
          return answer;
        },
        ...(schema ? { schema } : {}),
        ...(migrationsDir !== undefined ? { migrationsDir } : {}),
        mutationLimit: this.config.mutationLimit,
        enabled: (code) => this.config.severity.has(code),
      });
      const kept = this.keepTrees ? parsed.own : undefined;
      let findings = this.finish(result.findings, key, text, '#');
      let sequentialKeys = result.sequentialKeys;
      // Without the text kept, strings cut from it (names, quick-fix texts) would keep all of it alive.
      if (!this.keepTrees) [findings, sequentialKeys, tableQueries] = detached([findings, sequentialKeys, tableQueries]);
      entry = { textHash, text: kept ? text : undefined, tree: kept, syntaxErrors: parsed.syntaxErrors, signature, contexts: contextsText, contextsChanged: previousContexts !== contextsText, findings, sequentialKeys, migrationsDir, tableQueries, tableAnswers: JSON.stringify(answers) };
      this.python.set(key, entry);
    } else entry.contextsChanged = false;
    return entry.syntaxErrors.length ? [...entry.syntaxErrors, ...entry.findings].sort(compareFindings) : entry.findings;
  }

  /** Whether the table names a file's last lint asked for still resolve as they did then. */
  private sameTableAnswers(key: string, entry: PythonEntry): boolean {
    if (entry.tableQueries.length === 0) return true;
    return JSON.stringify(entry.tableQueries.map((q) => this.index.stringValue(key, q.className, q.expr))) === entry.tableAnswers;
  }

  /**
   * The tree and syntax errors of `text`. One parse per file version: when the index holds this
   * very text, its tree and facts serve (the usual case: the CLI and the editor set the index
   * first). Otherwise (an index fed from the facts cache or workers, or a text the index has not
   * seen) the file is parsed here, incrementally over the previous tree when there is one.
   */
  private parse(key: string, text: string, previous: PythonEntry | undefined): { tree: Tree | undefined; syntaxErrors: Finding[]; own: Tree | undefined } {
    const indexed = this.index.text(key);
    if (indexed === text) return { tree: this.index.tree(key), syntaxErrors: this.syntaxFindings(key, this.index.facts(key)?.syntaxErrors ?? []), own: undefined };
    const tree = tryParse(text, previous?.tree && previous.text !== undefined ? { text: previous.text, tree: previous.tree } : undefined);
    // Facts from the cache or a worker describe the file as read from disk, which is this text
    // when the index has no text of its own (the CLI reads the same file).
    const facts = indexed === undefined ? this.index.facts(key) : undefined;
    const errors = !this.reportSyntaxErrors ? [] : (facts ?? extractModuleFacts(text, tree)).syntaxErrors;
    return { tree, syntaxErrors: this.syntaxFindings(key, errors), own: tree };
  }

  private syntaxFindings(file: string, errors: readonly SyntaxErrorFacts[]): Finding[] {
    if (!this.reportSyntaxErrors) return [];
    return errors.map((e) => ({ code: 'syntax-error', severity: 'error', file, line: e.line, column: e.column + 1, endLine: e.line, endColumn: e.column + 2, message: e.message }));
  }

  /**
   * Whether the last lint of `file` saw its classes' task facts change (a class added, renamed,
   * made a task): only then can other files' findings change with it.
   */
  affectsOtherFiles(file: string): boolean {
    return this.python.get(this.index.key(file))?.contextsChanged ?? true;
  }

  removePythonFile(file: string): void {
    this.python.delete(this.index.key(file));
  }

  /** Findings on the migration files of one folder (LS101, LS103, LS104). */
  lintMigrationDir(dir: string): Finding[] {
    const schema = this.schema(dir);
    if (!schema) return [];
    const sequential: SequentialKeyWrite[] = [];
    for (const entry of this.python.values()) if (entry.migrationsDir === dir) sequential.push(...entry.sequentialKeys);
    const raw = ddlFindings(schema, sequential, (code) => this.config.severity.has(code));
    const findings: Finding[] = [];
    for (const file of schema.files) findings.push(...this.finish(raw.filter((f) => f.file === file.file), file.file, file.text, '--'));
    return findings;
  }

  /** Counts of findings per task id over the Python files linted so far (graph badges). */
  countsByTask(): Map<string, { error: number; warning: number; info: number }> {
    const counts = new Map<string, { error: number; warning: number; info: number }>();
    for (const entry of this.python.values()) {
      for (const finding of entry.findings) {
        if (!finding.taskId) continue;
        const c = counts.get(finding.taskId) ?? { error: 0, warning: 0, info: 0 };
        c[finding.severity]++;
        counts.set(finding.taskId, c);
      }
    }
    return counts;
  }

  private schemaStamp(dir: string): number {
    // Any change to any migration folder bumps the version; cheap and safe.
    void dir;
    return this.schemaVersion;
  }

  /** Severity, disabled rules, suppression comments, and the suppression quick fix. */
  private finish(raw: RawFinding[], file: string, text: string, commentPrefix: '#' | '--'): Finding[] {
    const suppressions = suppressionsIn(text);
    const findings: Finding[] = [];
    for (const f of raw) {
      const severity = this.config.severity.get(f.code);
      if (!severity) continue;
      const lines = f.suppressionLines ?? [f.line];
      if (isSuppressed(suppressions, f.code, lines)) continue;
      const { suppressionLines: _lines, suppressionFixLine, fixes, ...rest } = f;
      const all = [...(fixes ?? []), suppressionFix(file, text, suppressionFixLine ?? f.line, f.code, commentPrefix)];
      findings.push({ ...rest, severity, fixes: all });
    }
    return findings.sort(compareFindings);
  }

  // ---- facts from the workspace index ----

  private classContexts(file: string): Map<string, ClassContext> {
    const contexts = new Map<string, ClassContext>();
    const facts = this.index.facts(file);
    if (!facts) return contexts;
    const tasks = new Map(this.index.tasksInFile(file).map((t) => [t.name, t]));
    for (const cls of facts.classes) {
      const task = tasks.get(cls.name);
      if (!task) {
        contexts.set(cls.name, { isTask: false, spannerTask: false, hasCompletionCheck: false });
        continue;
      }
      const lineage = this.lineage(file, cls.name);
      contexts.set(cls.name, {
        isTask: true,
        kind: task.kind,
        taskId: task.id,
        spannerTask: lineage.externals.some((e) => SPANNER_TASK_BASES.has(e)),
        hasCompletionCheck: task.outputs.length > 0 || lineage.definesComplete || lineage.externals.some((e) => !BARE_TASK_BASES.has(e) && !SPANNER_TASK_BASES.has(e)),
      });
    }
    return contexts;
  }

  /**
   * External bases (qualified) and whether any class in the chain defines complete(). Depth
   * first in base order, iterative: generated code can have inheritance chains thousands long.
   */
  private lineage(file: string, className: string): { externals: string[]; definesComplete: boolean } {
    const result = { externals: [] as string[], definesComplete: false };
    const seen = new Set<string>();
    const pending: Array<{ file: string; name: string }> = [{ file, name: className }];
    // Bounded like the graph's own inheritance walk (graph-builder.ts MAX_INHERITANCE_DEPTH).
    while (pending.length > 0 && seen.size < 1000) {
      const next = pending.pop()!;
      const key = `${next.file}#${next.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const cls = this.classNamed(next.file, next.name);
      if (!cls) continue;
      if (cls.methods.some((m) => m.name === 'complete')) result.definesComplete = true;
      const bases: Array<{ file: string; name: string }> = [];
      for (const base of cls.bases) {
        if (!base.parts) continue;
        const resolved = this.index.resolveBase(next.file, cls, base.parts);
        if (resolved.kind === 'external') result.externals.push(resolved.qualifiedName);
        else if (resolved.kind === 'class') bases.push({ file: resolved.file, name: resolved.cls.name });
      }
      pending.push(...bases.reverse());
    }
    return result;
  }

  /** A class of an indexed file by name (a map per file version: files can define thousands). */
  private classNamed(file: string, name: string): ClassFacts | undefined {
    const facts = this.index.facts(file);
    if (!facts) return undefined;
    let byName = this.classesByFacts.get(facts);
    if (!byName) {
      byName = new Map(facts.classes.map((c) => [c.name, c]));
      this.classesByFacts.set(facts, byName);
    }
    return byName.get(name);
  }

  private isTaskReference(file: string, parts: string[]): boolean {
    const resolved = this.index.resolve(file, parts);
    return resolved.kind === 'class' && this.index.isTask(resolved.file, resolved.cls.name);
  }
}

export function compareFindings(a: Finding, b: Finding): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code);
}

