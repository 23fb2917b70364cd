// What a Python rule works with: the file's model, its Spanner use and value flow, plus the
// helpers several rules share (reporting, what a task's methods reach, the commit units of a
// write). One context per file version; rules add findings through report().
import { LineIndex } from '../../analysis/python-parser';
import type { Schema } from '../ddl/schema';
import type { ClassContext, RawFinding } from '../engine-types';
import type { ClassModel, FileModel, FunctionScope } from '../python/file-model';
import { Flow } from '../python/flow';
import { SpannerModel, type Unit, type WriteSite } from '../python/spanner-model';
import { statementOf, stringValue, type CallParts, type SyntaxNode } from '../../python/syntax';
import type { QuickFix, RuleCode, TextEdit } from '../types';
import type { TableNameResolver } from '../../analysis/table-names';

export interface PythonFileInput {
  /** Root-relative path. */
  file: string;
  text: string;
  /** Task facts about a class defined in this file (from the workspace index). */
  classContext: (className: string) => ClassContext;
  /** Whether a dotted name written at module level names a task class (any file). */
  isTaskReference?: (parts: string[]) => boolean;
  /**
   * Table names that are not literals, resolved as the graph resolves them (analysis/table-names.ts,
   * across files); without it (a file linted on its own) only this file's constants are followed.
   */
  tableNames?: TableNameResolver;
  schema?: Schema;
  /** Root-relative migrations folder of this file's schema, for the new-migration fix. */
  migrationsDir?: string;
  mutationLimit: number;
}

/** The methods through which Luigi runs a task's code. */
const TASK_ROOT_METHODS = ['run', 'write', 'mutations', 'requires', 'output', 'complete', 'update_id'];

export class PythonContext {
  readonly spanner: SpannerModel;
  readonly flow: Flow;
  readonly lines: LineIndex;
  /** Classes of this file that are Luigi tasks. */
  readonly tasks: ClassModel[];
  private readonly findings = new Map<string, RawFinding>();
  private readonly unitMemo = new Map<WriteSite, Unit[]>();
  private readonly reachMemo = new Map<FunctionScope, Map<FunctionScope, CallParts | null>>();
  private readonly shared = new Map<string, unknown>();

  constructor(
    readonly input: PythonFileInput,
    readonly model: FileModel,
  ) {
    this.spanner = new SpannerModel(model, input.classContext, input.tableNames);
    this.flow = new Flow(this.spanner);
    this.lines = new LineIndex(input.text);
    this.tasks = model.classes.filter((c) => this.spanner.contextOf(c)?.isTask);
  }

  get file(): string {
    return this.input.file;
  }

  get schema(): Schema | undefined {
    return this.input.schema;
  }

  /** Findings so far, in the order reported (one per code and start offset). */
  result(): RawFinding[] {
    return [...this.findings.values()];
  }

  /** A value several rules derive from the same file, computed once. */
  memo<T>(key: string, make: () => T): T {
    if (!this.shared.has(key)) this.shared.set(key, make());
    return this.shared.get(key) as T;
  }

  text(node: SyntaxNode): string {
    return this.model.src.of(node);
  }

  /** The commits (units) a write belongs to. */
  units(write: WriteSite): Unit[] {
    let units = this.unitMemo.get(write);
    if (!units) {
      units = this.spanner.unitsOf(write);
      this.unitMemo.set(write, units);
    }
    return units;
  }

  report(code: RuleCode, node: SyntaxNode, message: string, options: { from?: number; to?: number; cls?: ClassModel; fixes?: QuickFix[] } = {}): void {
    const from = options.from ?? node.from;
    const to = options.to ?? node.to;
    const key = `${code}:${from}`;
    if (this.findings.has(key)) return;
    const line = this.lines.line(from);
    const statement = statementOf(node);
    const candidates = [...new Set([line, this.lines.line(statement.from), this.lines.line(statement.to)])];
    const taskId = options.cls ? this.spanner.contextOf(options.cls)?.taskId : this.taskIdAt(from);
    this.findings.set(key, {
      code,
      file: this.input.file,
      line,
      column: this.lines.column(from) + 1,
      endLine: this.lines.line(to),
      endColumn: this.lines.column(to) + 1,
      message,
      ...(taskId ? { taskId } : {}),
      suppressionLines: candidates,
      suppressionFixLine: candidates.find((l) => !this.lineEndsInString(l)) ?? line,
      ...(options.fixes?.length ? { fixes: options.fixes } : {}),
    });
  }

