// Where a value comes from: the calls and names an expression derives from, followed through
// local assignments, loop and comprehension variables, with-targets and module constants.
// Flow-insensitive and intra-file, which is what a linter running on every keystroke can afford.
import { COMMIT_TIMESTAMP_NAMES } from '../../python/spanner-api';
import type { FunctionScope } from './file-model';
import type { SpannerModel } from './spanner-model';
import { children, nodeKey, type SyntaxNode } from '../../python/syntax';

export type SourceKind = 'clock' | 'date-clock' | 'random' | 'commit-ts' | 'unbounded' | 'counter' | 'task-param';

export interface Origin {
  kind: SourceKind;
  node: SyntaxNode;
  /** For task parameters: the parameter name. */
  name?: string;
}

const CLOCK = new Set([
  'datetime.datetime.now',
  'datetime.datetime.utcnow',
  'datetime.datetime.today',
  'time.time',
  'time.time_ns',
  'time.localtime',
  'time.gmtime',
  'pendulum.now',
  'pendulum.today',
  'arrow.now',
  'arrow.utcnow',
  'pandas.Timestamp.now',
  'pandas.Timestamp.utcnow',
  'pandas.Timestamp.today',
]);
const DATE_CLOCK = new Set(['datetime.date.today', 'pendulum.yesterday', 'pendulum.tomorrow']);
const RANDOM = new Set(['uuid.uuid1', 'uuid.uuid4', 'os.urandom']);
const RANDOM_PREFIXES = ['random.', 'secrets.', 'numpy.random.'];
const READS = new Set(['execute_sql', 'read', 'execute_update', 'batch_update', 'execute_partitioned_dml']);
const LISTINGS = new Set(['glob.glob', 'glob.iglob', 'os.listdir', 'os.scandir', 'os.walk']);
const LISTING_METHODS = new Set(['glob', 'rglob', 'iterdir']);
/** Calls whose result says nothing about where their arguments came from. */
const OPAQUE = new Set(['builtins.len', 'builtins.bool', 'builtins.isinstance', 'builtins.hasattr', 'builtins.id', 'builtins.type', 'builtins.any', 'builtins.all', 'builtins.callable', 'builtins.print', 'builtins.repr']);

export class Flow {
  constructor(private readonly spanner: SpannerModel) {}

  private get model() {
    return this.spanner.model;
  }

  private readonly memo = new Map<number | string, Origin[]>();

  /** Source calls of the wanted kinds that `node` derives from. */
  origins(node: SyntaxNode | undefined, scope: FunctionScope, kinds: ReadonlySet<SourceKind>): Origin[] {
    if (!node) return [];
    // One walk finds every kind; the rules ask for several kinds of the same values.
    const key = nodeKey(node, scope.id, node.type.id);
    let all = this.memo.get(key);
    if (!all) {
      all = [];
      this.visit(node, scope, ALL_KINDS, all, new Set(), 0);
      this.memo.set(key, all);
    }
    return all.filter((o) => kinds.has(o.kind));
  }

