// How one file uses Spanner: which expressions are databases, batches and transactions, which
// calls write (mutations, DML) and commit, which functions run inside run_in_transaction, and
// which commit ("unit") each write belongs to. Recognises the google-cloud-spanner API and the
// project's luigi_spanner helpers (SpannerTask, Mutation, SpannerMarkerTarget, connect).
import { CONNECT_FUNCTIONS, DML_METHODS, MARKER_TABLE, MARKER_TARGETS, MUTATION_CLASSES, MUTATION_METHODS } from '../../python/spanner-api';
import type { ClassContext } from '../engine-types';
import type { ClassModel, FileModel, FunctionScope } from './file-model';
import { analyzeSql, looksLikeSql, type SqlInfo } from './sql';
import { argument, callParts, children, nodeKey, sequenceElements, stringValue, type CallParts, type StringPiece, type SyntaxNode } from '../../python/syntax';
import { compileStringExpr, knownText, type StringExpr, type StringValue } from '../../python/string-expr';
import type { TableNameResolver } from '../../analysis/table-names';
import { sqlTemplateAccess } from '../../sqlTables';

export type ObjectKind = 'database' | 'batch' | 'sessionTxn' | 'transaction' | 'snapshot' | 'groups' | 'group' | 'mutationClass' | 'output' | 'input' | 'session';

const WRITE_RECEIVERS = new Set<ObjectKind>(['batch', 'transaction', 'sessionTxn', 'group', 'mutationClass']);

/** A commit boundary: the writes that share one becomes visible together. */
export interface Unit {
  kind: 'batch' | 'sessionTxn' | 'txn' | 'library' | 'group';
  /** The with statement, the binding, the transaction function or the SpannerTask class. */
  node: SyntaxNode;
  key: string;
}

export interface SqlText {
  text: string;
  pieces: StringPiece[];
  node: SyntaxNode;
  info: SqlInfo;
}

export interface WriteSite {
  call: CallParts;
  scope: FunctionScope;
  /** Mutation method, or the DML statement kind. */
  op: string;
  dml?: SqlText;
  table?: string;
  columns?: string[];
  values?: SyntaxNode;
  /** DML parameters (`params={...}`) by name. */
  params?: Map<string, SyntaxNode>;
  receiverKind?: ObjectKind;
}

export interface TxnFunction {
  scope: FunctionScope;
  /** Index of the transaction parameter. */
  paramIndex: number;
  /** The run_in_transaction call, absent for SpannerTask.write. */
  call?: CallParts;
  library: boolean;
}

export class SpannerModel {
  readonly writes: WriteSite[] = [];
  readonly txnFunctions = new Map<FunctionScope, TxnFunction>();
  readonly markerTables = new Set<string>();
  private readonly kindMemo = new Map<number | string, ObjectKind | undefined>();
  private readonly commitMemo = new Map<FunctionScope, boolean>();
  private readonly callersMemo = new Map<FunctionScope, Array<{ call: CallParts; scope: FunctionScope; offset: number }>>();
  readonly classContexts = new Map<ClassModel, ClassContext>();

  constructor(
    readonly model: FileModel,
    classContext: (name: string) => ClassContext,
    private readonly tableNames?: TableNameResolver,
  ) {
    for (const cls of model.classes) this.classContexts.set(cls, classContext(cls.name));
    this.findTransactionFunctions();
    this.findMarkerTables();
    for (const scope of model.scopes) {
      for (const call of scope.calls) {
        for (const write of this.asWrites(call, scope)) this.writes.push(write);
      }
    }
  }

  private readonly callMemo = new Map<number | string, CallParts | undefined>();
  private readonly qualifyMemo = new Map<number | string, string | undefined>();
  private readonly sqlMemo = new Map<number | string, SqlText | undefined>();

  text(node: SyntaxNode): string {
    return this.model.src.of(node);
  }

  /** The parts of a call expression (memoised: the rules ask for the same calls many times). */
  call(node: SyntaxNode): CallParts | undefined {
    const key = nodeKey(node, 0);
    const known = this.model.calls.get(key);
    if (known) return known;
    if (this.callMemo.has(key)) return this.callMemo.get(key);
    const parts = callParts(node, this.model.src);
    this.callMemo.set(key, parts);
    return parts;
  }

