// LS002: a plain insert where its commit can be replayed (a batch, a mutation group, a task
// rerun whose marker did not commit with the rows).
import type { WriteSite } from '../python/spanner-model';
import { pieceOffset } from '../../python/syntax';
import type { QuickFix } from '../types';
import type { PythonContext } from './python-context';
import type { PythonRule } from './rule';

export const LS002: PythonRule = {
  meta: {
    code: 'LS002',
    name: 'PlainInsertOnReplayablePath',
    title: 'Plain insert on a replayable path',
    description:
      'A plain insert fails with ALREADY_EXISTS when its commit is replayed: a database.batch() or mutation group that the client applies again, or a task rerun because its marker was not committed with the rows. Use insert_or_update keyed by natural keys; in a task, commit the marker in the same transaction.',
    defaultSeverity: 'error',
  },
  target: 'python',
  check(ctx) {
    const reached = ctx.taskReach(['run']);
    let markerUnits: Set<string> | undefined;
    // Commits that also write a marker: marker-table writes and output().record(transaction).
    const unitsWithMarker = () => {
      if (markerUnits) return markerUnits;
      markerUnits = new Set(ctx.spanner.writes.filter((w) => !ctx.isDataWrite(w)).flatMap((w) => ctx.units(w).map((u) => u.key)));
      for (const scope of ctx.model.scopes) {
        for (const call of scope.calls) {
          if (call.method === 'record' && ctx.spanner.objectKind(call.receiver, scope) === 'output') {
            const transaction = call.positional[0] ?? call.keywords.get('transaction');
            for (const u of transaction ? ctx.spanner.receiverUnits(transaction, scope, 0) : []) markerUnits.add(u.key);
          }
        }
      }
      return markerUnits;
    };
    // Code a task runs (reached from its run/write/mutations, or written in its class): there the
    // marker is part of the advice. Anywhere else (scripts, samples, helpers) it is not.
    const taskCode = ctx.taskReach();
    const inTask = (write: WriteSite) => taskCode.has(write.scope) || ctx.taskAt(write.call.node.from) !== undefined;
    for (const write of ctx.spanner.writes) {
      if (write.op !== 'insert') continue;
      const units = ctx.units(write);
      const replayable = units.find((u) => u.kind === 'batch' || u.kind === 'group');
      let reason: string | undefined;
      if (replayable && !inTask(write)) {
        const where = replayable.kind === 'batch' ? 'inside database.batch(), a single-use commit the client may apply twice after an abort' : 'in a mutation group, which batch_write() may apply more than once';
        ctx.report('LS002', write.call.node, `Plain insert${write.table ? ` into ${write.table}` : ''} ${where}: the replay fails with ALREADY_EXISTS although the rows are there. Use insert_or_update keyed by natural keys, so that a replay rewrites the same rows.`, { ...callRange(write), fixes: insertFixes(ctx, write) });
        continue;
      }
      if (replayable) {
        reason = replayable.kind === 'batch' ? 'inside database.batch(), a single-use commit the client may apply twice after an abort' : 'in a mutation group, which batch_write() may apply more than once';
      } else {
        const cls = reached.get(write.scope);
        if (!cls || ctx.spanner.contextOf(cls)?.spannerTask) continue;
        const withMarker = unitsWithMarker();
        if (units.length && units.every((u) => u.kind === 'library' || withMarker.has(u.key))) continue;
        if (!units.length && !ctx.isDataWrite(write)) continue;
        reason = `in ${cls.name}.run(), whose commit does not also write the task's marker: a rerun after a crash inserts the same rows again and fails with ALREADY_EXISTS`;
      }
      const fixes = insertFixes(ctx, write);
      ctx.report('LS002', write.call.node, `Plain insert${write.table ? ` into ${write.table}` : ''} ${reason}. Commit the marker in the same transaction, or use insert_or_update keyed by natural keys.`, { ...callRange(write), fixes });
    }
  },
};

/**
 * The squiggle covers the call's name (`batch.insert`, `transaction.execute_update`), not its
 * arguments: a multi-line call would otherwise underline every line of its rows.
 */
function callRange(write: WriteSite): { from: number; to: number } {
  return { from: write.call.node.from, to: write.call.callee.to };
}

function insertFixes(ctx: PythonContext, write: WriteSite): QuickFix[] {
  if (write.dml) {
    const at = write.dml.info.insertAt;
    if (at === undefined) return [];
    const from = pieceOffset(write.dml.pieces, at);
    return [{ title: 'Use INSERT OR UPDATE', edits: [ctx.edit(from, from + 'INSERT'.length, 'INSERT OR UPDATE')], isPreferred: true }];
  }
  const property = write.call.callee.lastChild;
  if (!property || property.name !== 'PropertyName') return [];
  return [{ title: 'Use insert_or_update', edits: [ctx.edit(property.from, property.to, 'insert_or_update')], isPreferred: true }];
}
