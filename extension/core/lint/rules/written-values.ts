// The values each write puts into each column (literal rows, comprehensions, appended rows, DML
// parameters), shared by the rules on what is written: LS004, LS005, LS010, LS102 and the
// sequential keys LS101 reads.
import type { SequentialKeyWrite } from '../ddl/rules';
import type { FunctionScope } from '../python/file-model';
import type { Origin, SourceKind } from '../python/flow';
import type { WriteSite } from '../python/spanner-model';
import { children, pieceOffset, sequenceElements, type SyntaxNode } from '../../python/syntax';
import type { SqlFunctionUse } from '../python/sql';
import type { PythonContext } from './python-context';

export const CLOCKS: ReadonlySet<SourceKind> = new Set(['clock', 'date-clock']);
export const RANDOMS: ReadonlySet<SourceKind> = new Set(['random']);
export const COMMIT_TS: ReadonlySet<SourceKind> = new Set(['commit-ts']);
const COUNTERS: ReadonlySet<SourceKind> = new Set(['counter']);

export interface ColumnValue {
  /** Undefined when the column is not known. */
  column?: string;
  value: SyntaxNode;
  scope: FunctionScope;
}

export interface WrittenValues {
  write: WriteSite;
  /** Whether a task's run(), write() or mutations() reaches the write. */
  inTask: boolean;
  columns: ColumnValue[];
}

/** Every write of the file with its column values, in source order. */
export function writtenValues(ctx: PythonContext): WrittenValues[] {
  return ctx.memo('writtenValues', () => {
    const reached = ctx.taskReach();
    return ctx.spanner.writes.map((write) => ({ write, inTask: reached.has(write.scope), columns: columnValues(ctx, write) }));
  });
}

/** A wall-clock value written into a column by a task. */
export interface ClockWrite {
  write: WriteSite;
  column: string | undefined;
  origin: Origin;
  scope: FunctionScope;
}

export function clockWrites(ctx: PythonContext): ClockWrite[] {
  return ctx.memo('clockWrites', () => {
    const found: ClockWrite[] = [];
    for (const { write, inTask, columns } of writtenValues(ctx)) {
      if (!inTask) continue;
      for (const { column, value, scope } of columns) for (const origin of ctx.flow.origins(value, scope, CLOCKS)) found.push({ write, column, origin, scope });
    }
    return found;
  });
}

/** SQL functions a DML write uses, with their file offsets. */
export function dmlFunctionUses(write: WriteSite): Array<{ use: SqlFunctionUse; offset: number; nameTo: number }> {
  const sql = write.dml;
  if (!sql) return [];
  return sql.info.functions.map((use) => {
    const offset = pieceOffset(sql.pieces, use.at);
    return { use, offset, nameTo: offset + use.name.length };
  });
}

/** Key columns that leading a table's primary key the code fills from a counter (for LS101). */
export function sequentialKeyWrites(ctx: PythonContext): SequentialKeyWrite[] {
  const schema = ctx.schema;
  const found: SequentialKeyWrite[] = [];
  if (!schema) return found;
  for (const { write, columns } of writtenValues(ctx)) {
    for (const { column, value, scope } of columns) {
      if (column && write.table && schema.isKeyColumn(write.table, column) && ctx.flow.origins(value, scope, COUNTERS).length > 0) {
        const key = schema.table(write.table)?.primaryKey[0];
        if (key && key.toLowerCase() === column.toLowerCase()) found.push({ table: write.table, column, file: ctx.file, line: ctx.lines.line(write.call.node.from) });
      }
    }
  }
  return found;
}

/** (column, value expression) pairs a write writes; column undefined when unknown. */
function columnValues(ctx: PythonContext, write: WriteSite): ColumnValue[] {
  const result: ColumnValue[] = [];
  if (write.dml) {
    for (const [param, value] of write.params ?? []) {
      const assignment = write.dml.info.assignments.find((a) => a.tokens.some((t) => t.kind === 'param' && t.value === param));
      if (assignment || !write.dml.info.filterParams.has(param)) result.push({ ...(assignment ? { column: assignment.column } : {}), value, scope: write.scope });
    }
    return result;
  }
  if (!write.values) return result;
  const rows = rowShapes(ctx, write.values, write.scope, 0);
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

type RowShape = { elements: Array<{ node: SyntaxNode; star: boolean } | undefined>; starAt?: number; scope: FunctionScope };

/** Row expressions of a values argument: literal rows, comprehension elements, appended rows. */
function rowShapes(ctx: PythonContext, node: SyntaxNode, scope: FunctionScope, depth: number): RowShape[] {
  if (depth > 5) return [];
  const rowOf = (row: SyntaxNode, rowScope: FunctionScope): RowShape | undefined => {
    let target = row;
    if (row.name === 'VariableName') {
      const bound = ctx.spanner.constantBinding(row, rowScope);
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
      return (sequenceElements(node) ?? []).map((row) => rowOf(row, scope)).filter((r): r is RowShape => !!r);
    case 'ArrayComprehensionExpression':
    case 'ComprehensionExpression':
    case 'SetComprehensionExpression': {
      const element = children(node)[1];
      const row = element && rowOf(element, scope);
      return row ? [row] : [];
    }
    case 'CallExpression': {
      const call = ctx.spanner.call(node);
      const q = call && ctx.spanner.qualify(call.callee, scope);
      if (call && (q === 'builtins.list' || q === 'builtins.tuple' || q === 'builtins.sorted') && call.positional[0]) return rowShapes(ctx, call.positional[0], scope, depth + 1);
      return [];
    }
    case 'VariableName': {
      const found = ctx.model.lookup(ctx.text(node), scope);
      if (!found) return [];
      const rows = found.binding.flatMap((b) => (b.kind === 'value' && b.unpackIndex === undefined ? rowShapes(ctx, b.value, found.scope, depth + 1) : []));
      for (const call of found.scope.calls) {
        if (call.method === 'append' && call.receiver && ctx.text(call.receiver) === ctx.text(node)) {
          const row = call.positional[0] && rowOf(call.positional[0], found.scope);
          if (row) rows.push(row);
        }
      }
      return rows;
    }
    case 'MemberExpression':
      // rows[a:b]: the rows of `rows`.
      return node.getChild('[') && node.firstChild ? rowShapes(ctx, node.firstChild, scope, depth + 1) : [];
  }
  return [];
}