  contextOf(cls: ClassModel | undefined): ClassContext | undefined {
    return cls ? this.classContexts.get(cls) : undefined;
  }

  // ---- names ----

  /** `datetime.datetime.now` for `dt.now` after `from datetime import datetime as dt`, etc. */
  qualify(node: SyntaxNode, scope: FunctionScope): string | undefined {
    const key = nodeKey(node, scope.id);
    if (this.qualifyMemo.has(key)) return this.qualifyMemo.get(key);
    const result = this.computeQualified(node, scope);
    this.qualifyMemo.set(key, result);
    return result;
  }

  private computeQualified(node: SyntaxNode, scope: FunctionScope): string | undefined {
    const parts = this.model.dotted(node);
    if (!parts) return undefined;
    const found = this.model.lookup(parts[0]!, scope);
    if (!found) return `builtins.${parts.join('.')}`;
    const binding = found.binding.find((b) => b.kind === 'import');
    if (binding?.kind !== 'import') return undefined;
    const dots = '.'.repeat(binding.level);
    const base = binding.name ? `${dots}${binding.module ? `${binding.module}.` : ''}${binding.name}` : `${dots}${binding.module}`;
    return [base, ...parts.slice(1)].join('.');
  }

  /** The method scope a nested function or lambda belongs to. */
  methodScope(scope: FunctionScope): FunctionScope | undefined {
    for (let s: FunctionScope | undefined = scope; s; s = s.parent) if (s.cls) return s;
    return undefined;
  }

  /** `self` inside a method (or a function nested in one). */
  isSelf(node: SyntaxNode | undefined, scope: FunctionScope): boolean {
    if (node?.name !== 'VariableName') return false;
    const method = this.methodScope(scope);
    const self = method?.params[0]?.name;
    if (!self || this.text(node) !== self) return false;
    const found = this.model.lookup(self, scope);
    return found?.scope === method;
  }

  classOf(scope: FunctionScope): ClassModel | undefined {
    return this.methodScope(scope)?.cls;
  }

  /** In-file base classes, nearest first. */
  baseClasses(cls: ClassModel, seen = new Set<ClassModel>()): ClassModel[] {
    const result: ClassModel[] = [];
    for (const base of cls.bases) {
      if (base.name !== 'VariableName') continue;
      const found = this.model.lookup(this.text(base), cls.scope);
      const binding = found?.binding.find((b) => b.kind === 'class');
      if (binding?.kind === 'class' && !seen.has(binding.cls)) {
        seen.add(binding.cls);
        result.push(binding.cls, ...this.baseClasses(binding.cls, seen));
      }
    }
    return result;
  }

  method(cls: ClassModel, name: string): FunctionScope | undefined {
    return cls.methods.get(name) ?? this.baseClasses(cls).map((b) => b.methods.get(name)).find((m) => m);
  }

  /** The in-file class a call instantiates (`C(...)`), if any. */
  instantiatedClass(node: SyntaxNode, scope: FunctionScope): ClassModel | undefined {
    if (node.name !== 'CallExpression' || node.firstChild?.name !== 'VariableName') return undefined;
    const found = this.model.lookup(this.text(node.firstChild), scope);
    const binding = found?.binding.find((b) => b.kind === 'class');
    return binding?.kind === 'class' ? binding.cls : undefined;
  }

  /** The in-file class `self.output()` returns an instance of. */
  outputClass(cls: ClassModel): ClassModel | undefined {
    const output = this.method(cls, 'output');
    if (!output) return undefined;
    for (const ret of output.returns) {
      const value = children(ret).find((c) => c.name !== 'return');
      const target = value && this.instantiatedClass(value, output);
      if (target) return target;
    }
    return undefined;
  }

  // ---- object kinds ----

