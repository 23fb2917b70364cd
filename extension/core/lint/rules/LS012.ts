// LS012: run_in_transaction inside a transaction function (the client refuses nesting).
import type { PythonRule } from './rule';

export const LS012: PythonRule = {
  meta: {
    code: 'LS012',
    name: 'NestedTransaction',
    title: 'Nested transaction',
    description: 'run_in_transaction is called inside a transaction function; the client raises "Spanner does not support nested transactions."',
    defaultSeverity: 'error',
  },
  target: 'python',
  check(ctx) {
    for (const [fn, txn] of ctx.spanner.txnFunctions) {
      for (const [scope, entry] of ctx.reach(fn)) {
        for (const call of scope.calls) {
          if (call.method !== 'run_in_transaction') continue;
          ctx.report('LS012', entry?.node ?? call.node, `run_in_transaction inside ${txn.library ? `${fn.cls?.name}.write()` : 'a transaction function'}: the client raises "Spanner does not support nested transactions." Use the transaction you were given.`);
        }
      }
    }
  },
};
