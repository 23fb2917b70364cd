// The Python rules (LS001-LS012, LS102) over one file. Each rule reads the SpannerModel (what
// writes, what commits, which commit a write belongs to) and the Flow (where values come from).
import { LineIndex, type Tree } from '../../analysis/python-parser';
import type { SequentialKeyWrite } from '../ddl/rules';
import type { Schema } from '../ddl/schema';
import type { ClassContext, RawFinding } from '../engine-types';
import type { QuickFix, RuleCode, TextEdit } from '../types';
import { FileModel, type ClassModel, type FunctionScope } from './file-model';
import { Flow, type Origin, type SourceKind } from './flow';
import { SpannerModel, type Unit, type WriteSite } from './spanner-model';
import { isClockFunction, isCommitTimestampFunction, isRandomFunction } from './sql';
import { children, pieceOffset, sequenceElements, statementOf, stringValue, type CallParts, type SyntaxNode } from './syntax';

export interface PythonLintInput {
  /** Root-relative path. */
  file: string;
  text: string;
  tree?: Tree;
  /** Task facts about a class defined in this file (from the workspace index). */
  classContext: (className: string) => ClassContext;
  /** Whether a dotted name written at module level names a task class (any file). */
  isTaskReference?: (parts: string[]) => boolean;
  schema?: Schema;
  /** Root-relative migrations folder of this file's schema, for the new-migration fix. */
  migrationsDir?: string;
  mutationLimit: number;
}

export interface PythonLintResult {
  findings: RawFinding[];
  sequentialKeys: SequentialKeyWrite[];
}

const CLOCKS: ReadonlySet<SourceKind> = new Set(['clock', 'date-clock']);
const RANDOMS: ReadonlySet<SourceKind> = new Set(['random']);
const COMMIT_TS: ReadonlySet<SourceKind> = new Set(['commit-ts']);
const UNBOUNDED: ReadonlySet<SourceKind> = new Set(['unbounded']);
const COUNTERS: ReadonlySet<SourceKind> = new Set(['counter']);
const TASK_PARAMS: ReadonlySet<SourceKind> = new Set(['task-param']);
const WINDOW_PARAMETERS = /(^|\.)(DateParameter|DateHourParameter|DateMinuteParameter|DateSecondParameter|DateIntervalParameter|MonthParameter|YearParameter)$/;
const PARAMETER_CALL = /(^|\.)\w*Parameter$/;
const MUTATING_METHODS = new Set(['append', 'extend', 'add', 'update', 'insert', 'pop', 'remove', 'clear', 'setdefault', 'discard', 'appendleft', 'popleft', 'sort', 'reverse']);
const SIDE_EFFECT_CALLS = /^(requests|httpx|aiohttp|urllib\.request|urllib3|http\.client|smtplib|socket|subprocess|shutil|boto3|paramiko|ftplib)\.|^os\.(system|remove|unlink|rename|replace|makedirs|mkdir|rmdir|removedirs|popen|spawn\w*|kill)$|^builtins\.(input)$/;
const SIDE_EFFECT_METHODS = new Set(['publish', 'send_message', 'send_messages', 'put_object', 'put_record', 'put_records', 'upload_file', 'upload_fileobj', 'upload_from_filename', 'upload_from_string', 'upload_from_file', 'write_text', 'write_bytes', 'touch', 'sendall', 'sendmail', 'send_message_batch', 'produce', 'post', 'urlopen', 'unlink', 'mkdir', 'rename', 'rmdir', 'delete_blob']);
const TASK_ROOT_METHODS = ['run', 'write', 'mutations', 'requires', 'output', 'complete', 'update_id'];

export function lintPython(input: PythonLintInput): PythonLintResult {
  return new Analyzer(input).run();
}

class Analyzer {
  private readonly model: FileModel;
  private readonly spanner: SpannerModel;
  private readonly flow: Flow;
  private readonly lines: LineIndex;
  private readonly findings = new Map<string, RawFinding>();
  private readonly sequentialKeys: SequentialKeyWrite[] = [];
  private readonly unitMemo = new Map<WriteSite, Unit[]>();
  private readonly reachMemo = new Map<FunctionScope, Map<FunctionScope, CallParts | null>>();

  constructor(private readonly input: PythonLintInput) {
    this.model = new FileModel(input.text, input.tree);
    this.spanner = new SpannerModel(this.model, input.classContext);
    this.flow = new Flow(this.spanner);
    this.lines = new LineIndex(input.text);
  }

  run(): PythonLintResult {
    const tasks = this.model.classes.filter((c) => this.spanner.contextOf(c)?.isTask);
    for (const cls of tasks) {
      const context = this.spanner.contextOf(cls)!;
      const run = cls.methods.get('run');
      if (run && context.kind !== 'wrapper' && context.kind !== 'external') {
        this.markerOutsideTransaction(cls, run);
        this.commitSequence(cls, run);
      }
      this.noCompletionCheck(cls, context);
      this.clockInTaskDefinition(cls);
      this.windowParameters(cls);
    }
    this.plainInserts(tasks);
    this.writtenValues(tasks);
    this.mutationLimit();
    this.transactionFunctions();
    this.schemaChanges(tasks);
    this.successHandlers();
    return { findings: [...this.findings.values()], sequentialKeys: this.sequentialKeys };
  }

  // ---- helpers ----

  private text(node: SyntaxNode): string {
    return this.model.src.of(node);
  }

  private units(write: WriteSite): Unit[] {
    let units = this.unitMemo.get(write);
    if (!units) {
      units = this.spanner.unitsOf(write);
      this.unitMemo.set(write, units);
    }
    return units;
  }

