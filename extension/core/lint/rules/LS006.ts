// LS006: more rows go into one commit than Spanner's mutation limit allows (or nothing bounds them).
import type { FunctionScope } from '../python/file-model';
import type { Origin, SourceKind } from '../python/flow';
import type { WriteSite } from '../python/spanner-model';
import { children, sequenceElements, type SyntaxNode } from '../../python/syntax';
import type { PythonContext } from './python-context';
import type { PythonRule } from './rule';

const UNBOUNDED: ReadonlySet<SourceKind> = new Set(['unbounded']);

export const LS006: PythonRule = {
  meta: {
    code: 'LS006',
    name: 'MutationLimitOverflow',
    title: 'Mutation-limit overflow',
    description:
      'An unbounded number of rows goes into one commit. Spanner rejects commits over 80,000 mutations (rows x columns, index entries included). Bound the chunk, or split the work into tasks keyed by an immutable chunk id.',
    defaultSeverity: 'error',
  },
  target: 'python',
  check(ctx) {
    for (const write of ctx.spanner.writes) {
      if (write.dml) continue;
      const units = ctx.units(write);
      if (!units.length) continue;
      const unitNode = units[0]!.node;
      // Rows from an unbounded source in the values, or a loop over one inside the commit.
      const unbounded = write.values ? rowSourceOrigins(ctx, write.values, write.scope, new Set()) : [];
      let loop: SyntaxNode | undefined;
      // Up to the unit of work (nodes are new objects on each access: compared by range).
      for (let n: SyntaxNode | null = write.call.node.parent; n && !(n.from <= unitNode.from && unitNode.to <= n.to); n = n.parent) {
        if (n.name === 'ForStatement' || n.name === 'WhileStatement') {
          const inAt = children(n).findIndex((c) => c.name === 'in');
          const iterable = children(n)[inAt + 1];
          if (iterable && ctx.flow.origins(iterable, write.scope, UNBOUNDED).length) loop = n;
        }
        if (n.name === 'FunctionDefinition' && ctx.model.scopeOf(n) !== write.scope) break;
      }
      const limit = ctx.input.mutationLimit;
      if (unbounded.length || loop) {
        const source = unbounded[0] ? ctx.text(unbounded[0].node) : ctx.text(children(loop!).find((_c, k, all) => all[k - 1]?.name === 'in')!);
        ctx.report('LS006', write.call.node, `This commit takes one ${write.op} per row of ${source.length > 60 ? `${source.slice(0, 57)}...` : source}, which nothing bounds: Spanner rejects commits over ${limit.toLocaleString('en')} mutations (rows x columns, index entries included). Bound the rows per commit, or split the work into tasks keyed by an immutable chunk id.`);
        continue;
      }
      const rows = constantRowCount(ctx, write);
      if (rows !== undefined) {
        const columns = write.columns?.length ?? 1;
        const schema = ctx.schema;
        const indexes = write.table && schema ? [...schema.indexes.values()].filter((i) => i.table.toLowerCase() === write.table!.toLowerCase() && i.columns.some((c) => write.columns?.some((w) => w.toLowerCase() === c.toLowerCase()))).length : 0;
        const mutations = rows * (columns + indexes);
        if (mutations > limit) {
          ctx.report('LS006', write.call.node, `This commit writes up to ${rows.toLocaleString('en')} rows x ${columns + indexes} (columns and index entries) = ${mutations.toLocaleString('en')} mutations, over Spanner's limit of ${limit.toLocaleString('en')} per commit. Use smaller chunks, each its own task.`);
        }
      }
    }
  },
};

/**
 * Unbounded sources that decide how many rows a values argument holds: the iterables of a
 * comprehension, the loops around `rows.append(...)`, the object of a non-constant slice. The
 * contents of each row do not count (a one-row literal of query results is one row).
 */
