// LS001: the completion marker is written outside the data's transaction (a file target, a
// marker row in another commit, or a SUCCESS event handler).
import type { ClassModel, FunctionScope } from '../python/file-model';
import { children, type SyntaxNode } from '../../python/syntax';
import type { PythonContext } from './python-context';
import type { PythonRule } from './rule';

export const LS001: PythonRule = {
  meta: {
    code: 'LS001',
    name: 'MarkerOutsideDataTransaction',
    title: 'Completion marker outside the data transaction',
    description:
      'The task records completion in a commit other than the one that writes its data. A crash between the two leaves data without a marker, and Luigi runs the task again. Write the marker in the same read-write transaction (luigi_spanner.SpannerTask does).',
    defaultSeverity: 'error',
  },
  target: 'python',
  check(ctx) {
    for (const cls of ctx.tasks) {
      const context = ctx.spanner.contextOf(cls)!;
      const run = cls.methods.get('run');
      if (run && context.kind !== 'wrapper' && context.kind !== 'external') markerOutsideTransaction(ctx, cls, run);
    }
    successHandlers(ctx);
  },
};

function markerOutsideTransaction(ctx: PythonContext, cls: ClassModel, run: FunctionScope): void {
  const { spanner } = ctx;
  const reached = ctx.reach(run);
  const writes = spanner.writes.filter((w) => reached.has(w.scope));
  const dataWrites = writes.filter((w) => ctx.isDataWrite(w));
  if (dataWrites.length === 0) return;
  const dataUnits = new Set(dataWrites.flatMap((w) => ctx.units(w).map((u) => u.key)));
  const at = (scope: FunctionScope, node: SyntaxNode) => reached.get(scope)?.node ?? node;
  const outputTarget = describeOutput(ctx, cls);

  for (const [scope, entry] of reached) {
    for (const call of scope.calls) {
      // self.output().touch() / .open("w") / open(self.output().path, "w"): a commit of its
      // own, or no Spanner commit at all.
      const writesOutputFile = spanner.qualify(call.callee, scope) === 'builtins.open' && ctx.isWriteMode({ ...call, positional: call.positional.slice(1) }) && namesOutput(ctx, call.positional[0], scope);
      if (writesOutputFile || ((call.method === 'touch' || (call.method === 'open' && ctx.isWriteMode(call))) && spanner.objectKind(call.receiver, scope) === 'output')) {
        const node = entry?.node ?? call.node;
        ctx.report('LS001', node, `${cls.name} writes Spanner data but records completion with ${ctx.text(call.node).replace(/\s+/g, ' ')}${outputTarget}, which does not commit with that data: a crash in between leaves data without a marker, and Luigi runs the task again. Write the marker in the data's transaction (luigi_spanner.SpannerTask, or SpannerMarkerTarget.record(transaction, ...)).`, { cls });
      }
      // output().record(transaction, ...) in a transaction that writes no data.
      if (call.method === 'record' && spanner.objectKind(call.receiver, scope) === 'output') {
        const transaction = call.positional[0] ?? call.keywords.get('transaction');
        const units = transaction ? spanner.receiverUnits(transaction, scope, 0) : [];
        if (units.length && !units.some((u) => dataUnits.has(u.key))) {
          ctx.report('LS001', at(scope, call.node), `${cls.name} records its marker in a different commit than its data: a crash between the two leaves data without a marker, and Luigi runs the task again. Pass the transaction that writes the data.`, { cls });
        }
      }
    }
  }
  for (const write of writes) {
    if (ctx.isDataWrite(write)) continue;
    const units = ctx.units(write);
    if (units.length && !units.some((u) => dataUnits.has(u.key))) {
      ctx.report('LS001', at(write.scope, write.call.node), `${cls.name} writes its completion marker (${write.table}) in a separate commit from its data: a crash in between leaves data without a marker, and Luigi runs the task again. Write the marker in the same transaction as the data.`, { cls });
    }
  }
}

/** `self.output().path`, `self.output()["x"].path`, or a name bound to one. */
function namesOutput(ctx: PythonContext, node: SyntaxNode | undefined, scope: FunctionScope): boolean {
  for (let n: SyntaxNode | null | undefined = node; n; n = n.name === 'MemberExpression' || n.name === 'CallExpression' ? n.firstChild : null) {
    if (ctx.spanner.objectKind(n, scope) === 'output') return true;
    if (n.name === 'VariableName') {
      const bound = ctx.spanner.constantBinding(n, scope);
      return !!bound && namesOutput(ctx, bound.node, bound.scope);
    }
  }
  return false;
}

function describeOutput(ctx: PythonContext, cls: ClassModel): string {
  const output = ctx.spanner.method(cls, 'output');
  const ret = output?.returns[0];
  const value = ret && children(ret).find((c) => c.name !== 'return');
  if (!value || value.name !== 'CallExpression' || !value.firstChild) return '';
  return ` (a ${ctx.text(value.firstChild)})`;
}

/** Luigi's SUCCESS event handlers run after run() committed: a marker written there is late. */
function successHandlers(ctx: PythonContext): void {
  const { spanner } = ctx;
  for (const scope of ctx.model.scopes) {
    const handler = scope.decorators.some((d) => /event_handler\s*\(/.test(ctx.text(d)) && /\bSUCCESS\b/.test(ctx.text(d)));
    if (!handler) continue;
    for (const [reached, entry] of ctx.reach(scope)) {
      for (const call of reached.calls) {
        const at = entry?.node ?? call.node;
        const marker = ((call.method === 'touch' || (call.method === 'open' && ctx.isWriteMode(call))) && spanner.objectKind(call.receiver, reached) === 'output') || (call.method === 'record' && spanner.objectKind(call.receiver, reached) === 'output');
        const write = spanner.writes.find((w) => w.call === call);
        const commit = spanner.commitKind(call, reached);
        if (marker || write || commit) {
          ctx.report('LS001', at, `A SUCCESS event handler records completion (${ctx.text(call.node).split('\n')[0]}): it runs after run() committed, in a separate commit or none, and Luigi only logs its errors. Write the marker in the task's data transaction.`);
        }
      }
    }
  }
}
