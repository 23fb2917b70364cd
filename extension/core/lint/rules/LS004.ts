// LS004: a wall clock decides what a task processes or names its batch (parameter defaults,
// requires/output/complete, query filters, task instantiations, key columns, time-window
// parameters over TIMESTAMP filters).
import type { ClassModel, FunctionScope } from '../python/file-model';
import type { SourceKind } from '../python/flow';
import { isClockFunction } from '../python/sql';
import { children, pieceOffset, type CallParts, type SyntaxNode } from '../../python/syntax';
import type { QuickFix } from '../types';
import type { PythonContext } from './python-context';
import type { PythonRule } from './rule';
import { CLOCKS, clockWrites, dmlFunctionUses, writtenValues } from './written-values';

const TASK_PARAMS: ReadonlySet<SourceKind> = new Set(['task-param']);
const WINDOW_PARAMETERS = /(^|\.)(DateParameter|DateHourParameter|DateMinuteParameter|DateSecondParameter|DateIntervalParameter|MonthParameter|YearParameter)$/;
const PARAMETER_CALL = /(^|\.)\w*Parameter$/;

export const LS004: PythonRule = {
  meta: {
    code: 'LS004',
    name: 'TimeWindowBatching',
    title: 'Time-window batching',
    description:
      'A wall-clock value decides what a task processes or names its batch. The window is still open when the task runs, late rows never count, and the graph depends on when the scheduler runs. Key tasks by the immutable inputs they consume.',
    defaultSeverity: 'warning',
  },
  target: 'python',
  check(ctx) {
    for (const cls of ctx.tasks) {
      clockInTaskDefinition(ctx, cls);
      windowParameters(ctx, cls);
    }
    const clocks = clockWrites(ctx);
    let next = 0;
    for (const { write, inTask } of writtenValues(ctx)) {
      for (; next < clocks.length && clocks[next]!.write === write; next++) {
        const { column, origin } = clocks[next]!;
        if (column && write.table && ctx.schema?.isKeyColumn(write.table, column)) {
          ctx.report('LS004', origin.node, `The wall clock (${ctx.text(origin.node)}) names the rows this task writes: it is written into the key column ${write.table}.${column}, so a rerun writes different keys. Key rows by the immutable input they come from.`);
        }
      }
      if (!inTask) continue;
      for (const { use, offset, nameTo } of dmlFunctionUses(write)) {
        if (!use.inWrittenValue && isClockFunction(use.name)) {
          ctx.report('LS004', write.dml!.node, `${use.name}() in this statement's filter decides which rows the task touches by the time it runs. Filter by the task's immutable inputs (a batch id).`, { from: offset, to: nameTo });
        }
      }
    }
  },
};

function clockInTaskDefinition(ctx: PythonContext, cls: ClassModel): void {
  const { spanner, flow } = ctx;
  // Parameter defaults.
  for (const [name, attribute] of cls.attributes) {
    const call = attribute.value.name === 'CallExpression' ? spanner.call(attribute.value) : undefined;
    if (!call || !PARAMETER_CALL.test(spanner.qualify(call.callee, cls.scope) ?? ctx.text(call.callee))) continue;
    const defaultValue = call.keywords.get('default') ?? call.positional[0];
    for (const origin of flow.origins(defaultValue, cls.scope, CLOCKS)) {
      const fix = requiredParameterFix(ctx, call, name);
      ctx.report('LS004', origin.node, `${cls.name}.${name} defaults to the wall clock (${ctx.text(origin.node)}): which batch the task processes depends on when it is scheduled, and a late rerun picks another one. Make ${name} a required parameter and pass the batch explicitly.`, { cls, ...(fix ? { fixes: [fix] } : {}) });
    }
  }
  // requires(), output(), update_id(), complete(): any clock decides what the task is.
  for (const name of ['requires', 'output', 'update_id', 'complete']) {
    const method = cls.methods.get(name);
    if (!method) continue;
    for (const scope of ctx.reach(method).keys()) {
      for (const call of scope.calls) {
        const kind = flow.sourceOf(call.node, scope);
        if (kind === 'clock' || kind === 'date-clock') {
          ctx.report('LS004', call.node, `${cls.name}.${name}() reads the wall clock (${ctx.text(call.node)}): the task's ${name === 'requires' ? 'dependencies' : name === 'output' ? 'output' : 'identity'} depend on when the scheduler runs, and a window is "complete" before its late rows arrive. Derive it from the task's parameters instead.`, { cls });
        }
      }
    }
  }
  // Clock values in query parameters and in task instantiations (the task names its batch).
  for (const scope of ctx.classReach(cls)) {
    for (const call of scope.calls) {
      if (call.method === 'execute_sql' || call.method === 'read') {
        const params = call.keywords.get('params') ?? (call.method === 'execute_sql' ? call.positional[1] : undefined);
        const sql = spanner.sqlOf(call.positional[0] ?? call.keywords.get('sql'), scope);
        for (const [param, value] of params ? spanner.dictEntries(params, scope) : []) {
          if (sql && !sql.info.filterParams.has(param)) continue;
          for (const origin of flow.origins(value, scope, CLOCKS)) {
            ctx.report('LS004', origin.node, `The wall clock (${ctx.text(origin.node)}) filters what ${cls.name} reads (@${param}): the rows it processes depend on when it runs, and late rows are never counted. Filter by the task's immutable inputs (a batch id).`, { cls });
          }
        }
        if (sql) {
          for (const use of sql.info.functions) {
            if (!use.inWrittenValue && isClockFunction(use.name)) {
              const offset = pieceOffset(sql.pieces, use.at);
              ctx.report('LS004', sql.node, `${use.name}() in this query decides which rows ${cls.name} reads by the time it runs; late rows are never counted. Filter by the task's immutable inputs (a batch id).`, { cls, from: offset, to: offset + use.name.length });
            }
          }
        }
      }
      if (instantiatesTask(ctx, call, scope)) {
        for (const arg of [...call.positional, ...call.keywords.values()]) {
          for (const origin of flow.origins(arg, scope, CLOCKS)) {
            ctx.report('LS004', origin.node, `The wall clock (${ctx.text(origin.node)}) names the batch of ${ctx.text(call.callee)}: which rows it covers depends on when the scheduler runs. Pass an immutable input instead (an export batch, a file).`, { cls });
          }
        }
      }
    }
  }
}