  /** Whether the end of a line is inside a (multi-line) string, where a comment cannot go. */
  private lineEndsInString(line: number): boolean {
    const next = this.lines.lineStart(line + 1);
    const end = Math.max(this.lines.lineStart(line), next - 1);
    for (let n: SyntaxNode | null = this.model.tree.resolveInner(end, -1); n; n = n.parent) {
      if ((n.name === 'String' || n.name === 'FormatString') && n.to > end) return true;
    }
    return false;
  }

  /** The task class whose text contains `offset`, if any. */
  taskAt(offset: number): ClassModel | undefined {
    return this.model.classes.find((c) => c.node.from <= offset && offset < c.node.to && this.spanner.contextOf(c)?.isTask);
  }

  private taskIdAt(offset: number): string | undefined {
    const cls = this.taskAt(offset);
    return cls ? this.spanner.contextOf(cls)?.taskId : undefined;
  }

  position(offset: number) {
    return { line: this.lines.line(offset), column: this.lines.column(offset) + 1 };
  }

  edit(from: number, to: number, newText: string): TextEdit {
    return { file: this.input.file, range: { start: this.position(from), end: this.position(to) }, newText };
  }

  /**
   * Functions `root` runs, each with the call in `root`'s own code (or a function nested in it)
   * through which it is reached; null for those lexically inside `root`.
   */
  reach(root: FunctionScope): Map<FunctionScope, CallParts | null> {
    let cached = this.reachMemo.get(root);
    if (!cached) {
      cached = this.computeReach(root);
      this.reachMemo.set(root, cached);
    }
    return cached;
  }

  private computeReach(root: FunctionScope): Map<FunctionScope, CallParts | null> {
    const reached = new Map<FunctionScope, CallParts | null>([[root, null]]);
    const queue: FunctionScope[] = [root];
    const local = (s: FunctionScope) => {
      for (let p: FunctionScope | undefined = s; p; p = p.parent) if (p === root) return true;
      return false;
    };
    for (let next = 0; next < queue.length; next++) {
      const scope = queue[next]!;
      const entry = reached.get(scope) ?? null;
      for (const call of scope.calls) {
        const targets = this.spanner.resolveCall(call, scope).map((r) => r.target);
        if (call.method === 'run_in_transaction') {
          const fn = this.spanner.callableTarget(call.positional[0] ?? call.keywords.get('func'), scope);
          if (fn) targets.push(fn.target);
        }
        for (const target of targets) {
          if (reached.has(target)) continue;
          reached.set(target, local(target) ? null : entry ?? call);
          queue.push(target);
        }
      }
      // Lambdas and nested functions passed around run where they are passed.
      for (const nested of scope.nested) {
        if (nested.kind === 'lambda' && !reached.has(nested)) {
          reached.set(nested, local(nested) ? null : entry);
          queue.push(nested);
        }
      }
    }
    return reached;
  }

  /** Every function the task's methods run, once each. */
  classReach(cls: ClassModel): Set<FunctionScope> {
    const scopes = new Set<FunctionScope>();
    for (const name of TASK_ROOT_METHODS) {
      const root = cls.methods.get(name);
      if (root) for (const scope of this.reach(root).keys()) scopes.add(scope);
    }
    return scopes;
  }

  /** Scopes run by the tasks' methods that write or commit (run, write, mutations), with their task. */
  taskReach(methods: readonly string[] = ['run', 'write', 'mutations']): Map<FunctionScope, ClassModel> {
    return this.memo(`taskReach:${methods.join(',')}`, () => {
      const result = new Map<FunctionScope, ClassModel>();
      for (const cls of this.tasks) {
        for (const name of methods) {
          const method = cls.methods.get(name);
          if (!method) continue;
          for (const scope of this.reach(method).keys()) if (!result.has(scope)) result.set(scope, cls);
        }
      }
      return result;
    });
  }

  isDataWrite(write: WriteSite): boolean {
    return !this.spanner.isMarkerTable(write.table);
  }

  /** Whether an open()-like call opens for writing (`mode=` or its first argument). */
  isWriteMode(call: CallParts): boolean {
    const mode = call.keywords.get('mode') ?? call.positional[0];
    const value = mode && stringValue(mode, this.model.src)?.text;
    return !!value && /[wax+]/.test(value);
  }
}