  objectKind(node: SyntaxNode | undefined, scope: FunctionScope, depth = 0): ObjectKind | undefined {
    if (!node || depth > 6) return undefined;
    // Nested expressions share their start offset: the end and the node type tell them apart.
    const key = nodeKey(node, scope.id, node.type.id);
    if (this.kindMemo.has(key)) return this.kindMemo.get(key);
    this.kindMemo.set(key, undefined);
    const kind = this.computeKind(node, scope, depth);
    this.kindMemo.set(key, kind);
    return kind;
  }

  private computeKind(node: SyntaxNode, scope: FunctionScope, depth: number): ObjectKind | undefined {
    switch (node.name) {
      case 'ParenthesizedExpression': {
        const inner = children(node).filter((c) => c.name !== '(' && c.name !== ')');
        return inner.length === 1 ? this.objectKind(inner[0], scope, depth + 1) : undefined;
      }
      case 'CallExpression': {
        const call = this.call(node);
        if (!call) return undefined;
        const qualified = this.qualify(call.callee, scope);
        if (qualified && CONNECT_FUNCTIONS.has(qualified)) return 'database';
        if (qualified && MARKER_TARGETS.has(qualified)) return 'output';
        switch (call.method) {
          case 'batch':
            return call.positional.length === 0 ? 'batch' : undefined;
          case 'transaction':
            return 'sessionTxn';
          case 'snapshot':
          case 'batch_snapshot':
            return 'snapshot';
          case 'mutation_groups':
            return 'groups';
          case 'group':
            return this.objectKind(call.receiver, scope, depth + 1) === 'groups' ? 'group' : undefined;
          case 'database':
            return 'database';
          case 'session':
            return 'session';
          case 'output':
            return 'output';
          case 'input':
            return 'input';
        }
        return undefined;
      }
      case 'MemberExpression': {
        const object = node.firstChild;
        if (node.getChild('[')) {
          // self.output()["x"], self.input()[0]
          const kind = this.objectKind(object ?? undefined, scope, depth + 1);
          return kind === 'output' || kind === 'input' ? kind : undefined;
        }
        const qualified = this.qualify(node, scope);
        if (qualified && MUTATION_CLASSES.has(qualified)) return 'mutationClass';
        const property = node.lastChild?.name === 'PropertyName' ? this.text(node.lastChild) : '';
        if (this.isSelf(object ?? undefined, scope) && /^_?(db|database|spanner_database)$/.test(property)) return 'database';
        return undefined;
      }
      case 'VariableName': {
        const name = this.text(node);
        const qualified = this.qualify(node, scope);
        if (qualified && MUTATION_CLASSES.has(qualified)) return 'mutationClass';
        const found = this.model.lookup(name, scope);
        if (!found) return undefined;
        for (const binding of found.binding) {
          let kind: ObjectKind | undefined;
          if (binding.kind === 'context' || binding.kind === 'value') kind = binding.kind === 'value' && binding.unpackIndex !== undefined ? undefined : this.objectKind(binding.value, found.scope, depth + 1);
          else if (binding.kind === 'param') kind = this.paramKind(found.scope, binding.index, binding.annotation, name);
          if (kind) return kind;
        }
        return undefined;
      }
    }
    return undefined;
  }

  private paramKind(scope: FunctionScope, index: number, annotation: string | undefined, name: string): ObjectKind | undefined {
    const txn = this.txnFunctions.get(scope);
    if (txn && txn.paramIndex === index) return 'transaction';
    if (annotation) {
      if (/\bTransaction\b/.test(annotation)) return 'transaction';
      if (/\bBatch\b/.test(annotation)) return 'batch';
      if (/\bDatabase\b/.test(annotation)) return 'database';
    }
    if (/^(transaction|txn|tx|trx)$/.test(name)) return 'transaction';
    if (name === 'batch') return 'batch';
    if (/^(database|db)$/.test(name)) return 'database';
    // A helper's parameter: whatever its callers pass.
    for (const caller of this.callers(scope)) {
      const argumentNode = caller.call.positional[index - caller.offset];
      const kind = argumentNode ? this.objectKind(argumentNode, caller.scope, 4) : undefined;
      if (kind) return kind;
    }
    return undefined;
  }