  /** What a single call or name produces, when it is a source. */
  sourceOf(node: SyntaxNode, scope: FunctionScope): SourceKind | undefined {
    if (node.name === 'VariableName') {
      if (this.spanner.text(node) !== 'COMMIT_TIMESTAMP') return undefined;
      const qualified = this.spanner.qualify(node, scope);
      return qualified && /(^|\.)spanner(_v1)?\.COMMIT_TIMESTAMP$/.test(qualified) ? 'commit-ts' : undefined;
    }
    if (node.name === 'MemberExpression') {
      const property = node.lastChild;
      if (property?.name !== 'PropertyName') return undefined;
      const name = this.spanner.text(property);
      if (name === 'COMMIT_TIMESTAMP') {
        const qualified = this.spanner.qualify(node, scope);
        return qualified && (COMMIT_TIMESTAMP_NAMES.has(qualified) || /(^|\.)spanner(_v1)?\.COMMIT_TIMESTAMP$/.test(qualified)) ? 'commit-ts' : undefined;
      }
      if (this.spanner.isSelf(node.firstChild ?? undefined, scope)) {
        const cls = this.spanner.classOf(scope);
        if (cls && this.isParameterAttribute(cls, name)) return 'task-param';
      }
      return undefined;
    }
    if (node.name !== 'CallExpression') return undefined;
    const call = this.spanner.call(node);
    if (!call) return undefined;
    const qualified = this.spanner.qualify(call.callee, scope) ?? '';
    if (CLOCK.has(qualified)) return 'clock';
    if (DATE_CLOCK.has(qualified)) return 'date-clock';
    if (RANDOM.has(qualified) || RANDOM_PREFIXES.some((p) => qualified.startsWith(p))) return 'random';
    if (qualified === 'itertools.count') return 'counter';
    if (LISTINGS.has(qualified) || (call.method && LISTING_METHODS.has(call.method) && call.positional.length <= 1)) return 'unbounded';
    if (qualified === 'builtins.open') return 'unbounded';
    if (qualified === 'builtins.range') {
      // range(N) with a constant N is bounded; range(len(rows)) is as long as rows.
      const stop = call.positional.length === 1 ? call.positional[0] : call.positional[1];
      if (!stop || this.isConstantNumber(stop)) return undefined;
      // range(start, start + CHUNK): a constant-size window.
      const start = call.positional.length >= 2 ? call.positional[0] : undefined;
      if (start && stop.name === 'BinaryExpression') {
        const [left, op, right] = children(stop);
        if (left && right && op && this.spanner.text(op) === '+' && this.spanner.text(left) === this.spanner.text(start) && this.isConstantNumber(right)) return undefined;
      }
      const inner = stop.name === 'CallExpression' ? this.spanner.call(stop) : undefined;
      if (inner && this.spanner.qualify(inner.callee, scope) === 'builtins.len') return undefined;
      return 'unbounded';
    }
    if (call.method === 'open' && call.receiver && this.spanner.objectKind(call.receiver, scope) !== 'input') {
      // target.open() of anything but the task's own input: a file the task does not bound.
      const receiverKind = this.spanner.objectKind(call.receiver, scope);
      if (receiverKind !== 'output' && !this.derivesFromInput(call.receiver, scope)) return 'unbounded';
    }
    if ((call.method === 'execute_sql' || call.method === 'read') && call.receiver) {
      if (call.method === 'execute_sql') {
        const sql = this.spanner.sqlOf(call.positional[0] ?? call.keywords.get('sql'), scope);
        if (sql?.info.readsMax) return 'counter';
        // Bounded: LIMIT, or filtered by the task's own parameters (the task's chunk).
        if (sql?.info.hasLimit) return undefined;
        const params = call.keywords.get('params') ?? call.positional[1];
        if (params && sql) {
          const used = [...this.spanner.dictEntries(params, scope)].filter(([name]) => sql.info.filterParams.has(name));
          if (used.some(([, v]) => this.origins(v, scope, TASK_PARAM).length > 0)) return undefined;
        }
      }
      return 'unbounded';
    }
    return undefined;
  }

  /** `self.input()` (or a value read through it). */
  derivesFromInput(node: SyntaxNode, scope: FunctionScope): boolean {
    let current: SyntaxNode | null = node;
    while (current) {
      if (this.spanner.objectKind(current, scope) === 'input') return true;
      if (current.name === 'VariableName') {
        const found = this.model.lookup(this.spanner.text(current), scope);
        return !!found?.binding.some((b) => (b.kind === 'value' || b.kind === 'context') && this.derivesFromInput(b.value, found.scope));
      }
      current = current.name === 'MemberExpression' || current.name === 'CallExpression' ? current.firstChild : null;
    }
    return false;
  }