function instantiatesTask(ctx: PythonContext, call: CallParts, scope: FunctionScope): boolean {
  // Classes are CamelCase: skip the resolution for every other call.
  const last = call.method ?? (call.callee.name === 'VariableName' ? ctx.text(call.callee) : '');
  if (!/^[A-Z]/.test(last)) return false;
  const cls = ctx.spanner.instantiatedClass(call.node, scope);
  if (cls) return !!ctx.spanner.contextOf(cls)?.isTask;
  const parts = ctx.model.dotted(call.callee);
  if (!parts || !ctx.input.isTaskReference) return false;
  const found = ctx.model.lookup(parts[0]!, scope);
  if (found && found.scope !== ctx.model.module) return false;
  return ctx.input.isTaskReference(parts);
}

/** Removes the default argument of a Parameter call: `luigi.DateParameter()`. */
function requiredParameterFix(ctx: PythonContext, call: CallParts, name: string): QuickFix | undefined {
  const argList = call.node.getChild('ArgList');
  if (!argList) return undefined;
  const items = children(argList).filter((c) => c.name !== '(' && c.name !== ')');
  const defaultNode = call.keywords.get('default');
  let start: number | undefined;
  let end: number | undefined;
  if (defaultNode) {
    const keyword = items.find((c, k) => c.name === 'VariableName' && ctx.text(c) === 'default' && items[k + 1]?.name === 'AssignOp');
    if (!keyword) return undefined;
    start = keyword.from;
    end = defaultNode.to;
  } else if (call.positional[0]) {
    start = call.positional[0].from;
    end = call.positional[0].to;
  }
  if (start === undefined || end === undefined) return undefined;
  // Take the comma after it (or before it, when it is last) with its spaces.
  const text = ctx.input.text;
  let after = end;
  while (after < argList.to && /\s/.test(text[after]!)) after++;
  if (text[after] === ',') {
    end = after + 1;
    while (end < argList.to && /[ \t]/.test(text[end]!)) end++;
  } else {
    let before = start;
    while (before > argList.from && /\s/.test(text[before - 1]!)) before--;
    if (text[before - 1] === ',') start = before - 1;
  }
  return { title: `Make ${name} a required parameter (drop the clock default)`, edits: [ctx.edit(start, end, '')], isPreferred: true };
}

/**
 * A date/time parameter that bounds a range filter on a TIMESTAMP column: the task is keyed by
 * a time window over rows that may still arrive (README of samples/broken/time_window).
 */
function windowParameters(ctx: PythonContext, cls: ClassModel): void {
  const { spanner, flow } = ctx;
  const schema = ctx.schema;
  if (!schema) return;
  const windowParams = new Map<string, { statement: SyntaxNode; callee: string }>();
  for (const [name, attribute] of cls.attributes) {
    const call = attribute.value.name === 'CallExpression' ? spanner.call(attribute.value) : undefined;
    const callee = call && (spanner.qualify(call.callee, cls.scope) ?? ctx.text(call.callee));
    if (callee && WINDOW_PARAMETERS.test(callee)) windowParams.set(name, { statement: attribute.statement, callee: ctx.text(call!.callee) });
  }
  if (!windowParams.size) return;
  for (const scope of ctx.classReach(cls)) {
    for (const call of scope.calls) {
      if (call.method !== 'execute_sql' && call.method !== 'execute_update' && call.method !== 'read') continue;
      const sql = spanner.sqlOf(call.positional[0] ?? call.keywords.get('sql'), scope);
      const params = call.keywords.get('params') ?? call.positional[1];
      if (!sql || !params || !sql.info.rangeFilters.length) continue;
      const entries = spanner.dictEntries(params, scope);
      const table = /\bFROM\s+`?(\w+)/i.exec(sql.text)?.[1] ?? sql.info.table;
      for (const filter of sql.info.rangeFilters) {
        const column = table ? schema.column(table, filter.column) : undefined;
        if (!column || column.type !== 'TIMESTAMP') continue;
        for (const origin of flow.origins(entries.get(filter.param), scope, TASK_PARAMS)) {
          const param = origin.name && windowParams.get(origin.name);
          if (!param) continue;
          ctx.report('LS004', param.statement, `${cls.name} is keyed by a time window (${origin.name} = ${param.callee}(...)) over ${table}.${column.name} (@${filter.param}): rows that arrive in the window after the task ran are never counted, since a complete task never reruns. Key the task by the immutable inputs it aggregates (an export batch).`, { cls });
        }
      }
    }
  }
}