  // ---- calls ----

  /** In-file functions a call may run; `offset` is 1 for bound methods (`self` not passed). */
  private readonly resolveMemo = new Map<CallParts, Array<{ target: FunctionScope; offset: number }>>();

  resolveCall(call: CallParts, scope: FunctionScope): Array<{ target: FunctionScope; offset: number }> {
    let resolved = this.resolveMemo.get(call);
    if (!resolved) {
      resolved = this.computeResolveCall(call, scope);
      this.resolveMemo.set(call, resolved);
    }
    return resolved;
  }

  private computeResolveCall(call: CallParts, scope: FunctionScope): Array<{ target: FunctionScope; offset: number }> {
    const callee = call.callee;
    if (callee.name === 'VariableName') {
      const found = this.model.lookup(this.text(callee), scope);
      const fn = found?.binding.find((b) => b.kind === 'function');
      if (fn?.kind === 'function') return [{ target: fn.scope, offset: 0 }];
      return [];
    }
    if (!call.method || !call.receiver) return [];
    const receiver = call.receiver;
    if (this.isSelf(receiver, scope)) {
      const cls = this.classOf(scope);
      const target = cls && this.method(cls, call.method);
      return target ? [{ target, offset: 1 }] : [];
    }
    // super().m()
    if (receiver.name === 'CallExpression' && receiver.firstChild && this.text(receiver.firstChild) === 'super') {
      const cls = this.classOf(scope);
      const target = cls && this.baseClasses(cls).map((b) => b.methods.get(call.method!)).find((m) => m);
      return target ? [{ target, offset: 1 }] : [];
    }
    // self.output().touch(), marker = self.output(); marker.touch()
    if (this.objectKind(receiver, scope) === 'output') {
      const cls = this.classOf(scope);
      const targetClass = cls && this.outputClass(cls);
      const target = targetClass && this.method(targetClass, call.method);
      return target ? [{ target, offset: 1 }] : [];
    }
    const instantiated = this.instantiatedClass(receiver, scope) ?? this.boundInstance(receiver, scope);
    const target = instantiated && this.method(instantiated, call.method);
    return target ? [{ target, offset: 1 }] : [];
  }

  private boundInstance(node: SyntaxNode, scope: FunctionScope): ClassModel | undefined {
    if (node.name !== 'VariableName') return undefined;
    const found = this.model.lookup(this.text(node), scope);
    for (const binding of found?.binding ?? []) {
      if (binding.kind === 'value' || binding.kind === 'context') {
        const cls = this.instantiatedClass(binding.value, found!.scope);
        if (cls) return cls;
      }
    }
    return undefined;
  }

  /** Calls anywhere in the file that may run `target`. */
  callers(target: FunctionScope): Array<{ call: CallParts; scope: FunctionScope; offset: number }> {
    const cached = this.callersMemo.get(target);
    if (cached) return cached;
    const result: Array<{ call: CallParts; scope: FunctionScope; offset: number }> = [];
    this.callersMemo.set(target, result);
    for (const scope of this.model.scopes) {
      for (const call of scope.calls) {
        if (call.method !== target.name && this.text(call.callee) !== target.name) continue;
        for (const resolved of this.resolveCall(call, scope)) if (resolved.target === target) result.push({ call, scope, offset: resolved.offset });
      }
    }
    return result;
  }

  /** The function a callable argument names: a local def, `self.m`, a lambda, `functools.partial(f, ...)`. */
  callableTarget(node: SyntaxNode | undefined, scope: FunctionScope): { target: FunctionScope; offset: number } | undefined {
    if (!node) return undefined;
    if (node.name === 'LambdaExpression') {
      const target = this.model.scopeOf(node);
      return target ? { target, offset: 0 } : undefined;
    }
    if (node.name === 'VariableName') {
      const found = this.model.lookup(this.text(node), scope);
      const fn = found?.binding.find((b) => b.kind === 'function');
      return fn?.kind === 'function' ? { target: fn.scope, offset: 0 } : undefined;
    }
    if (node.name === 'MemberExpression' && this.isSelf(node.firstChild ?? undefined, scope) && node.lastChild?.name === 'PropertyName') {
      const cls = this.classOf(scope);
      const target = cls && this.method(cls, this.text(node.lastChild));
      return target ? { target, offset: 1 } : undefined;
    }
    if (node.name === 'CallExpression') {
      const call = this.call(node);
      if (call && /(^|\.)partial$/.test(this.qualify(call.callee, scope) ?? '')) return this.callableTarget(call.positional[0], scope);
    }
    return undefined;
  }