  private isParameterAttribute(cls: import('./file-model').ClassModel, name: string): boolean {
    for (const c of [cls, ...this.spanner.baseClasses(cls)]) {
      const attribute = c.attributes.get(name);
      if (attribute) return /Parameter\s*\(/.test(this.spanner.text(attribute.value));
    }
    return false;
  }

  private visit(node: SyntaxNode, scope: FunctionScope, kinds: ReadonlySet<SourceKind>, found: Origin[], seen: Set<string>, depth: number): void {
    if (depth > 40) return;
    const source = this.sourceOf(node, scope);
    if (source) {
      if (kinds.has(source)) found.push({ kind: source, node, ...(source === 'task-param' ? { name: this.spanner.text(node.lastChild!) } : {}) });
      // A source's own arguments still flow (e.g. open(path) for a clock-named path): not needed.
      return;
    }
    switch (node.name) {
      case 'LambdaExpression':
      case 'FunctionDefinition':
        return;
      case 'CallExpression': {
        const call = this.spanner.call(node);
        if (call && OPAQUE.has(this.spanner.qualify(call.callee, scope) ?? '')) return;
        // Rows read from the database are data, not their query's parameters.
        if (call?.method && READS.has(call.method)) return;
        break;
      }
      case 'MemberExpression': {
        // rows[a:b]: a slice of constant size bounds the rows.
        if (kinds.has('unbounded') && this.isConstantSlice(node)) {
          this.visit(node.firstChild!, scope, BOUNDED_KINDS, found, seen, depth + 1);
          return;
        }
        break;
      }
      case 'VariableName': {
        const name = this.spanner.text(node);
        // `name=` in an argument list is a keyword, not a use.
        if (node.nextSibling?.name === 'AssignOp' && node.parent?.name === 'ArgList') return;
        const hit = this.model.lookup(name, scope);
        if (!hit) return;
        const key = `${hit.scope.id}:${name}`;
        if (seen.has(key)) return;
        seen.add(key);
        for (const binding of hit.binding) {
          if (binding.kind === 'value' || binding.kind === 'augmented' || binding.kind === 'context') this.visit(binding.value, hit.scope, kinds, found, seen, depth + 1);
          else if (binding.kind === 'iteration') {
            // for i, row in enumerate(rows): i counts.
            const call = binding.iterable.name === 'CallExpression' ? this.spanner.call(binding.iterable) : undefined;
            if (call && this.spanner.qualify(call.callee, hit.scope) === 'builtins.enumerate' && binding.unpackIndex === 0) {
              if (kinds.has('counter')) found.push({ kind: 'counter', node: binding.iterable });
            } else this.visit(binding.iterable, hit.scope, kinds, found, seen, depth + 1);
          }
        }
        // rows.append(x) after rows = []: the appended values are the rows.
        for (const arg of this.appended(hit.scope).get(name) ?? []) this.visit(arg, hit.scope, kinds, found, seen, depth + 1);
        return;
      }
    }
    for (let child = node.firstChild; child; child = child.nextSibling) this.visit(child, scope, kinds, found, seen, depth + 1);
  }

  private readonly appends = new Map<FunctionScope, Map<string, SyntaxNode[]>>();

  /** Arguments of `name.append(...)` / `name.extend(...)` in a scope, by name. */
  private appended(scope: FunctionScope): Map<string, SyntaxNode[]> {
    let byName = this.appends.get(scope);
    if (byName) return byName;
    byName = new Map();
    for (const call of scope.calls) {
      if ((call.method === 'append' || call.method === 'extend') && call.receiver?.name === 'VariableName') {
        const name = this.spanner.text(call.receiver);
        byName.set(name, [...(byName.get(name) ?? []), ...call.positional]);
      }
    }
    this.appends.set(scope, byName);
    return byName;
  }

  /** `rows[:500]`, `rows[i:i + 500]`, `rows[start : start + CHUNK]` with a constant size. */
  isConstantSlice(node: SyntaxNode): boolean {
    const parts = children(node);
    const open = parts.findIndex((c) => c.name === '[');
    const colon = parts.findIndex((c) => c.name === ':');
    if (open === -1 || colon === -1) return false;
    const lower = parts.slice(open + 1, colon);
    const upper = parts.slice(colon + 1).filter((c) => c.name !== ']' && c.name !== ':');
    if (upper.length !== 1) return false;
    const up = upper[0]!;
    if (lower.length === 0) return this.isConstantNumber(up);
    const low = lower[0]!;
    if (up.name === 'BinaryExpression') {
      const [left, , right] = children(up);
      return !!left && !!right && this.spanner.text(left) === this.spanner.text(low) && this.isConstantNumber(right);
    }
    return false;
  }

  /** A number literal, or an UPPER_CASE module constant bound to one. */
  isConstantNumber(node: SyntaxNode): boolean {
    return this.constantNumber(node) !== undefined;
  }

  constantNumber(node: SyntaxNode | undefined): number | undefined {
    if (!node) return undefined;
    if (node.name === 'Number') {
      const value = Number(this.spanner.text(node).replace(/_/g, ''));
      return Number.isFinite(value) ? value : undefined;
    }
    if (node.name === 'VariableName' && /^[A-Z][A-Z0-9_]*$/.test(this.spanner.text(node))) {
      const bindings = this.model.module.bindings.get(this.spanner.text(node));
      const value = bindings?.length === 1 && bindings[0]!.kind === 'value' ? bindings[0]!.value : undefined;
      return value ? this.constantNumber(value) : undefined;
    }
    return undefined;
  }
}

export const TASK_PARAM: ReadonlySet<SourceKind> = new Set(['task-param']);
const ALL_KINDS: ReadonlySet<SourceKind> = new Set(['clock', 'date-clock', 'random', 'commit-ts', 'unbounded', 'counter', 'task-param']);
const BOUNDED_KINDS: ReadonlySet<SourceKind> = new Set([...ALL_KINDS].filter((k) => k !== 'unbounded'));
