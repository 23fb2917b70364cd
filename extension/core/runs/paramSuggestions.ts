// Values to offer for a task's parameters when Run, Reproduce or Force rerun asks for them: the last
// value used, values of earlier runs, and literal values the pipeline itself passes to the task
// (`LoadOrders(batch='2024-01-05')` in a downstream task's requires()). No `vscode` here.
import type { TaskNode } from '../analysis/types';
import type { RunRecord } from './history';

export interface ParamSuggestion {
  value: string;
  /** Where it comes from, for the pick's description. */
  source: string;
}

const LITERAL = String.raw`'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|-?\d+(?:\.\d+)?|True|False|(?:datetime\.)?date\(\s*\d{4}\s*,\s*\d{1,2}\s*,\s*\d{1,2}\s*\)`;

/** A Python literal as Luigi's command line would take it: strings unquoted, dates ISO, booleans lower-case. */
export function literalToParam(text: string): string | undefined {
  const t = text.trim();
  if (/^(['"]).*\1$/s.test(t)) return t.slice(1, -1).replace(/\\(.)/g, '$1');
  if (/^-?\d+(\.\d+)?$/.test(t)) return t;
  if (t === 'True' || t === 'False') return t.toLowerCase();
  const date = /date\(\s*(\d{4})\s*,\s*(\d{1,2})\s*,\s*(\d{1,2})\s*\)$/.exec(t);
  if (date) return `${date[1]}-${date[2]!.padStart(2, '0')}-${date[3]!.padStart(2, '0')}`;
  return undefined;
}

/**
 * Literal keyword arguments in calls of `taskName(...)` anywhere in `sources` (a task is built in
 * its downstream tasks' requires(), in wrappers, in `luigi.build([...])`). Per parameter name, in
 * order of appearance, without repeats.
 */
export function literalArguments(taskName: string, sources: Iterable<string>): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const call = new RegExp(String.raw`(?<![\w.])${taskName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\)`, 'g');
  const keyword = new RegExp(String.raw`(?:^|,)\s*([A-Za-z_]\w*)\s*=\s*(${LITERAL})\s*(?=,|$)`, 'g');
  for (const source of sources) {
    for (const m of source.matchAll(call)) {
      for (const k of m[1]!.matchAll(keyword)) {
        const value = literalToParam(k[2]!);
        if (value === undefined) continue;
        const list = found.get(k[1]!) ?? [];
        if (!list.includes(value)) list.push(value);
        found.set(k[1]!, list);
      }
    }
  }
  return found;
}

/**
 * Suggestions for each of `task`'s parameters, best first: the value last used for it, values of
 * earlier runs of the task (newest first), literals the pipeline passes, the declared default.
 */
export function suggestParams(task: Pick<TaskNode, 'name' | 'params'>, input: { last?: Record<string, string>; history?: RunRecord[]; sources?: Iterable<string> }): Map<string, ParamSuggestion[]> {
  const literals = literalArguments(task.name, input.sources ?? []);
  const result = new Map<string, ParamSuggestion[]>();
  for (const param of task.params) {
    const list: ParamSuggestion[] = [];
    const add = (value: string | undefined, source: string) => {
      if (value === undefined || value === '' || list.some((s) => s.value === value)) return;
      list.push({ value, source });
    };
    add(input.last?.[param.name], 'last used');
    for (const run of input.history ?? []) {
      if (run.task === task.name) add(run.params[param.name], `run ${new Date(run.startedAt).toLocaleString()}`);
    }
    for (const value of literals.get(param.name) ?? []) add(value, 'in the pipeline');
    if (param.default !== undefined) add(literalToParam(param.default), 'default');
    result.set(param.name, list);
  }
  return result;
}
