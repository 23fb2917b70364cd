// LS008: a task changes the schema while it runs.
import type { PythonRule } from './rule';

export const LS008: PythonRule = {
  meta: {
    code: 'LS008',
    name: 'SchemaChangeInPipeline',
    title: 'Schema change inside a pipeline',
    description:
      'A task changes the schema while it runs. Schema belongs in versioned migrations applied before rollout, not in a task that may run concurrently or twice.',
    defaultSeverity: 'warning',
  },
  target: 'python',
  check(ctx) {
    for (const [scope, cls] of ctx.taskReach()) {
      for (const call of scope.calls) {
        const qualified = ctx.spanner.qualify(call.callee, scope) ?? '';
        let what: string | undefined;
        if (call.method === 'update_ddl') what = 'update_ddl(...)';
        else if (/^luigi_spanner(\.migrations)?\.create_database$/.test(qualified)) what = 'create_database(...)';
        else if (call.method && ['execute_update', 'execute_sql', 'execute_partitioned_dml', 'batch_update'].includes(call.method)) {
          const sql = ctx.spanner.sqlOf(call.positional[0], scope);
          if (sql?.info.kind === 'ddl') what = `DDL (${sql.text.trim().split(/\s+/).slice(0, 3).join(' ')} ...)`;
        }
        if (what) ctx.report('LS008', call.node, `${cls.name} changes the schema while it runs (${what}): a task may run twice or concurrently, and the schema would drift from the versioned migrations. Put the change in a migration applied before rollout.`, { cls });
      }
    }
  },
};
