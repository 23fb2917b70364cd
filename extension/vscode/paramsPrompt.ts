// Asks for a task's required parameters (Run, Force rerun, Reproduce): a pick per parameter that
// offers the last value, earlier runs' values and the literals the pipeline passes to the task
// (core/runs/paramSuggestions.ts), and takes whatever is typed instead.
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { TaskNode } from '../core/analysis/types';
import type { RunRecord } from '../core/runs/history';
import { suggestParams, type ParamSuggestion } from '../core/runs/paramSuggestions';
import type { AnalysisService } from './analysisService';

const LAST_PARAMS_KEY = 'luigiSpanner.lastParams';

export interface ParamsPromptDeps {
  analysis: Pick<AnalysisService, 'rootOf' | 'graph' | 'index'>;
  state: vscode.Memento;
  history?: () => RunRecord[];
}

/** The pipeline's task files as the index holds them (the buffer being typed), else from disk. */
function pipelineSources(analysis: ParamsPromptDeps['analysis'], task: TaskNode): string[] {
  const files = [...new Set(analysis.graph(task).tasks.map((t) => t.file))];
  const root = analysis.rootOf(task);
  return files.flatMap((file) => {
    const uri = vscode.Uri.joinPath(root, file);
    const text = analysis.index.text(uri.fsPath);
    if (text !== undefined) return [text];
    try {
      return [readFileSync(uri.fsPath, 'utf8')];
    } catch {
      return [];
    }
  });
}

/** Undefined when the user cancelled. Values are remembered per task for the next prompt. */
export async function askTaskParams(task: TaskNode, deps: ParamsPromptDeps, title = task.name): Promise<Record<string, string> | undefined> {
  const required = task.params.filter((p) => p.default === undefined);
  const all = deps.state.get<Record<string, Record<string, string>>>(LAST_PARAMS_KEY, {});
  if (required.length === 0) return {};
  const suggestions = suggestParams(task, { last: all[task.id], history: deps.history?.(), sources: pipelineSources(deps.analysis, task) });
  const params: Record<string, string> = {};
  for (const [i, param] of required.entries()) {
    const value = await pickValue(`${title}: ${param.name} (${i + 1}/${required.length})`, `${param.type}${param.significant ? '' : ', insignificant'}`, suggestions.get(param.name) ?? []);
    if (value === undefined) return undefined;
    params[param.name] = value;
  }
  await deps.state.update(LAST_PARAMS_KEY, { ...all, [task.id]: params });
  return params;
}

function pickValue(title: string, placeholder: string, suggestions: ParamSuggestion[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    const pick = vscode.window.createQuickPick<vscode.QuickPickItem & { value: string }>();
    pick.title = title;
    pick.placeholder = suggestions.length ? `${placeholder}: pick a value or type one` : `${placeholder}: type a value`;
    pick.ignoreFocusOut = true;
    const suggested = suggestions.map((s) => ({ label: s.value, description: s.source, value: s.value }));
    pick.items = suggested;
    // Whatever is typed comes first, so Enter takes it; the suggestions stay below it.
    pick.onDidChangeValue((typed) => {
      pick.items = typed && !suggestions.some((s) => s.value === typed) ? [{ label: typed, description: 'typed', value: typed, alwaysShow: true }, ...suggested] : suggested;
    });
    let done = false;
    pick.onDidAccept(() => {
      done = true;
      const chosen = pick.selectedItems[0]?.value ?? pick.value;
      pick.hide();
      resolve(chosen);
    });
    pick.onDidHide(() => {
      pick.dispose();
      if (!done) resolve(undefined);
    });
    pick.show();
  });
}
