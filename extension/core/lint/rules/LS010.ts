// LS010: a random value written as a row value, so a replay adds rows instead of failing.
import { isRandomFunction } from '../python/sql';
import type { PythonRule } from './rule';
import { dmlFunctionUses, RANDOMS, writtenValues } from './written-values';

export const LS010: PythonRule = {
  meta: {
    code: 'LS010',
    name: 'RandomKey',
    title: 'Random key',
    description:
      'A non-deterministic value is written as a row value, so a replay adds new rows silently instead of failing on the old ones. Derive keys from the input (natural keys, or uuid5 of them).',
    defaultSeverity: 'warning',
  },
  target: 'python',
  check(ctx) {
    for (const { write, inTask, columns } of writtenValues(ctx)) {
      if (!inTask) continue;
      for (const { column, value, scope } of columns) {
        for (const origin of ctx.flow.origins(value, scope, RANDOMS)) {
          ctx.report('LS010', origin.node, `${ctx.text(origin.node)} is written as a row value${column ? ` (${write.table}.${column})` : ''}: a replay adds new rows instead of failing on the old ones. Derive the value from the input (a natural key, or uuid.uuid5 of it).`);
        }
      }
      for (const { use, offset, nameTo } of dmlFunctionUses(write)) {
        if (use.inWrittenValue && isRandomFunction(use.name)) {
          ctx.report('LS010', write.dml!.node, `${use.name}() is written as a row value${use.column ? ` (${write.table}.${use.column})` : ''}: a replay adds new rows instead of failing on the old ones. Derive the value from the input.`, { from: offset, to: nameTo });
        }
      }
    }
  },
};