  private report(code: RuleCode, node: SyntaxNode, message: string, options: { from?: number; to?: number; cls?: ClassModel; fixes?: QuickFix[] } = {}): void {
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

  private taskIdAt(offset: number): string | undefined {
    const cls = this.model.classes.find((c) => c.node.from <= offset && offset < c.node.to && this.spanner.contextOf(c)?.isTask);
    return cls ? this.spanner.contextOf(cls)?.taskId : undefined;
  }

  private position(offset: number) {
    return { line: this.lines.line(offset), column: this.lines.column(offset) + 1 };
  }

  private edit(from: number, to: number, newText: string): TextEdit {
    return { file: this.input.file, range: { start: this.position(from), end: this.position(to) }, newText };
  }

  /**
   * Functions `root` runs, each with the call in `root`'s own code (or a function nested in it)
   * through which it is reached; null for those lexically inside `root`.
   */
  private reach(root: FunctionScope): Map<FunctionScope, CallParts | null> {
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
    while (queue.length) {
      const scope = queue.shift()!;
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

  private taskRoots(cls: ClassModel): FunctionScope[] {
    return TASK_ROOT_METHODS.map((m) => cls.methods.get(m)).filter((m): m is FunctionScope => !!m);
  }

  /** Every function the task's methods run, once each. */
  private classReach(cls: ClassModel): Set<FunctionScope> {
    const scopes = new Set<FunctionScope>();
    for (const root of this.taskRoots(cls)) for (const scope of this.reach(root).keys()) scopes.add(scope);
    return scopes;
  }

  /** Scopes run by the tasks' methods that write or commit (run, write, mutations). */
  private taskReach(tasks: ClassModel[], methods = ['run', 'write', 'mutations']): Map<FunctionScope, ClassModel> {
    const result = new Map<FunctionScope, ClassModel>();
    for (const cls of tasks) {
      for (const name of methods) {
        const method = cls.methods.get(name);
        if (!method) continue;
        for (const scope of this.reach(method).keys()) if (!result.has(scope)) result.set(scope, cls);
      }
    }
    return result;
  }

  private isDataWrite(write: WriteSite): boolean {
    return !this.spanner.isMarkerTable(write.table);
  }

  // ---- LS001 ----

  private markerOutsideTransaction(cls: ClassModel, run: FunctionScope): void {
    const reached = this.reach(run);
    const writes = this.spanner.writes.filter((w) => reached.has(w.scope));
    const dataWrites = writes.filter((w) => this.isDataWrite(w));
    if (dataWrites.length === 0) return;
    const dataUnits = new Set(dataWrites.flatMap((w) => this.units(w).map((u) => u.key)));
    const at = (scope: FunctionScope, node: SyntaxNode) => reached.get(scope)?.node ?? node;
    const outputTarget = this.describeOutput(cls);

    for (const [scope, entry] of reached) {
      for (const call of scope.calls) {
        // self.output().touch() / .open("w") / open(self.output().path, "w"): a commit of its
        // own, or no Spanner commit at all.
        const writesOutputFile = this.spanner.qualify(call.callee, scope) === 'builtins.open' && this.isWriteMode({ ...call, positional: call.positional.slice(1) }) && this.namesOutput(call.positional[0], scope);
        if (writesOutputFile || ((call.method === 'touch' || (call.method === 'open' && this.isWriteMode(call))) && this.spanner.objectKind(call.receiver, scope) === 'output')) {
          const node = entry?.node ?? call.node;
          this.report('LS001', node, `${cls.name} writes Spanner data but records completion with ${this.text(call.node).replace(/\s+/g, ' ')}${outputTarget}, which does not commit with that data: a crash in between leaves data without a marker, and Luigi runs the task again. Write the marker in the data's transaction (luigi_spanner.SpannerTask, or SpannerMarkerTarget.record(transaction, ...)).`, { cls });
        }
        // output().record(transaction, ...) in a transaction that writes no data.
        if (call.method === 'record' && this.spanner.objectKind(call.receiver, scope) === 'output') {
          const transaction = call.positional[0] ?? call.keywords.get('transaction');
          const units = transaction ? this.spanner.receiverUnits(transaction, scope, 0) : [];
          if (units.length && !units.some((u) => dataUnits.has(u.key))) {
            this.report('LS001', at(scope, call.node), `${cls.name} records its marker in a different commit than its data: a crash between the two leaves data without a marker, and Luigi runs the task again. Pass the transaction that writes the data.`, { cls });
          }
        }
      }
    }
    for (const write of writes) {
      if (this.isDataWrite(write)) continue;
      const units = this.units(write);
      if (units.length && !units.some((u) => dataUnits.has(u.key))) {
        this.report('LS001', at(write.scope, write.call.node), `${cls.name} writes its completion marker (${write.table}) in a separate commit from its data: a crash in between leaves data without a marker, and Luigi runs the task again. Write the marker in the same transaction as the data.`, { cls });
      }
    }
  }

  /** `self.output().path`, `self.output()["x"].path`, or a name bound to one. */
  private namesOutput(node: SyntaxNode | undefined, scope: FunctionScope): boolean {
    for (let n: SyntaxNode | null | undefined = node; n; n = n.name === 'MemberExpression' || n.name === 'CallExpression' ? n.firstChild : null) {
      if (this.spanner.objectKind(n, scope) === 'output') return true;
      if (n.name === 'VariableName') {
        const bound = this.spanner.constantBinding(n, scope);
        return !!bound && this.namesOutput(bound.node, bound.scope);
      }
    }
    return false;
  }

  private describeOutput(cls: ClassModel): string {
    const output = this.spanner.method(cls, 'output');
    const ret = output?.returns[0];
    const value = ret && children(ret).find((c) => c.name !== 'return');
    if (!value || value.name !== 'CallExpression' || !value.firstChild) return '';
    return ` (a ${this.text(value.firstChild)})`;
  }

  private isWriteMode(call: CallParts): boolean {
    const mode = call.keywords.get('mode') ?? call.positional[0];
    const value = mode && stringValue(mode, this.model.src)?.text;
    return !!value && /[wax+]/.test(value);
  }

  // ---- LS003, LS011 ----

  private commitSequence(cls: ClassModel, run: FunctionScope): void {
    interface State {
      commits: SyntaxNode[];
    }
    const splitFlagged = new Set<SyntaxNode>();
    const beforeYield = new Set<SyntaxNode>();
    const commitEvents = (statement: SyntaxNode): SyntaxNode[] => {
      const events: SyntaxNode[] = [];
      for (const call of run.calls) {
        if (call.node.from < statement.from || call.node.to > statement.to) continue;
        if (this.model.enclosingScope(call.node) !== run) continue;
        if (this.spanner.commitKind(call, run) || this.spanner.resolveCall(call, run).some((r) => this.spanner.commits(r.target))) events.push(call.node);
      }
      return events.sort((a, b) => a.from - b.from);
    };
    const yieldsIn = (statement: SyntaxNode) => run.yields.some((y) => y.from >= statement.from && y.to <= statement.to && this.model.enclosingScope(y) === run);

    const onCommit = (node: SyntaxNode, state: State, inLoop: boolean, report: boolean) => {
      if (report && !splitFlagged.has(node)) {
        if (inLoop) {
          splitFlagged.add(node);
          this.report('LS003', node, `${cls.name}.run() commits inside a loop, one commit per iteration: a failure part-way leaves the first iterations' data visible, and the rerun meets it. Commit the task in one transaction, or make each chunk its own task keyed by an immutable chunk id.`, { cls });
        } else if (state.commits.length > 0) {
          splitFlagged.add(node);
          const first = state.commits[0]!;
          this.report('LS003', node, `${cls.name}.run() commits again after the commit on line ${this.lines.line(first.from)}: a failure between them leaves part of the result visible. Commit the task's data (and its marker) in one transaction.`, { cls });
        }
      }
      state.commits = [...state.commits, node];
    };

    // Returns the state after the statements, or undefined when every path leaves (return/raise).
    const walk = (body: SyntaxNode, incoming: State, inLoop: boolean, report: boolean): State | undefined => {
      // Each branch gets its own copy: commits on one path are not "before" those on another.
      let state: State | undefined = { commits: [...incoming.commits] };
      for (let statement = body.firstChild; statement && state; statement = statement.nextSibling) state = step(statement, state, inLoop, report);
      return state;
    };
    const merge = (states: Array<State | undefined>): State | undefined => {
      const live = states.filter((s): s is State => !!s);
      if (!live.length) return undefined;
      return { commits: [...new Set(live.flatMap((s) => s.commits))].sort((a, b) => a.from - b.from) };
    };
    const step = (statement: SyntaxNode, state: State, inLoop: boolean, report: boolean): State | undefined => {
      const bodies = statement.getChildren('Body');
      switch (statement.name) {
        case 'FunctionDefinition':
        case 'ClassDefinition':
        case 'DecoratedStatement':
          return state;
        case 'ReturnStatement':
        case 'RaiseStatement':
          for (const node of commitEvents(statement)) onCommit(node, state, inLoop, report);
          return undefined;
        case 'IfStatement': {
          for (const node of commitEvents(conditionPart(statement))) onCommit(node, state, inLoop, report);
          const results = bodies.map((b) => walk(b, state, inLoop, report));
          const hasElse = statement.getChild('else') !== null;
          return merge(hasElse ? results : [...results, state]);
        }
        case 'TryStatement': {
          const [tryBody, ...rest] = bodies;
          const afterTry = tryBody ? walk(tryBody, state, inLoop, report) : state;
          const handlers = rest.map((b) => (b === statement.lastChild && statement.getChild('finally') ? undefined : walk(b, state, inLoop, report)));
          return merge([afterTry, ...handlers.filter((h) => h !== undefined)]) ?? (afterTry ? afterTry : undefined);
        }
        case 'ForStatement':
        case 'WhileStatement': {
          for (const node of commitEvents(conditionPart(statement))) onCommit(node, state, inLoop, report);
          const body = bodies[0];
          if (!body) return state;
          const once = walk(body, state, true, report) ?? state;
          // A second pass finds yields that follow a commit of the previous iteration.
          const twice = walk(body, once, true, false) ?? once;
          for (const extra of bodies.slice(1)) walk(extra, twice, inLoop, report);
          return merge([state, twice]);
        }
        case 'WithStatement': {
          for (const node of commitEvents(conditionPart(statement))) onCommit(node, state, inLoop, report);
          const after = bodies[0] ? walk(bodies[0], state, inLoop, report) : state;
          const commit = this.spanner.withCommit(statement, run);
          if (after && commit) onCommit(commit, after, inLoop, report);
          return after;
        }
        default: {
          if (yieldsIn(statement)) for (const c of state.commits) beforeYield.add(c);
          for (const node of commitEvents(statement)) onCommit(node, state, inLoop, report);
          return state;
        }
      }
    };
    if (run.body) walk(run.body, { commits: [] }, false, true);
    for (const node of beforeYield) {
      this.report('LS011', node, `${cls.name}.run() commits here and later yields dynamic dependencies; Luigi restarts run() from the top once they finish, so this write runs again. Yield every dependency before the first write.`, { cls });
    }

    function conditionPart(statement: SyntaxNode): SyntaxNode {
      // The header of a compound statement (up to its first Body) as a pseudo-node range.
      const body = statement.getChild('Body');
      return body ? ({ from: statement.from, to: body.from } as SyntaxNode) : statement;
    }
  }

  // ---- LS002 ----

  private plainInserts(tasks: ClassModel[]): void {
    const reached = this.taskReach(tasks, ['run']);
    let markerUnits: Set<string> | undefined;
    // Commits that also write a marker: marker-table writes and output().record(transaction).
    const unitsWithMarker = () => {
      if (markerUnits) return markerUnits;
      markerUnits = new Set(this.spanner.writes.filter((w) => !this.isDataWrite(w)).flatMap((w) => this.units(w).map((u) => u.key)));
      for (const scope of this.model.scopes) {
        for (const call of scope.calls) {
          if (call.method === 'record' && this.spanner.objectKind(call.receiver, scope) === 'output') {
            const transaction = call.positional[0] ?? call.keywords.get('transaction');
            for (const u of transaction ? this.spanner.receiverUnits(transaction, scope, 0) : []) markerUnits.add(u.key);
          }
        }
      }
      return markerUnits;
    };
    for (const write of this.spanner.writes) {
      if (write.op !== 'insert') continue;
      const units = this.units(write);
      const replayable = units.find((u) => u.kind === 'batch' || u.kind === 'group');
      let reason: string | undefined;
      if (replayable) {
        reason = replayable.kind === 'batch' ? 'inside database.batch(), a single-use commit the client may apply twice after an abort' : 'in a mutation group, which batch_write() may apply more than once';
      } else {
        const cls = reached.get(write.scope);
        if (!cls || this.spanner.contextOf(cls)?.spannerTask) continue;
        const withMarker = unitsWithMarker();
        if (units.length && units.every((u) => u.kind === 'library' || withMarker.has(u.key))) continue;
        if (!units.length && !this.isDataWrite(write)) continue;
        reason = `in ${cls.name}.run(), whose commit does not also write the task's marker: a rerun after a crash inserts the same rows again and fails with ALREADY_EXISTS`;
      }
      const fixes = this.insertFixes(write);
      this.report('LS002', write.call.node, `Plain insert${write.table ? ` into ${write.table}` : ''} ${reason}. Commit the marker in the same transaction, or use insert_or_update keyed by natural keys.`, { fixes });
    }
  }

  private insertFixes(write: WriteSite): QuickFix[] {
    if (write.dml) {
      const at = write.dml.info.insertAt;
      if (at === undefined) return [];
      const from = pieceOffset(write.dml.pieces, at);
      return [{ title: 'Use INSERT OR UPDATE', edits: [this.edit(from, from + 'INSERT'.length, 'INSERT OR UPDATE')], isPreferred: true }];
    }
    const property = write.call.callee.lastChild;
    if (!property || property.name !== 'PropertyName') return [];
    return [{ title: 'Use insert_or_update', edits: [this.edit(property.from, property.to, 'insert_or_update')], isPreferred: true }];
  }

  // ---- LS004 / LS005 / LS010 / LS102 / LS101 (sequential keys): values written ----

  private writtenValues(tasks: ClassModel[]): void {
    const reached = this.taskReach(tasks);
    for (const write of this.spanner.writes) {
      const inTask = reached.has(write.scope);
      const columns = this.columnValues(write);
      for (const { column, value, scope } of columns) {
        if (inTask) {
          for (const origin of this.flow.origins(value, scope, CLOCKS)) this.clockWritten(write, column, origin, scope);
          for (const origin of this.flow.origins(value, scope, RANDOMS)) {
            this.report('LS010', origin.node, `${this.text(origin.node)} is written as a row value${column ? ` (${write.table}.${column})` : ''}: a replay adds new rows instead of failing on the old ones. Derive the value from the input (a natural key, or uuid.uuid5 of it).`);
          }
        }
        if (column && write.table && this.flow.origins(value, scope, COMMIT_TS).length > 0) this.commitTimestampColumn(write, column);
        if (column && write.table && this.input.schema?.isKeyColumn(write.table, column) && this.flow.origins(value, scope, COUNTERS).length > 0) {
          const key = this.input.schema.table(write.table)?.primaryKey[0];
          if (key && key.toLowerCase() === column.toLowerCase()) this.sequentialKeys.push({ table: write.table, column, file: this.input.file, line: this.lines.line(write.call.node.from) });
        }
      }
      if (write.dml) this.dmlFunctions(write, inTask);
    }
  }

  /** (column, value expression) pairs a write writes; column undefined when unknown. */
  private columnValues(write: WriteSite): Array<{ column?: string; value: SyntaxNode; scope: FunctionScope }> {
    const result: Array<{ column?: string; value: SyntaxNode; scope: FunctionScope }> = [];
    if (write.dml) {
      for (const [param, value] of write.params ?? []) {
        const assignment = write.dml.info.assignments.find((a) => a.tokens.some((t) => t.kind === 'param' && t.value === param));
        if (assignment || !write.dml.info.filterParams.has(param)) result.push({ ...(assignment ? { column: assignment.column } : {}), value, scope: write.scope });
      }
      return result;
    }
    if (!write.values) return result;
    const rows = this.rowShapes(write.values, write.scope, 0);
    if (!rows.length) return [{ value: write.values, scope: write.scope }];
    for (const row of rows) {
      row.elements.forEach((element, index) => {
        if (!element) return;
        const position = row.starAt === undefined || index < row.starAt ? index : (write.columns?.length ?? 0) - (row.elements.length - index);
        const column = element.star ? undefined : write.columns?.[position];
        result.push({ ...(column ? { column } : {}), value: element.node, scope: row.scope });
      });
    }
    return result;
  }

  /** Row expressions of a values argument: literal rows, comprehension elements, appended rows. */
  private rowShapes(node: SyntaxNode, scope: FunctionScope, depth: number): Array<{ elements: Array<{ node: SyntaxNode; star: boolean } | undefined>; starAt?: number; scope: FunctionScope }> {
    if (depth > 5) return [];
    const rowOf = (row: SyntaxNode, rowScope: FunctionScope) => {
      let target = row;
      if (row.name === 'VariableName') {
        const bound = this.spanner.constantBinding(row, rowScope);
        if (bound && sequenceElements(bound.node)) target = bound.node;
      }
      const elements = sequenceElements(target);
      if (!elements) return undefined;
      const parts = children(target);
      const shaped: Array<{ node: SyntaxNode; star: boolean }> = [];
      let starAt: number | undefined;
      for (const element of elements) {
        const star = element.prevSibling?.name === '*' || parts[parts.indexOf(element) - 1]?.name === '*';
        if (star && starAt === undefined) starAt = shaped.length;
        shaped.push({ node: element, star });
      }
      return { elements: shaped, ...(starAt !== undefined ? { starAt } : {}), scope: rowScope };
    };
    switch (node.name) {
      case 'ArrayExpression':
      case 'TupleExpression':
        return (sequenceElements(node) ?? []).map((row) => rowOf(row, scope)).filter((r): r is NonNullable<typeof r> => !!r);
      case 'ArrayComprehensionExpression':
      case 'ComprehensionExpression':
      case 'SetComprehensionExpression': {
        const element = children(node)[1];
        const row = element && rowOf(element, scope);
        return row ? [row] : [];
      }
      case 'CallExpression': {
        const call = this.spanner.call(node);
        const q = call && this.spanner.qualify(call.callee, scope);
        if (call && (q === 'builtins.list' || q === 'builtins.tuple' || q === 'builtins.sorted') && call.positional[0]) return this.rowShapes(call.positional[0], scope, depth + 1);
        return [];
      }
      case 'VariableName': {
        const found = this.model.lookup(this.text(node), scope);
        if (!found) return [];
        const rows = found.binding.flatMap((b) => (b.kind === 'value' && b.unpackIndex === undefined ? this.rowShapes(b.value, found.scope, depth + 1) : []));
        for (const call of found.scope.calls) {
          if (call.method === 'append' && call.receiver && this.text(call.receiver) === this.text(node)) {
            const row = call.positional[0] && rowOf(call.positional[0], found.scope);
            if (row) rows.push(row);
          }
        }
        return rows;
      }
      case 'MemberExpression':
        // rows[a:b]: the rows of `rows`.
        return node.getChild('[') && node.firstChild ? this.rowShapes(node.firstChild, scope, depth + 1) : [];
    }
    return [];
  }

  private clockWritten(write: WriteSite, column: string | undefined, origin: Origin, scope: FunctionScope): void {
    const schema = this.input.schema;
    const definition = column && write.table ? schema?.column(write.table, column) : undefined;
    const target = column && write.table ? `${write.table}.${column}` : write.table ? `a column of ${write.table}` : 'a column';
    if (column && write.table && schema?.isKeyColumn(write.table, column)) {
      this.report('LS004', origin.node, `The wall clock (${this.text(origin.node)}) names the rows this task writes: it is written into the key column ${target}, so a rerun writes different keys. Key rows by the immutable input they come from.`);
      return;
    }
    if (definition && definition.type !== 'TIMESTAMP') return;
    if (!definition && origin.kind === 'date-clock') return;
    const fixes: QuickFix[] = [];
    const replacement = this.commitTimestampFix(origin.node, scope, write, column);
    if (replacement) fixes.push(replacement);
    this.report('LS005', origin.node, `The client's clock (${this.text(origin.node)}) is written into ${target}: clocks differ between machines and retries. Write spanner.COMMIT_TIMESTAMP to get the commit time${definition && !definition.allowCommitTimestamp ? ' (the column then needs allow_commit_timestamp = true)' : ''}.`, { fixes });
  }

  private commitTimestampFix(clock: SyntaxNode, scope: FunctionScope, write: WriteSite, column: string | undefined): QuickFix | undefined {
    if (write.dml) return undefined;
    const edits: TextEdit[] = [this.edit(clock.from, clock.to, 'spanner.COMMIT_TIMESTAMP')];
    const bound = this.model.lookup('spanner', scope);
    const importsSpanner = bound?.binding.some((b) => b.kind === 'import' && /google\.cloud(\.spanner)?$/.test(`${b.module}${b.name ? `.${b.name}` : ''}`.replace(/\.spanner$/, '.spanner')));
    if (!importsSpanner) {
      const at = this.importInsertionOffset();
      edits.push(this.edit(at, at, 'from google.cloud import spanner\n'));
    }
    let title = 'Write spanner.COMMIT_TIMESTAMP instead of the client clock';
    const definition = column && write.table ? this.input.schema?.column(write.table, column) : undefined;
    if (definition && !definition.allowCommitTimestamp && write.table && column) {
      const migration = this.newMigrationEdit(write.table, column);
      if (migration) {
        edits.push(migration);
        title += ` (and allow commit timestamps on ${write.table}.${column} in a new migration)`;
      }
    }
    return { title, edits, isPreferred: true };
  }

  /** After the module docstring and `from __future__` imports. */
  private importInsertionOffset(): number {
    let offset = 0;
    for (let statement = this.model.tree.topNode.firstChild; statement; statement = statement.nextSibling) {
      const text = this.text(statement);
      if (statement.name === 'ExpressionStatement' && statement.firstChild?.name === 'String' && offset === 0) offset = this.lineEnd(statement.to);
      else if (statement.name === 'ImportStatement' && /^from\s+__future__\b/.test(text)) offset = this.lineEnd(statement.to);
      else if (statement.name === 'ImportStatement') return this.lines.lineStart(this.lines.line(statement.from));
      else if (statement.name !== 'Comment') break;
    }
    return offset;
  }

  private lineEnd(offset: number): number {
    const newline = this.input.text.indexOf('\n', offset);
    return newline === -1 ? this.input.text.length : newline + 1;
  }

  private commitTimestampColumn(write: WriteSite, column: string): void {
    const definition = this.input.schema?.column(write.table!, column);
    if (!definition || definition.allowCommitTimestamp) return;
    const fixes: QuickFix[] = [];
    if (definition.type === 'TIMESTAMP') {
      const migration = this.newMigrationEdit(write.table!, column);
      if (migration) fixes.push({ title: `Allow commit timestamps on ${write.table}.${column} in a new migration`, edits: [migration], isPreferred: true });
      const inPlace = this.inPlaceOptionEdit(write.table!, column);
      if (inPlace) fixes.push({ title: `Add allow_commit_timestamp = true to ${write.table}.${column} in ${inPlace.file} (only if that migration is not applied anywhere yet)`, edits: [inPlace] });
    }
    const why = definition.type === 'TIMESTAMP' ? `whose DDL lacks OPTIONS (allow_commit_timestamp = true)` : `a ${definition.type} column (commit timestamps only go into TIMESTAMP columns declared allow_commit_timestamp = true)`;
    this.report('LS102', write.call.node, `This write puts a commit timestamp into ${write.table}.${column}, ${why} (${definition.file}); Spanner rejects the commit with FAILED_PRECONDITION.`, { fixes });
  }

  /** A new migration file: ALTER TABLE ... SET OPTIONS (allow_commit_timestamp = true). */
  private newMigrationEdit(table: string, column: string): TextEdit | undefined {
    const schema = this.input.schema;
    const dir = this.input.migrationsDir;
    if (!schema || dir === undefined) return undefined;
    const versions = schema.files.map((f) => f.version).filter((v): v is number => v !== undefined);
    const next = (versions.length ? Math.max(...versions) : 0) + 1;
    const width = Math.max(4, ...schema.files.map((f) => /^(\d+)/.exec(f.file.slice(f.file.lastIndexOf('/') + 1))?.[1]?.length ?? 0));
    const definition = schema.column(table, column);
    const name = `${String(next).padStart(width, '0')}_allow_commit_timestamp_${table}_${definition?.name ?? column}.sql`.toLowerCase().replace(/^(\d+)_/, '$1_');
    const file = dir ? `${dir}/${name}` : name;
    const tableName = schema.table(table)?.name ?? table;
    return { file, range: { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } }, newText: `-- Let ${tableName}.${definition?.name ?? column} take spanner.COMMIT_TIMESTAMP.\nALTER TABLE ${tableName} ALTER COLUMN ${definition?.name ?? column} SET OPTIONS (allow_commit_timestamp = true);\n`, create: true };
  }

  private inPlaceOptionEdit(table: string, column: string): TextEdit | undefined {
    const schema = this.input.schema;
    const definition = schema?.column(table, column);
    const source = definition && schema?.file(definition.file);
    if (!definition || !source) return undefined;
    const at = (offset: number) => ({ line: source.lines.line(offset), column: source.lines.column(offset) + 1 });
    if (definition.optionsClose !== undefined) {
      const p = at(definition.optionsClose);
      return { file: definition.file, range: { start: p, end: p }, newText: ', allow_commit_timestamp = true' };
    }
    const p = at(definition.end);
    return { file: definition.file, range: { start: p, end: p }, newText: ' OPTIONS (allow_commit_timestamp = true)' };
  }

  /** SQL functions in DML: clocks and random values written, PENDING_COMMIT_TIMESTAMP() columns. */
  private dmlFunctions(write: WriteSite, inTask: boolean): void {
    const sql = write.dml!;
    for (const use of sql.info.functions) {
      const offset = pieceOffset(sql.pieces, use.at);
      const node = sql.node;
      const nameTo = offset + use.name.length;
      if (use.inWrittenValue && isCommitTimestampFunction(use.name) && use.column && write.table) {
        this.commitTimestampColumn(write, use.column);
        continue;
      }
      if (!inTask) continue;
      if (use.inWrittenValue && isRandomFunction(use.name)) {
        this.report('LS010', node, `${use.name}() is written as a row value${use.column ? ` (${write.table}.${use.column})` : ''}: a replay adds new rows instead of failing on the old ones. Derive the value from the input.`, { from: offset, to: nameTo });
      } else if (use.inWrittenValue && isClockFunction(use.name)) {
        this.report('LS005', node, `${use.name}() writes the server clock at statement time into ${use.column ? `${write.table}.${use.column}` : write.table ?? 'a column'}, not the commit time. Use PENDING_COMMIT_TIMESTAMP() on a column declared allow_commit_timestamp = true.`, { from: offset, to: nameTo });
      } else if (!use.inWrittenValue && isClockFunction(use.name)) {
        this.report('LS004', node, `${use.name}() in this statement's filter decides which rows the task touches by the time it runs. Filter by the task's immutable inputs (a batch id).`, { from: offset, to: nameTo });
      }
    }
  }

  // ---- LS004: clocks in task definitions, time-window parameters ----

  private clockInTaskDefinition(cls: ClassModel): void {
    // Parameter defaults.
    for (const [name, attribute] of cls.attributes) {
      const call = attribute.value.name === 'CallExpression' ? this.spanner.call(attribute.value) : undefined;
      if (!call || !PARAMETER_CALL.test(this.spanner.qualify(call.callee, cls.scope) ?? this.text(call.callee))) continue;
      const defaultValue = call.keywords.get('default') ?? call.positional[0];
      for (const origin of this.flow.origins(defaultValue, cls.scope, CLOCKS)) {
        const fix = this.requiredParameterFix(call, name);
        this.report('LS004', origin.node, `${cls.name}.${name} defaults to the wall clock (${this.text(origin.node)}): which batch the task processes depends on when it is scheduled, and a late rerun picks another one. Make ${name} a required parameter and pass the batch explicitly.`, { cls, ...(fix ? { fixes: [fix] } : {}) });
      }
    }
    // requires(), output(), update_id(), complete(): any clock decides what the task is.
    for (const name of ['requires', 'output', 'update_id', 'complete']) {
      const method = cls.methods.get(name);
      if (!method) continue;
      for (const scope of this.reach(method).keys()) {
        for (const call of scope.calls) {
          const kind = this.flow.sourceOf(call.node, scope);
          if (kind === 'clock' || kind === 'date-clock') {
            this.report('LS004', call.node, `${cls.name}.${name}() reads the wall clock (${this.text(call.node)}): the task's ${name === 'requires' ? 'dependencies' : name === 'output' ? 'output' : 'identity'} depend on when the scheduler runs, and a window is "complete" before its late rows arrive. Derive it from the task's parameters instead.`, { cls });
          }
        }
      }
    }
    // Clock values in query parameters and in task instantiations (the task names its batch).
    for (const scope of this.classReach(cls)) {
      {
        for (const call of scope.calls) {
          if (call.method === 'execute_sql' || call.method === 'read') {
            const params = call.keywords.get('params') ?? (call.method === 'execute_sql' ? call.positional[1] : undefined);
            const sql = this.spanner.sqlOf(call.positional[0] ?? call.keywords.get('sql'), scope);
            for (const [param, value] of params ? this.spanner.dictEntries(params, scope) : []) {
              if (sql && !sql.info.filterParams.has(param)) continue;
              for (const origin of this.flow.origins(value, scope, CLOCKS)) {
                this.report('LS004', origin.node, `The wall clock (${this.text(origin.node)}) filters what ${cls.name} reads (@${param}): the rows it processes depend on when it runs, and late rows are never counted. Filter by the task's immutable inputs (a batch id).`, { cls });
              }
            }
            if (sql) {
              for (const use of sql.info.functions) {
                if (!use.inWrittenValue && isClockFunction(use.name)) {
                  const offset = pieceOffset(sql.pieces, use.at);
                  this.report('LS004', sql.node, `${use.name}() in this query decides which rows ${cls.name} reads by the time it runs; late rows are never counted. Filter by the task's immutable inputs (a batch id).`, { cls, from: offset, to: offset + use.name.length });
                }
              }
            }
          }
          if (this.instantiatesTask(call, scope)) {
            for (const arg of [...call.positional, ...call.keywords.values()]) {
              for (const origin of this.flow.origins(arg, scope, CLOCKS)) {
                this.report('LS004', origin.node, `The wall clock (${this.text(origin.node)}) names the batch of ${this.text(call.callee)}: which rows it covers depends on when the scheduler runs. Pass an immutable input instead (an export batch, a file).`, { cls });
              }
            }
          }
        }
      }
    }
  }

  private instantiatesTask(call: CallParts, scope: FunctionScope): boolean {
    // Classes are CamelCase: skip the resolution for every other call.
    const last = call.method ?? (call.callee.name === 'VariableName' ? this.text(call.callee) : '');
    if (!/^[A-Z]/.test(last)) return false;
    const cls = this.spanner.instantiatedClass(call.node, scope);
    if (cls) return !!this.spanner.contextOf(cls)?.isTask;
    const parts = this.model.dotted(call.callee);
    if (!parts || !this.input.isTaskReference) return false;
    const found = this.model.lookup(parts[0]!, scope);
    if (found && found.scope !== this.model.module) return false;
    return this.input.isTaskReference(parts);
  }

  /** Removes the default argument of a Parameter call: `luigi.DateParameter()`. */
  private requiredParameterFix(call: CallParts, name: string): QuickFix | undefined {
    const argList = call.node.getChild('ArgList');
    if (!argList) return undefined;
    const items = children(argList).filter((c) => c.name !== '(' && c.name !== ')');
    const defaultNode = call.keywords.get('default');
    let start: number | undefined;
    let end: number | undefined;
    if (defaultNode) {
      const keyword = items.find((c, k) => c.name === 'VariableName' && this.text(c) === 'default' && items[k + 1]?.name === 'AssignOp');
      if (!keyword) return undefined;
      start = keyword.from;
      end = defaultNode.to;
    } else if (call.positional[0]) {
      start = call.positional[0].from;
      end = call.positional[0].to;
    }
    if (start === undefined || end === undefined) return undefined;
    // Take the comma after it (or before it, when it is last) with its spaces.
    const text = this.input.text;
    let after = end;
    while (after < argList.to && /\s/.test(text[after]!)) after++;
    if (text[after] === ',') {
      end = after + 1;
      while (end < argList.to && /[ \t]/.test(text[end]!)) end++;
    } else {
      let before = start;
      while (before > argList.from && /\s/.test(text[before - 1]!)) before--;
      if (text[before - 1] === ',') start = before - 1;
    }
    return { title: `Make ${name} a required parameter (drop the clock default)`, edits: [this.edit(start, end, '')], isPreferred: true };
  }

  /**
   * A date/time parameter that bounds a range filter on a TIMESTAMP column: the task is keyed by
   * a time window over rows that may still arrive (README of samples/broken/time_window).
   */
  private windowParameters(cls: ClassModel): void {
    const schema = this.input.schema;
    if (!schema) return;
    const windowParams = new Map<string, { statement: SyntaxNode; callee: string }>();
    for (const [name, attribute] of cls.attributes) {
      const call = attribute.value.name === 'CallExpression' ? this.spanner.call(attribute.value) : undefined;
      const callee = call && (this.spanner.qualify(call.callee, cls.scope) ?? this.text(call.callee));
      if (callee && WINDOW_PARAMETERS.test(callee)) windowParams.set(name, { statement: attribute.statement, callee: this.text(call!.callee) });
    }
    if (!windowParams.size) return;
    for (const scope of this.classReach(cls)) {
      {
        for (const call of scope.calls) {
          if (call.method !== 'execute_sql' && call.method !== 'execute_update' && call.method !== 'read') continue;
          const sql = this.spanner.sqlOf(call.positional[0] ?? call.keywords.get('sql'), scope);
          const params = call.keywords.get('params') ?? call.positional[1];
          if (!sql || !params || !sql.info.rangeFilters.length) continue;
          const entries = this.spanner.dictEntries(params, scope);
          const table = /\bFROM\s+`?(\w+)/i.exec(sql.text)?.[1] ?? sql.info.table;
          for (const filter of sql.info.rangeFilters) {
            const column = table ? schema.column(table, filter.column) : undefined;
            if (!column || column.type !== 'TIMESTAMP') continue;
            for (const origin of this.flow.origins(entries.get(filter.param), scope, TASK_PARAMS)) {
              const param = origin.name && windowParams.get(origin.name);
              if (!param) continue;
              this.report('LS004', param.statement, `${cls.name} is keyed by a time window (${origin.name} = ${param.callee}(...)) over ${table}.${column.name} (@${filter.param}): rows that arrive in the window after the task ran are never counted, since a complete task never reruns. Key the task by the immutable inputs it aggregates (an export batch).`, { cls });
            }
          }
        }
      }
    }
  }

  // ---- LS006 ----

  private mutationLimit(): void {
    for (const write of this.spanner.writes) {
      if (write.dml) continue;
      const units = this.units(write);
      if (!units.length) continue;
      const unitNode = units[0]!.node;
      // Rows from an unbounded source in the values, or a loop over one inside the commit.
      const unbounded = write.values ? this.rowSourceOrigins(write.values, write.scope, new Set()) : [];
      let loop: SyntaxNode | undefined;
      for (let n: SyntaxNode | null = write.call.node.parent; n && n !== unitNode && !(n.from <= unitNode.from && unitNode.to <= n.to && n !== unitNode); n = n.parent) {
        if (n.name === 'ForStatement' || n.name === 'WhileStatement') {
          const inAt = children(n).findIndex((c) => c.name === 'in');
          const iterable = children(n)[inAt + 1];
          if (iterable && this.flow.origins(iterable, write.scope, UNBOUNDED).length) loop = n;
        }
        if (n.name === 'FunctionDefinition' && this.model.scopeOf(n) !== write.scope) break;
      }
      const limit = this.input.mutationLimit;
      if (unbounded.length || loop) {
        const source = unbounded[0] ? this.text(unbounded[0].node) : this.text(children(loop!).find((_c, k, all) => all[k - 1]?.name === "in")!);
        this.report('LS006', write.call.node, `This commit takes one ${write.op} per row of ${source.length > 60 ? `${source.slice(0, 57)}...` : source}, which nothing bounds: Spanner rejects commits over ${limit.toLocaleString('en')} mutations (rows x columns, index entries included). Bound the rows per commit, or split the work into tasks keyed by an immutable chunk id.`);
        continue;
      }
      const rows = this.constantRowCount(write);
      if (rows !== undefined) {
        const columns = write.columns?.length ?? 1;
        const indexes = write.table && this.input.schema ? [...this.input.schema.indexes.values()].filter((i) => i.table.toLowerCase() === write.table!.toLowerCase() && i.columns.some((c) => write.columns?.some((w) => w.toLowerCase() === c.toLowerCase()))).length : 0;
        const mutations = rows * (columns + indexes);
        if (mutations > limit) {
          this.report('LS006', write.call.node, `This commit writes up to ${rows.toLocaleString('en')} rows x ${columns + indexes} (columns and index entries) = ${mutations.toLocaleString('en')} mutations, over Spanner's limit of ${limit.toLocaleString('en')} per commit. Use smaller chunks, each its own task.`);
        }
      }
    }
  }

  /**
   * Unbounded sources that decide how many rows a values argument holds: the iterables of a
   * comprehension, the loops around `rows.append(...)`, the object of a non-constant slice. The
   * contents of each row do not count (a one-row literal of query results is one row).
   */
  private rowSourceOrigins(node: SyntaxNode, scope: FunctionScope, seen: Set<string>): Origin[] {
    switch (node.name) {
      case 'ArrayExpression':
      case 'TupleExpression': {
        const parts = children(node);
        return parts.filter((_c, k) => parts[k - 1]?.name === "*").flatMap((c) => this.rowSourceOrigins(c, scope, seen));
      }
      case 'ArrayComprehensionExpression':
      case 'ComprehensionExpression':
      case 'SetComprehensionExpression':
      case 'DictionaryComprehensionExpression': {
        const parts = children(node);
        return parts.filter((_c, k) => parts[k - 1]?.name === "in").flatMap((c) => this.flow.origins(c, scope, UNBOUNDED));
      }
      case 'ParenthesizedExpression':
        return children(node).filter((c) => c.name !== '(' && c.name !== ')').flatMap((c) => this.rowSourceOrigins(c, scope, seen));
      case 'MemberExpression':
        if (node.getChild('[')) return this.flow.isConstantSlice(node) || !node.firstChild ? [] : this.rowSourceOrigins(node.firstChild, scope, seen);
        break;
      case 'CallExpression': {
        const call = this.spanner.call(node);
        const q = call && this.spanner.qualify(call.callee, scope);
        if (call && call.positional[0] && ['builtins.list', 'builtins.tuple', 'builtins.sorted', 'builtins.reversed'].includes(q ?? '')) return this.rowSourceOrigins(call.positional[0], scope, seen);
        break;
      }
      case 'VariableName': {
        const name = this.text(node);
        const found = this.model.lookup(name, scope);
        if (!found) return [];
        const key = `${found.scope.id}:${name}`;
        if (seen.has(key)) return [];
        seen.add(key);
        const origins: Origin[] = [];
        for (const binding of found.binding) {
          if (binding.kind === 'value' && binding.unpackIndex === undefined) origins.push(...this.rowSourceOrigins(binding.value, found.scope, seen));
          else if (binding.kind === 'value' || binding.kind === 'context' || binding.kind === 'augmented') origins.push(...this.flow.origins(binding.value, found.scope, UNBOUNDED));
          else if (binding.kind === 'iteration') origins.push(...this.flow.origins(binding.iterable, found.scope, UNBOUNDED));
        }
        // rows.append(...) inside loops: the loops' iterables bound the rows.
        for (const call of found.scope.calls) {
          if ((call.method !== 'append' && call.method !== 'extend') || call.receiver?.name !== 'VariableName' || this.text(call.receiver) !== name) continue;
          for (let n: SyntaxNode | null = call.node.parent; n && n !== found.scope.node; n = n.parent) {
            if (n.name === 'ForStatement' || n.name === 'WhileStatement') {
              const parts = children(n);
              const iterable = parts[parts.findIndex((c) => c.name === 'in') + 1];
              if (iterable && n.name === 'ForStatement') origins.push(...this.flow.origins(iterable, found.scope, UNBOUNDED));
            }
          }
          if (call.method === 'extend' && call.positional[0]) origins.push(...this.rowSourceOrigins(call.positional[0], found.scope, seen));
        }
        return origins;
      }
    }
    return this.flow.origins(node, scope, UNBOUNDED);
  }

  /** Rows in a values argument when a constant bounds them: a literal list or a constant slice. */
  private constantRowCount(write: WriteSite): number | undefined {
    const values = write.values;
    if (!values) return undefined;
    let node = values;
    if (node.name === 'VariableName') node = this.spanner.constantBinding(node, write.scope)?.node ?? node;
    if (node.name === 'ArrayExpression' || node.name === 'TupleExpression') return sequenceElements(node)?.length;
    if (node.name === 'ArrayComprehensionExpression') {
      // [... for i in range(N)] or range(start, start + N)
      const parts = children(node);
      const iterables = parts.filter((_c, k) => parts[k - 1]?.name === 'in');
      const range = iterables.length === 1 && iterables[0]!.name === 'CallExpression' ? this.spanner.call(iterables[0]!) : undefined;
      if (!range || this.spanner.qualify(range.callee, write.scope) !== 'builtins.range') return undefined;
      const stop = range.positional.length === 1 ? range.positional[0] : range.positional[1];
      if (range.positional.length === 1) return this.flow.constantNumber(stop);
      return stop?.name === 'BinaryExpression' ? this.flow.constantNumber(children(stop)[2]) : undefined;
    }
    if (node.name === 'MemberExpression' && this.flow.isConstantSlice(node)) {
      const parts = children(node);
      const upper = parts[parts.findIndex((c) => c.name === ':') + 1];
      if (upper?.name === 'BinaryExpression') return this.flow.constantNumber(children(upper)[2]);
      return this.flow.constantNumber(upper);
    }
    return undefined;
  }

  // ---- LS007, LS012 ----

  private transactionFunctions(): void {
    for (const [fn, txn] of this.spanner.txnFunctions) {
      const reached = this.reach(fn);
      const where = txn.library ? `${fn.cls?.name}.write(), which luigi_spanner runs inside run_in_transaction,` : `${fn.name === '<lambda>' ? 'This transaction function' : `${fn.name}()`} (passed to run_in_transaction)`;
      for (const [scope, entry] of reached) {
        for (const call of scope.calls) {
          const at = entry?.node ?? call.node;
          if (call.method === 'run_in_transaction') {
            this.report('LS012', at, `run_in_transaction inside ${txn.library ? `${fn.cls?.name}.write()` : 'a transaction function'}: the client raises "Spanner does not support nested transactions." Use the transaction you were given.`);
            continue;
          }
          const effect = this.sideEffect(call, scope, fn, txn.paramIndex);
          if (effect) this.report('LS007', at, `${where} runs again after every abort, so ${effect} repeats. Do it after run_in_transaction returns.`);
        }
        for (const withNode of scope.withs) {
          if (scope === fn || entry === null) {
            const commit = this.spanner.withCommit(withNode, scope);
            if (commit) this.report('LS007', commit, `${where} runs again after every abort, so this separate commit (${this.text(commit)}) repeats. Write through the transaction instead.`);
          }
        }
        for (const store of scope.stores) {
          const effect = this.outerStore(store, scope, fn);
          if (effect) this.report('LS007', entry?.node ?? store, `${where} runs again after every abort, so ${effect} repeats. Compute it from the function's result after run_in_transaction returns.`);
        }
      }
    }
  }

  private sideEffect(call: CallParts, scope: FunctionScope, fn: FunctionScope, transactionIndex: number): string | undefined {
    const qualified = this.spanner.qualify(call.callee, scope) ?? '';
    if (/^(logging|logger|log|warnings)\b/.test(qualified) || /^builtins\.print$/.test(qualified)) return undefined;
    const receiverText = call.receiver ? this.text(call.receiver) : '';
    if (/(^|\.)(log|logger|_log|_logger|LOG|LOGGER)$/.test(receiverText)) return undefined;
    if (qualified === 'builtins.open' && this.isWriteMode({ ...call, positional: call.positional.slice(1) })) return `writing a file (${this.text(call.node)})`;
    if (call.method === 'open' && this.isWriteMode(call)) return `writing ${this.text(call.node)}`;
    if (SIDE_EFFECT_CALLS.test(qualified)) return `the call ${this.text(call.callee)}(...)`;
    if (call.method && SIDE_EFFECT_METHODS.has(call.method) && this.spanner.objectKind(call.receiver, scope) === undefined) {
      if (call.method === 'post' && !/(request|session|client|http)/i.test(receiverText)) return undefined;
      return `the call ${this.text(call.callee)}(...)`;
    }
    if (call.method === 'batch' && this.spanner.objectKind(call.node, scope) === 'batch' && this.model.enclosingScope(call.node) === scope) {
      // Reported on the with statement.
      return undefined;
    }
    if (call.method && MUTATING_METHODS.has(call.method) && call.receiver) {
      if (this.spanner.objectKind(call.receiver, scope)) return undefined;
      if ((call.method === 'insert' || call.method === 'update') && call.positional.length >= 3) return undefined;
      const outer = this.outerObject(call.receiver, scope, fn, transactionIndex);
      if (outer) return `${call.method}() on ${outer}`;
    }
    return undefined;
  }

  /** Names the outside object `node` is, when it is one (closure, global, parameter, self). */
  private outerObject(node: SyntaxNode, scope: FunctionScope, fn: FunctionScope, transactionIndex: number): string | undefined {
    let root: SyntaxNode = node;
    while (root.name === 'MemberExpression' && root.firstChild) root = root.firstChild;
    if (root.name !== 'VariableName') return undefined;
    const name = this.text(root);
    if (this.spanner.isSelf(root, scope)) return node === root ? undefined : `${this.text(node)} (state on the task)`;
    const found = this.model.lookup(name, scope);
    if (!found) return undefined;
    // Locals of the transaction function (or of helpers it calls) are fresh on every attempt.
    let inside = false;
    for (let s: FunctionScope | undefined = found.scope; s; s = s.parent) if (s === fn) inside = true;
    if (found.scope === fn && found.binding.some((b) => b.kind === 'param' && b.index !== transactionIndex && b.index >= (fn.cls ? 1 : 0))) return `the argument ${name}`;
    if (inside) return undefined;
    if (found.binding.every((b) => b.kind === 'import' || b.kind === 'function' || b.kind === 'class')) return undefined;
    return `${name} (defined outside the function)`;
  }

  private outerStore(store: SyntaxNode, scope: FunctionScope, fn: FunctionScope): string | undefined {
    const target = store.firstChild;
    if (!target) return undefined;
    if (store.name === 'UpdateStatement') {
      if (target.name === 'VariableName') {
        const name = this.text(target);
        return scope.outerNames.has(name) ? `the update of ${name} (declared global/nonlocal)` : undefined;
      }
      const outer = this.outerObject(target, scope, fn, -1);
      return outer ? `the update of ${this.text(target)}` : undefined;
    }
    // a[k] = v on an outside object; self.x = v is an idempotent overwrite.
    if (target.name === 'MemberExpression' && target.getChild('[')) {
      const outer = this.outerObject(target.firstChild!, scope, fn, -1);
      return outer ? `the store into ${this.text(target)}` : undefined;
    }
    return undefined;
  }

  // ---- LS008 ----

  private schemaChanges(tasks: ClassModel[]): void {
    const reached = this.taskReach(tasks);
    for (const [scope, cls] of reached) {
      for (const call of scope.calls) {
        const qualified = this.spanner.qualify(call.callee, scope) ?? '';
        let what: string | undefined;
        if (call.method === 'update_ddl') what = 'update_ddl(...)';
        else if (/^luigi_spanner(\.migrations)?\.create_database$/.test(qualified)) what = 'create_database(...)';
        else if (call.method && ['execute_update', 'execute_sql', 'execute_partitioned_dml', 'batch_update'].includes(call.method)) {
          const sql = this.spanner.sqlOf(call.positional[0], scope);
          if (sql?.info.kind === 'ddl') what = `DDL (${sql.text.trim().split(/\s+/).slice(0, 3).join(' ')} ...)`;
        }
        if (what) this.report('LS008', call.node, `${cls.name} changes the schema while it runs (${what}): a task may run twice or concurrently, and the schema would drift from the versioned migrations. Put the change in a migration applied before rollout.`, { cls });
      }
    }
  }

  // ---- LS009 ----

  private noCompletionCheck(cls: ClassModel, context: ClassContext): void {
    if (context.kind !== 'task' || context.hasCompletionCheck || context.spannerTask) return;
    if (cls.methods.has('output') || cls.methods.has('complete')) return;
    const run = cls.methods.get('run');
    if (!run) return;
    const reached = this.reach(run);
    const writes = this.spanner.writes.some((w) => reached.has(w.scope)) || [...reached.keys()].some((s) => s.calls.some((c) => this.spanner.commitKind(c, s)));
    if (!writes) return;
    this.report('LS009', cls.nameNode, `${cls.name} writes to Spanner but defines neither output() nor complete(): Luigi cannot tell that it finished, so every build runs it (and its writes) again. Derive it from luigi_spanner.SpannerTask, or add an output() whose marker commits with the data.`, { cls, from: cls.node.from, to: cls.nameNode.to });
  }

  // ---- LS001: success event handlers ----

  private successHandlers(): void {
    for (const scope of this.model.scopes) {
      const handler = scope.decorators.some((d) => /event_handler\s*\(/.test(this.text(d)) && /\bSUCCESS\b/.test(this.text(d)));
      if (!handler) continue;
      for (const [reached, entry] of this.reach(scope)) {
        for (const call of reached.calls) {
          const at = entry?.node ?? call.node;
          const marker = ((call.method === 'touch' || (call.method === 'open' && this.isWriteMode(call))) && this.spanner.objectKind(call.receiver, reached) === 'output') || (call.method === 'record' && this.spanner.objectKind(call.receiver, reached) === 'output');
          const write = this.spanner.writes.find((w) => w.call === call);
          const commit = this.spanner.commitKind(call, reached);
          if (marker || write || commit) {
            this.report('LS001', at, `A SUCCESS event handler records completion (${this.text(call.node).split('\n')[0]}): it runs after run() committed, in a separate commit or none, and Luigi only logs its errors. Write the marker in the task's data transaction.`);
          }
        }
      }
    }
  }
}

export type { Unit };
