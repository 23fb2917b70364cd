// LS005: a client's wall clock written into a timestamp column (or the server clock in DML).
import { isClockFunction } from '../python/sql';
import type { QuickFix } from '../types';
import { commitTimestampFix } from './commit-timestamp-fixes';
import type { PythonRule } from './rule';
import { clockWrites, dmlFunctionUses, writtenValues } from './written-values';

export const LS005: PythonRule = {
  meta: {
    code: 'LS005',
    name: 'ClientClockTimestamp',
    title: 'Client clock written as a timestamp',
    description:
      "A client's wall clock is written into a timestamp column. Clocks differ between machines and retries; spanner.COMMIT_TIMESTAMP gives the one consistent commit time.",
    defaultSeverity: 'warning',
  },
  target: 'python',
  check(ctx) {
    const schema = ctx.schema;
    const clocks = clockWrites(ctx);
    let next = 0;
    for (const { write, inTask } of writtenValues(ctx)) {
      // Column values first, then the write's DML functions, as each write is read.
      for (; next < clocks.length && clocks[next]!.write === write; next++) {
        const { column, origin, scope } = clocks[next]!;
        if (column && write.table && schema?.isKeyColumn(write.table, column)) continue; // LS004
        const definition = column && write.table ? schema?.column(write.table, column) : undefined;
        if (definition && definition.type !== 'TIMESTAMP') continue;
        if (!definition && origin.kind === 'date-clock') continue;
        const target = column && write.table ? `${write.table}.${column}` : write.table ? `a column of ${write.table}` : 'a column';
        const fixes: QuickFix[] = [];
        const replacement = commitTimestampFix(ctx, origin.node, scope, write, column);
        if (replacement) fixes.push(replacement);
        ctx.report('LS005', origin.node, `The client's clock (${ctx.text(origin.node)}) is written into ${target}: clocks differ between machines and retries. Write spanner.COMMIT_TIMESTAMP to get the commit time${definition && !definition.allowCommitTimestamp ? ' (the column then needs allow_commit_timestamp = true)' : ''}.`, { fixes });
      }
      if (!inTask) continue;
      for (const { use, offset, nameTo } of dmlFunctionUses(write)) {
        if (use.inWrittenValue && isClockFunction(use.name)) {
          ctx.report('LS005', write.dml!.node, `${use.name}() writes the server clock at statement time into ${use.column ? `${write.table}.${use.column}` : write.table ?? 'a column'}, not the commit time. Use PENDING_COMMIT_TIMESTAMP() on a column declared allow_commit_timestamp = true.`, { from: offset, to: nameTo });
        }
      }
    }
  },
};
