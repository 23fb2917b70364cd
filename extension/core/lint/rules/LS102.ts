// LS102: a commit timestamp written into a column whose DDL does not allow it.
import type { WriteSite } from '../python/spanner-model';
import { isCommitTimestampFunction } from '../python/sql';
import type { QuickFix } from '../types';
import { inPlaceOptionEdit, newMigrationEdit } from './commit-timestamp-fixes';
import type { PythonContext } from './python-context';
import type { PythonRule } from './rule';
import { COMMIT_TS, dmlFunctionUses, writtenValues } from './written-values';

export const LS102: PythonRule = {
  meta: {
    code: 'LS102',
    name: 'CommitTimestampWithoutOption',
    title: 'Commit timestamp without the column option',
    description:
      'Code writes spanner.COMMIT_TIMESTAMP (or PENDING_COMMIT_TIMESTAMP()) into a column whose DDL lacks OPTIONS (allow_commit_timestamp = true); Spanner rejects the commit with FAILED_PRECONDITION.',
    defaultSeverity: 'error',
  },
  target: 'python',
  check(ctx) {
    if (!ctx.schema) return;
    for (const { write, columns } of writtenValues(ctx)) {
      for (const { column, value, scope } of columns) {
        if (column && write.table && ctx.flow.origins(value, scope, COMMIT_TS).length > 0) commitTimestampColumn(ctx, write, column);
      }
      for (const { use } of dmlFunctionUses(write)) {
        if (use.inWrittenValue && isCommitTimestampFunction(use.name) && use.column && write.table) commitTimestampColumn(ctx, write, use.column);
      }
    }
  },
};

function commitTimestampColumn(ctx: PythonContext, write: WriteSite, column: string): void {
  const definition = ctx.schema?.column(write.table!, column);
  if (!definition || definition.allowCommitTimestamp) return;
  const fixes: QuickFix[] = [];
  if (definition.type === 'TIMESTAMP') {
    const migration = newMigrationEdit(ctx, write.table!, column);
    if (migration) fixes.push({ title: `Allow commit timestamps on ${write.table}.${column} in a new migration`, edits: [migration], isPreferred: true });
    const inPlace = inPlaceOptionEdit(ctx, write.table!, column);
    if (inPlace) fixes.push({ title: `Add allow_commit_timestamp = true to ${write.table}.${column} in ${inPlace.file} (only if that migration is not applied anywhere yet)`, edits: [inPlace] });
  }
  const why = definition.type === 'TIMESTAMP' ? `whose DDL lacks OPTIONS (allow_commit_timestamp = true)` : `a ${definition.type} column (commit timestamps only go into TIMESTAMP columns declared allow_commit_timestamp = true)`;
  ctx.report('LS102', write.call.node, `This write puts a commit timestamp into ${write.table}.${column}, ${why} (${definition.file}); Spanner rejects the commit with FAILED_PRECONDITION.`, { fixes });
}
