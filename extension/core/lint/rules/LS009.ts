// LS009: a task that writes to Spanner has no completion check.
import type { PythonRule } from './rule';

export const LS009: PythonRule = {
  meta: {
    code: 'LS009',
    name: 'NoCompletionCheck',
    title: 'No completion check',
    description: 'A task that writes to Spanner defines neither output() nor complete(), so every build runs it again.',
    defaultSeverity: 'warning',
  },
  target: 'python',
  check(ctx) {
    for (const cls of ctx.tasks) {
      const context = ctx.spanner.contextOf(cls)!;
      if (context.kind !== 'task' || context.hasCompletionCheck || context.spannerTask) continue;
      if (cls.methods.has('output') || cls.methods.has('complete')) continue;
      const run = cls.methods.get('run');
      if (!run) continue;
      const reached = ctx.reach(run);
      const writes = ctx.spanner.writes.some((w) => reached.has(w.scope)) || [...reached.keys()].some((s) => s.calls.some((c) => ctx.spanner.commitKind(c, s)));
      if (!writes) continue;
      ctx.report('LS009', cls.nameNode, `${cls.name} writes to Spanner but defines neither output() nor complete(): Luigi cannot tell that it finished, so every build runs it (and its writes) again. Derive it from luigi_spanner.SpannerTask, or add an output() whose marker commits with the data.`, { cls, from: cls.node.from, to: cls.nameNode.to });
    }
  },
};
