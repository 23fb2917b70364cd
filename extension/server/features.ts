// What the server answers about tasks: CodeLenses, hover, go-to-definition and workspace symbols,
// read from one folder's analysis. Pure functions of the index; server.ts routes requests here.
import { fileURLToPath } from 'node:url';
import { SymbolKind, type CodeLens, type Hover, type Location, type SymbolInformation } from 'vscode-languageserver/node';
import type { GraphJson, TaskNode } from '../core/analysis/types';
import { TaskLensCommands, type TaskLensArguments } from '../shared/protocol';
import type { FolderAnalysis } from './folder';

/** Run, Force rerun and Show graph above each task class (an external task has nothing to run). */
export function taskLenses(folder: FolderAnalysis, key: string): CodeLens[] {
  return folder.index.tasksInFile(key).flatMap((task) => {
    const range = { start: { line: task.line - 1, character: 0 }, end: { line: task.line - 1, character: 0 } };
    const args: TaskLensArguments = { file: fileURLToPath(folder.uriOf(task.file)), task: task.name, taskId: task.id, folder: folder.uri };
    const lens = (title: string, command: string): CodeLens => ({ range, command: { title, command, arguments: [args] } });
    const lenses = [lens('Show graph', TaskLensCommands.showGraph)];
    if (task.kind !== 'external') lenses.unshift(lens('▶ Run', TaskLensCommands.run), lens('Force rerun', TaskLensCommands.forceRerun));
    return lenses;
  });
}

/** The dotted name under the cursor (`pipeline.LoadOrders`, cut after the part the cursor is on). */
export function dottedNameAt(lineText: string, character: number): string[] | undefined {
  const name = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/g;
  for (let match = name.exec(lineText); match; match = name.exec(lineText)) {
    const start = match.index;
    const end = start + match[0].length;
    if (character < start || character > end) continue;
    const cut = match[0].indexOf('.', character - start);
    return (cut === -1 ? match[0] : match[0].slice(0, cut)).split('.');
  }
  return undefined;
}

/** The task a position names: the class declared on that line, or a reference that resolves to a task class. */
export function taskAtPosition(folder: FolderAnalysis, key: string, line: number, character: number): TaskNode | undefined {
  const declared = folder.index.tasksInFile(key).find((t) => t.line === line + 1);
  if (declared) return declared;
  const target = definitionAt(folder, key, line, character);
  if (!target) return undefined;
  return folder.index.tasksInFile(target.file).find((t) => t.line === target.line);
}

/** Where the name under the cursor is defined in the workspace (a class, a module, a module-level value). */
export function definitionAt(folder: FolderAnalysis, key: string, line: number, character: number): { file: string; line: number } | undefined {
  const text = folder.lineText(key, line);
  const parts = text === undefined ? undefined : dottedNameAt(text, character);
  if (!parts) return undefined;
  const resolved = folder.index.resolve(key, parts);
  if (resolved.kind === 'class') return { file: resolved.file, line: resolved.cls.line };
  if (resolved.kind === 'value') return { file: resolved.file, line: resolved.value.line };
  if (resolved.kind === 'module' && resolved.file) return { file: resolved.file, line: 1 };
  return undefined;
}

export function toLocation(folder: FolderAnalysis, target: { file: string; line: number }): Location {
  const position = { line: Math.max(0, target.line - 1), character: 0 };
  return { uri: folder.uriOf(target.file), range: { start: position, end: position } };
}

/** Parameters, outputs, Spanner tables, upstream and downstream of a task, as Markdown. */
export function taskHover(graph: GraphJson, task: TaskNode): Hover {
  const names = new Map(graph.tasks.map((t) => [t.id, t.name]));
  const upstream = graph.edges.filter((e) => e.to === task.id).map((e) => names.get(e.from) ?? e.from);
  const downstream = graph.edges.filter((e) => e.from === task.id).map((e) => names.get(e.to) ?? e.to);
  const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
  const lines = [`**${task.name}** · ${task.kind} · ${code(task.id)}`];
  if (task.doc) lines.push('', task.doc);
  lines.push('');
  if (task.params.length) {
    lines.push('Parameters:');
    for (const p of task.params) lines.push(`- ${code(p.name)}: ${p.type}${p.default !== undefined ? ` = ${code(p.default)}` : ' (required)'}${p.significant ? '' : ', insignificant'}`);
  } else lines.push('Parameters: none');
  if (task.outputs.length) {
    lines.push('', 'Outputs:');
    for (const o of task.outputs) lines.push(`- ${code(o.source)}${o.tables?.length ? ` (tables ${o.tables.join(', ')})` : ''}`);
  } else lines.push('', 'Outputs: none');
  const tables = [...new Set([...(task.tables ?? []), ...task.outputs.flatMap((o) => o.tables ?? [])])];
  const defaults = new Set(task.tablesFromDefaults ?? []);
  const named = (list: string[]) => list.map((t) => (defaults.has(t) ? `${t} (a parameter's default)` : t)).join(', ');
  if (tables.length) lines.push('', `Spanner tables: ${named(tables)}`);
  if (task.tableReads?.length) lines.push('', `Reads tables: ${named(task.tableReads)}`);
  if (task.unresolvedTables?.length) {
    const refs = task.unresolvedTables.map((u) => `${u.access} ${code(u.expression)} (line ${u.line}${u.file === task.file ? '' : ` of ${u.file}`})`);
    lines.push('', `Table names not known statically: ${refs.join(', ')}`);
  }
  lines.push('', `Upstream: ${upstream.length ? [...new Set(upstream)].join(', ') : 'none'}`, '', `Downstream: ${downstream.length ? [...new Set(downstream)].join(', ') : 'none'}`);
  return { contents: { kind: 'markdown', value: lines.join('\n') } };
}

/** Tasks whose name contains `query` (case-insensitive; an empty query lists all), as symbols. */
export function taskSymbols(folder: FolderAnalysis, query: string, limit: number): SymbolInformation[] {
  const wanted = query.toLowerCase();
  const found: SymbolInformation[] = [];
  for (const task of folder.index.graph().tasks) {
    if (found.length >= limit) break;
    if (wanted && !task.name.toLowerCase().includes(wanted)) continue;
    found.push({ name: task.name, kind: SymbolKind.Class, containerName: task.module, location: toLocation(folder, task) });
  }
  return found;
}