  private findTransactionFunctions(): void {
    for (const scope of this.model.scopes) {
      for (const call of scope.calls) {
        if (call.method !== 'run_in_transaction') continue;
        const resolved = this.callableTarget(argument(call, 0, 'func'), scope);
        if (resolved) this.txnFunctions.set(resolved.target, { scope: resolved.target, paramIndex: resolved.offset, call, library: false });
      }
    }
    // SpannerTask.write(self, transaction) runs inside the library's run_in_transaction.
    for (const cls of this.model.classes) {
      const write = cls.methods.get('write');
      if (write && this.contextOf(cls)?.spannerTask) this.txnFunctions.set(write, { scope: write, paramIndex: 1, library: true });
    }
  }

  /** Tables that in-file targets read in exists(): those are marker tables. */
  private findMarkerTables(): void {
    for (const cls of this.model.classes) {
      const exists = cls.methods.get('exists');
      if (!exists) continue;
      for (const call of exists.calls) {
        if (call.method === 'read') {
          const table = this.tableName(argument(call, 0, 'table'), exists);
          if (table) this.markerTables.add(table.toLowerCase());
        }
        if (call.method === 'execute_sql') {
          const sql = this.sqlOf(argument(call, 0, 'sql'), exists);
          const from = sql && /\bFROM\s+`?(\w+)/i.exec(sql.text);
          if (from) this.markerTables.add(from[1]!.toLowerCase());
        }
      }
    }
  }

  isMarkerTable(table: string | undefined): boolean {
    return !!table && (MARKER_TABLE.test(table) || this.markerTables.has(table.toLowerCase()));
  }

  // ---- constants ----

  /** A string literal, or a name / `self.attr` bound to one. */
  stringConstant(node: SyntaxNode | undefined, scope: FunctionScope, depth = 0): string | undefined {
    if (!node || depth > 4) return undefined;
    const literal = stringValue(node, this.model.src);
    if (literal) return literal.text;
    const value = this.constantBinding(node, scope);
    return value ? this.stringConstant(value.node, value.scope, depth + 1) : undefined;
  }

  /** The single value a name, `self.attr` or `cls.attr` is bound to. */
  constantBinding(node: SyntaxNode, scope: FunctionScope): { node: SyntaxNode; scope: FunctionScope } | undefined {
    if (node.name === 'VariableName') {
      const found = this.model.lookup(this.text(node), scope);
      const values = found?.binding.filter((b) => b.kind === 'value' && b.unpackIndex === undefined) ?? [];
      if (values.length === 1 && values[0]!.kind === 'value') return { node: values[0]!.value, scope: found!.scope };
      return undefined;
    }
    if (node.name === 'MemberExpression' && node.lastChild?.name === 'PropertyName' && this.isSelf(node.firstChild ?? undefined, scope)) {
      const cls = this.classOf(scope);
      const name = this.text(node.lastChild);
      for (const c of cls ? [cls, ...this.baseClasses(cls)] : []) {
        const attribute = c.attributes.get(name);
        if (attribute) return { node: attribute.value, scope: c.scope };
      }
    }
    return undefined;
  }

  /**
   * A table name: a literal, or what the one resolver (analysis/table-names.ts: constants across
   * files, class attributes through the task's bases, Parameter defaults, f-strings) makes of it.
   * Function locals are substituted here, from this file's bindings; a local bound more than once
   * is not known.
   */
  tableName(node: SyntaxNode | undefined, scope: FunctionScope): string | undefined {
    if (!node) return undefined;
    const expr = this.stringExpr(node, scope);
    if (expr.k === 'lit') return expr.v;
    if (!this.tableNames) return this.stringConstant(node, scope);
    const text = knownText(this.resolve(expr, scope));
    return text !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(text) ? text : undefined;
  }

  /** The table a DML text that is not one literal writes, resolved as the graph does. */
  private sqlWrittenTable(node: SyntaxNode, scope: FunctionScope): string | undefined {
    if (!this.tableNames) return undefined;
    return sqlTemplateAccess(this.resolve(this.stringExpr(node, scope), scope).segments).writes[0];
  }

  private resolve(expr: StringExpr, scope: FunctionScope): StringValue {
    return this.tableNames!(expr, this.classOf(scope)?.name);
  }

  private stringExpr(node: SyntaxNode, scope: FunctionScope, compiling = new Set<string>()): StringExpr {
    const method = this.methodScope(scope);
    const selfName = method?.cls ? method.params[0]?.name : undefined;
    return compileStringExpr(node, this.model.src, {
      ...(selfName !== undefined ? { selfName } : {}),
      local: (name) => {
        const found = this.model.lookup(name, scope);
        if (!found || found.scope.kind === 'module') return undefined; // the module's names: the resolver's
        const only = found.binding.length === 1 ? found.binding[0] : undefined;
        if (only?.kind !== 'value' || only.unpackIndex !== undefined || compiling.has(name)) return { k: 'unknown', text: name };
        compiling.add(name);
        try {
          return this.stringExpr(only.value, found.scope, compiling);
        } finally {
          compiling.delete(name);
        }
      },
    });
  }

  /** Column names of a list literal (or a constant bound to one). */
  stringList(node: SyntaxNode | undefined, scope: FunctionScope, depth = 0): string[] | undefined {
    if (!node || depth > 4) return undefined;
    const elements = sequenceElements(node);
    if (elements) {
      const names = elements.map((e) => stringValue(e, this.model.src)?.text);
      return names.every((n): n is string => n !== undefined) ? names : undefined;
    }
    if (node.name === 'CallExpression') {
      const call = this.call(node);
      if (call && ['builtins.list', 'builtins.tuple'].includes(this.qualify(call.callee, scope) ?? '')) return this.stringList(call.positional[0], scope, depth + 1);
    }
    const value = this.constantBinding(node, scope);
    return value ? this.stringList(value.node, value.scope, depth + 1) : undefined;
  }

  /** SQL text of a string expression or a name bound to one. */
  sqlOf(node: SyntaxNode | undefined, scope: FunctionScope, depth = 0): SqlText | undefined {
    if (!node || depth > 4) return undefined;
    const key = nodeKey(node, scope.id);
    if (this.sqlMemo.has(key)) return this.sqlMemo.get(key);
    const result = this.computeSql(node, scope, depth);
    this.sqlMemo.set(key, result);
    return result;
  }

  private computeSql(node: SyntaxNode, scope: FunctionScope, depth: number): SqlText | undefined {
    const value = stringValue(node, this.model.src);
    if (value) return looksLikeSql(value.text) ? { ...value, node, info: analyzeSql(value.text) } : undefined;
    const bound = this.constantBinding(node, scope);
    return bound ? this.sqlOf(bound.node, bound.scope, depth + 1) : undefined;
  }

  // ---- writes ----

  private asWrites(call: CallParts, scope: FunctionScope): WriteSite[] {
    const method = call.method;
    if (!method || !call.receiver) {
      return [];
    }
    if (MUTATION_METHODS.has(method)) {
      const receiverKind = this.objectKind(call.receiver, scope);
      const shaped = method === 'delete' ? call.positional.length >= 2 || call.keywords.has('keyset') : call.positional.length >= 3 || call.keywords.has('columns');
      if (!shaped) return [];
      if (!receiverKind || !WRITE_RECEIVERS.has(receiverKind)) {
        // An unknown receiver counts when its name says what it is: `txn.insert("T", cols, rows)`.
        const name = this.text(call.receiver);
        if (!/(^|_)(batch|txn|transaction|tx|trx|group)$/i.test(name)) return [];
      }
      const tableNode = argument(call, 0, 'table');
      const write: WriteSite = { call, scope, op: method, ...(receiverKind ? { receiverKind } : {}) };
      const table = this.tableName(tableNode, scope);
      if (table) write.table = table;
      if (method !== 'delete') {
        const columns = this.stringList(argument(call, 1, 'columns'), scope);
        if (columns) write.columns = columns;
        const values = argument(call, 2, 'values');
        if (values) write.values = values;
      }
      return [write];
    }
    if (DML_METHODS.has(method)) {
      const receiverKind = this.objectKind(call.receiver, scope);
      const statements: Array<{ node: SyntaxNode | undefined; params?: SyntaxNode }> = [];
      if (method === 'batch_update') {
        const list = argument(call, 0, 'statements');
        for (const element of (list && sequenceElements(list)) ?? []) {
          const tuple = sequenceElements(element);
          statements.push(tuple ? { node: tuple[0], ...(tuple[1] ? { params: tuple[1] } : {}) } : { node: element });
        }
      } else {
        const params = call.keywords.get('params') ?? call.positional[1];
        statements.push({ node: argument(call, 0, 'dml'), ...(params ? { params } : {}) });
      }
      const writes: WriteSite[] = [];
      for (const statement of statements) {
        const sql = this.sqlOf(statement.node, scope);
        if (!sql) continue;
        const write: WriteSite = { call, scope, op: sql.info.kind, dml: sql, ...(receiverKind ? { receiverKind } : {}) };
        // An f-string's table (`DELETE FROM {TABLE} WHERE ...`) as the graph resolves it; a literal's as written.
        const table = sql.node.name === 'String' || sql.node.name === 'ContinuedString' ? sql.info.table : this.sqlWrittenTable(sql.node, scope);
        if (table) write.table = table;
        if (statement.params) write.params = this.dictEntries(statement.params, scope);
        writes.push(write);
      }
      return writes;
    }
    return [];
  }

  /** `{"a": x}` or `dict(a=x)` (or a name bound to one) as name -> value. */
  dictEntries(node: SyntaxNode, scope: FunctionScope, depth = 0): Map<string, SyntaxNode> {
    const entries = new Map<string, SyntaxNode>();
    if (depth > 3) return entries;
    if (node.name === 'DictionaryExpression') {
      const parts = children(node).filter((c) => !['{', '}', ','].includes(c.name));
      for (let k = 0; k + 2 < parts.length + 1; k += 3) {
        const key = parts[k] && stringValue(parts[k]!, this.model.src)?.text;
        const value = parts[k + 2];
        if (key !== undefined && value && parts[k + 1]?.name === ':') entries.set(key, value);
      }
      return entries;
    }
    if (node.name === 'CallExpression') {
      const call = this.call(node);
      if (call && this.qualify(call.callee, scope) === 'builtins.dict') for (const [k, v] of call.keywords) entries.set(k, v);
      return entries;
    }
    const bound = this.constantBinding(node, scope);
    return bound ? this.dictEntries(bound.node, bound.scope, depth + 1) : entries;
  }

  // ---- commits ----

  /** Where a write commits: one unit per way its receiver can be reached. */
  unitsOf(write: WriteSite): Unit[] {
    if (write.receiverKind === 'mutationClass') {
      const cls = this.libraryClassReaching(write.scope);
      return cls ? [{ kind: 'library', node: cls.node, key: `library:${cls.node.from}` }] : [];
    }
    return this.receiverUnits(write.call.receiver!, write.scope, 0);
  }

  /** Units of whatever a transaction-like expression denotes. */
  receiverUnits(node: SyntaxNode, scope: FunctionScope, depth: number): Unit[] {
    if (depth > 5) return [];
    if (node.name !== 'VariableName') {
      const kind = this.objectKind(node, scope);
      if (kind === 'batch') return [{ kind: 'batch', node, key: `batch:${node.from}` }];
      if (kind === 'group') return [{ kind: 'group', node, key: `group:${node.from}` }];
      return [];
    }
    const found = this.model.lookup(this.text(node), scope);
    if (!found) return [];
    const units: Unit[] = [];
    for (const binding of found.binding) {
      if (binding.kind === 'context' || binding.kind === 'value') {
        const kind = this.objectKind(binding.value, found.scope);
        const at = binding.kind === 'context' ? binding.statement : binding.node;
        if (kind === 'batch') units.push({ kind: 'batch', node: at, key: `batch:${at.from}` });
        else if (kind === 'sessionTxn') units.push({ kind: 'sessionTxn', node: at, key: `session:${at.from}` });
        else if (kind === 'group') units.push({ kind: 'group', node: at, key: `group:${at.from}` });
      } else if (binding.kind === 'param') {
        const txn = this.txnFunctions.get(found.scope);
        if (txn && txn.paramIndex === binding.index) {
          if (txn.library) {
            const cls = found.scope.cls!;
            units.push({ kind: 'library', node: cls.node, key: `library:${cls.node.from}` });
          } else units.push({ kind: 'txn', node: found.scope.node, key: `txn:${found.scope.node.from}` });
          continue;
        }
        for (const caller of this.callers(found.scope)) {
          const passed = caller.call.positional[binding.index - caller.offset];
          if (passed) units.push(...this.receiverUnits(passed, caller.scope, depth + 1));
        }
      }
    }
    return units;
  }

  /** The SpannerTask whose mutations() (or write()) reaches `scope`, for Mutation helpers. */
  libraryClassReaching(scope: FunctionScope, seen = new Set<FunctionScope>()): ClassModel | undefined {
    if (seen.has(scope)) return undefined;
    seen.add(scope);
    const method = this.methodScope(scope);
    const cls = method?.cls;
    if (cls && this.contextOf(cls)?.spannerTask && (method.name === 'mutations' || method.name === 'write')) return cls;
    const outer = scope.kind === 'module' ? undefined : method ?? scope;
    if (!outer) return undefined;
    for (const caller of this.callers(outer)) {
      const found = this.libraryClassReaching(caller.scope, seen);
      if (found) return found;
    }
    return undefined;
  }

  /** The commit a call makes by itself, if any. */
  commitKind(call: CallParts, scope: FunctionScope): 'transaction' | 'pdml' | 'batch-write' | 'commit' | 'library' | undefined {
    switch (call.method) {
      case 'run_in_transaction':
        return 'transaction';
      case 'execute_partitioned_dml':
        return 'pdml';
      case 'batch_write':
        return 'batch-write';
      case 'commit': {
        const kind = this.objectKind(call.receiver, scope);
        return kind === 'batch' || kind === 'sessionTxn' ? 'commit' : undefined;
      }
      case 'run': {
        const receiver = call.receiver;
        const isSuper = receiver?.name === 'CallExpression' && receiver.firstChild && this.text(receiver.firstChild) === 'super';
        return isSuper && this.contextOf(this.classOf(scope))?.spannerTask ? 'library' : undefined;
      }
    }
    return undefined;
  }

  /** The batch / session.transaction() call a with statement commits at its end. */
  withCommit(withNode: SyntaxNode, scope: FunctionScope): SyntaxNode | undefined {
    for (const part of children(withNode)) {
      if (part.name === 'Body') break;
      if (part.name !== 'CallExpression' && part.name !== 'VariableName') continue;
      if (part.prevSibling?.name === 'as') continue;
      const kind = this.objectKind(part, scope);
      if (kind === 'batch' || kind === 'sessionTxn') return part;
    }
    return undefined;
  }

  /** Whether running `scope` commits (directly or through in-file helpers). */
  commits(scope: FunctionScope): boolean {
    const cached = this.commitMemo.get(scope);
    if (cached !== undefined) return cached;
    this.commitMemo.set(scope, false);
    let result = scope.withs.some((w) => this.withCommit(w, scope));
    for (const call of scope.calls) {
      if (result) break;
      if (this.commitKind(call, scope)) result = true;
      else if (this.resolveCall(call, scope).some((r) => this.commits(r.target))) result = true;
    }
    this.commitMemo.set(scope, result);
    return result;
  }
}
