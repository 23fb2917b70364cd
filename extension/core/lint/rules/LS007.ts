// LS007: a side effect inside a function run_in_transaction may call again after an abort.
import type { FunctionScope } from '../python/file-model';
import type { CallParts, SyntaxNode } from '../../python/syntax';
import type { PythonContext } from './python-context';
import type { PythonRule } from './rule';

const MUTATING_METHODS = new Set(['append', 'extend', 'add', 'update', 'insert', 'pop', 'remove', 'clear', 'setdefault', 'discard', 'appendleft', 'popleft', 'sort', 'reverse']);
const SIDE_EFFECT_CALLS = /^(requests|httpx|aiohttp|urllib\.request|urllib3|http\.client|smtplib|socket|subprocess|shutil|boto3|paramiko|ftplib)\.|^os\.(system|remove|unlink|rename|replace|makedirs|mkdir|rmdir|removedirs|popen|spawn\w*|kill)$|^builtins\.(input)$/;
const SIDE_EFFECT_METHODS = new Set(['publish', 'send_message', 'send_messages', 'put_object', 'put_record', 'put_records', 'upload_file', 'upload_fileobj', 'upload_from_filename', 'upload_from_string', 'upload_from_file', 'write_text', 'write_bytes', 'touch', 'sendall', 'sendmail', 'send_message_batch', 'produce', 'post', 'urlopen', 'unlink', 'mkdir', 'rename', 'rmdir', 'delete_blob']);

export const LS007: PythonRule = {
  meta: {
    code: 'LS007',
    name: 'SideEffectInTransactionFunction',
    title: 'Side effect inside a transaction function',
    description:
      'run_in_transaction calls its function again after every abort, so a side effect inside it (outside state, files, requests, messages) repeats. Do side effects after the transaction returns.',
    defaultSeverity: 'warning',
  },
  target: 'python',
  check(ctx) {
    for (const [fn, txn] of ctx.spanner.txnFunctions) {
      const reached = ctx.reach(fn);
      const where = txn.library ? `${fn.cls?.name}.write(), which luigi_spanner runs inside run_in_transaction,` : `${fn.name === '<lambda>' ? 'This transaction function' : `${fn.name}()`} (passed to run_in_transaction)`;
      for (const [scope, entry] of reached) {
        for (const call of scope.calls) {
          if (call.method === 'run_in_transaction') continue; // LS012
          const at = entry?.node ?? call.node;
          const effect = sideEffect(ctx, call, scope, fn, txn.paramIndex);
          if (effect) ctx.report('LS007', at, `${where} runs again after every abort, so ${effect} repeats. Do it after run_in_transaction returns.`);
        }
        for (const withNode of scope.withs) {
          if (scope === fn || entry === null) {
            const commit = ctx.spanner.withCommit(withNode, scope);
            if (commit) ctx.report('LS007', commit, `${where} runs again after every abort, so this separate commit (${ctx.text(commit)}) repeats. Write through the transaction instead.`);
          }
        }
        for (const store of scope.stores) {
          const effect = outerStore(ctx, store, scope, fn);
          if (effect) ctx.report('LS007', entry?.node ?? store, `${where} runs again after every abort, so ${effect} repeats. Compute it from the function's result after run_in_transaction returns.`);
        }
      }
    }
  },
};

function sideEffect(ctx: PythonContext, call: CallParts, scope: FunctionScope, fn: FunctionScope, transactionIndex: number): string | undefined {
  const { spanner } = ctx;
  const qualified = spanner.qualify(call.callee, scope) ?? '';
  if (/^(logging|logger|log|warnings)\b/.test(qualified) || /^builtins\.print$/.test(qualified)) return undefined;
  const receiverText = call.receiver ? ctx.text(call.receiver) : '';
  if (/(^|\.)(log|logger|_log|_logger|LOG|LOGGER)$/.test(receiverText)) return undefined;
  if (qualified === 'builtins.open' && ctx.isWriteMode({ ...call, positional: call.positional.slice(1) })) return `writing a file (${ctx.text(call.node)})`;
  if (call.method === 'open' && ctx.isWriteMode(call)) return `writing ${ctx.text(call.node)}`;
  if (SIDE_EFFECT_CALLS.test(qualified)) return `the call ${ctx.text(call.callee)}(...)`;
  if (call.method && SIDE_EFFECT_METHODS.has(call.method) && spanner.objectKind(call.receiver, scope) === undefined) {
    if (call.method === 'post' && !/(request|session|client|http)/i.test(receiverText)) return undefined;
    return `the call ${ctx.text(call.callee)}(...)`;
  }
  if (call.method === 'batch' && spanner.objectKind(call.node, scope) === 'batch' && ctx.model.enclosingScope(call.node) === scope) {
    // Reported on the with statement.
    return undefined;
  }
  if (call.method && MUTATING_METHODS.has(call.method) && call.receiver) {
    if (spanner.objectKind(call.receiver, scope)) return undefined;
    if ((call.method === 'insert' || call.method === 'update') && call.positional.length >= 3) return undefined;
    const outer = outerObject(ctx, call.receiver, scope, fn, transactionIndex);
    if (outer) return `${call.method}() on ${outer}`;
  }
  return undefined;
}

/** Names the outside object `node` is, when it is one (closure, global, parameter, self). */
function outerObject(ctx: PythonContext, node: SyntaxNode, scope: FunctionScope, fn: FunctionScope, transactionIndex: number): string | undefined {
  let root: SyntaxNode = node;
  while (root.name === 'MemberExpression' && root.firstChild) root = root.firstChild;
  if (root.name !== 'VariableName') return undefined;
  const name = ctx.text(root);
  if (ctx.spanner.isSelf(root, scope)) return node === root ? undefined : `${ctx.text(node)} (state on the task)`;
  const found = ctx.model.lookup(name, scope);
  if (!found) return undefined;
  // Locals of the transaction function (or of helpers it calls) are fresh on every attempt.
  let inside = false;
  for (let s: FunctionScope | undefined = found.scope; s; s = s.parent) if (s === fn) inside = true;
  if (found.scope === fn && found.binding.some((b) => b.kind === 'param' && b.index !== transactionIndex && b.index >= (fn.cls ? 1 : 0))) return `the argument ${name}`;
  if (inside) return undefined;
  if (found.binding.every((b) => b.kind === 'import' || b.kind === 'function' || b.kind === 'class')) return undefined;
  return `${name} (defined outside the function)`;
}

function outerStore(ctx: PythonContext, store: SyntaxNode, scope: FunctionScope, fn: FunctionScope): string | undefined {
  const target = store.firstChild;
  if (!target) return undefined;
  if (store.name === 'UpdateStatement') {
    if (target.name === 'VariableName') {
      const name = ctx.text(target);
      return scope.outerNames.has(name) ? `the update of ${name} (declared global/nonlocal)` : undefined;
    }
    const outer = outerObject(ctx, target, scope, fn, -1);
    return outer ? `the update of ${ctx.text(target)}` : undefined;
  }
  // a[k] = v on an outside object; self.x = v is an idempotent overwrite.
  if (target.name === 'MemberExpression' && target.getChild('[')) {
    const outer = outerObject(ctx, target.firstChild!, scope, fn, -1);
    return outer ? `the store into ${ctx.text(target)}` : undefined;
  }
  return undefined;
}