function rowSourceOrigins(ctx: PythonContext, node: SyntaxNode, scope: FunctionScope, seen: Set<string>): Origin[] {
  const { flow } = ctx;
  switch (node.name) {
    case 'ArrayExpression':
    case 'TupleExpression': {
      const parts = children(node);
      return parts.filter((_c, k) => parts[k - 1]?.name === '*').flatMap((c) => rowSourceOrigins(ctx, c, scope, seen));
    }
    case 'ArrayComprehensionExpression':
    case 'ComprehensionExpression':
    case 'SetComprehensionExpression':
    case 'DictionaryComprehensionExpression': {
      const parts = children(node);
      return parts.filter((_c, k) => parts[k - 1]?.name === 'in').flatMap((c) => flow.origins(c, scope, UNBOUNDED));
    }
    case 'ParenthesizedExpression':
      return children(node).filter((c) => c.name !== '(' && c.name !== ')').flatMap((c) => rowSourceOrigins(ctx, c, scope, seen));
    case 'MemberExpression':
      if (node.getChild('[')) return flow.isConstantSlice(node) || !node.firstChild ? [] : rowSourceOrigins(ctx, node.firstChild, scope, seen);
      break;
    case 'CallExpression': {
      const call = ctx.spanner.call(node);
      const q = call && ctx.spanner.qualify(call.callee, scope);
      if (call && call.positional[0] && ['builtins.list', 'builtins.tuple', 'builtins.sorted', 'builtins.reversed'].includes(q ?? '')) return rowSourceOrigins(ctx, call.positional[0], scope, seen);
      break;
    }
    case 'VariableName': {
      const name = ctx.text(node);
      const found = ctx.model.lookup(name, scope);
      if (!found) return [];
      const key = `${found.scope.id}:${name}`;
      if (seen.has(key)) return [];
      seen.add(key);
      const origins: Origin[] = [];
      for (const binding of found.binding) {
        if (binding.kind === 'value' && binding.unpackIndex === undefined) origins.push(...rowSourceOrigins(ctx, binding.value, found.scope, seen));
        else if (binding.kind === 'value' || binding.kind === 'context' || binding.kind === 'augmented') origins.push(...flow.origins(binding.value, found.scope, UNBOUNDED));
        else if (binding.kind === 'iteration') origins.push(...flow.origins(binding.iterable, found.scope, UNBOUNDED));
      }
      // rows.append(...) inside loops: the loops' iterables bound the rows.
      for (const call of found.scope.calls) {
        if ((call.method !== 'append' && call.method !== 'extend') || call.receiver?.name !== 'VariableName' || ctx.text(call.receiver) !== name) continue;
        for (let n: SyntaxNode | null = call.node.parent; n && n !== found.scope.node; n = n.parent) {
          if (n.name === 'ForStatement' || n.name === 'WhileStatement') {
            const parts = children(n);
            const iterable = parts[parts.findIndex((c) => c.name === 'in') + 1];
            if (iterable && n.name === 'ForStatement') origins.push(...flow.origins(iterable, found.scope, UNBOUNDED));
          }
        }
        if (call.method === 'extend' && call.positional[0]) origins.push(...rowSourceOrigins(ctx, call.positional[0], found.scope, seen));
      }
      return origins;
    }
  }
  return flow.origins(node, scope, UNBOUNDED);
}

/** Rows in a values argument when a constant bounds them: a literal list or a constant slice. */
function constantRowCount(ctx: PythonContext, write: WriteSite): number | undefined {
  const { flow, spanner } = ctx;
  const values = write.values;
  if (!values) return undefined;
  let node = values;
  if (node.name === 'VariableName') node = spanner.constantBinding(node, write.scope)?.node ?? node;
  if (node.name === 'ArrayExpression' || node.name === 'TupleExpression') return sequenceElements(node)?.length;
  if (node.name === 'ArrayComprehensionExpression') {
    // [... for i in range(N)] or range(start, start + N)
    const parts = children(node);
    const iterables = parts.filter((_c, k) => parts[k - 1]?.name === 'in');
    const range = iterables.length === 1 && iterables[0]!.name === 'CallExpression' ? spanner.call(iterables[0]!) : undefined;
    if (!range || spanner.qualify(range.callee, write.scope) !== 'builtins.range') return undefined;
    const stop = range.positional.length === 1 ? range.positional[0] : range.positional[1];
    if (range.positional.length === 1) return flow.constantNumber(stop);
    return stop?.name === 'BinaryExpression' ? flow.constantNumber(children(stop)[2]) : undefined;
  }
  if (node.name === 'MemberExpression' && flow.isConstantSlice(node)) {
    const parts = children(node);
    const upper = parts[parts.findIndex((c) => c.name === ':') + 1];
    if (upper?.name === 'BinaryExpression') return flow.constantNumber(children(upper)[2]);
    return flow.constantNumber(upper);
  }
  return undefined;
}
