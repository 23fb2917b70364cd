// Data lineage: the Spanner tables between tasks, derived from what each task writes (`tables`)
// and reads (`tableReads`), with each table's CREATE TABLE from the migrations that apply to the
// tasks' files. Pure (no disk, no `vscode`, no DOM): the CLI, the language server and the graph
// view all call it, so a table is the same node everywhere.
import type { GraphJson, GraphTable, TaskNode } from './types';

/** What lineage needs of a migrations schema (core/lint/ddl/schema.ts's Schema fits). */
export interface LineageSchema {
  table(name: string): { name: string; file: string; start: number; columns: ReadonlyMap<string, { name: string; type: string }>; primaryKey: readonly string[] } | undefined;
  file(path: string): { lines: { line(offset: number): number } } | undefined;
}

/** The schema that applies to a task's file (its nearest migrations folder), if any. */
export type SchemaForFile = (file: string) => LineageSchema | undefined;

/** Tables of the graph's tasks, sorted by name; each once, names compared case-insensitively as Spanner does. */
export function tableLineage(tasks: readonly TaskNode[], schemaFor?: SchemaForFile): GraphTable[] {
  const byKey = new Map<string, { name: string; writers: Set<string>; readers: Set<string>; files: string[] }>();
  const entry = (name: string, file: string) => {
    const key = name.toLowerCase();
    let found = byKey.get(key);
    if (!found) byKey.set(key, (found = { name, writers: new Set(), readers: new Set(), files: [] }));
    if (!found.files.includes(file)) found.files.push(file);
    return found;
  };
  // Writers first, so that a table's spelling (without a migration) is a writer's.
  for (const task of tasks) for (const name of task.tables ?? []) entry(name, task.file).writers.add(task.id);
  for (const task of tasks) for (const name of task.tableReads ?? []) entry(name, task.file).readers.add(task.id);
  const fromDefault = new Set(tasks.flatMap((t) => t.tablesFromDefaults ?? []).map((n) => n.toLowerCase()));

  const tables: GraphTable[] = [];
  for (const { name, writers, readers, files } of byKey.values()) {
    const table: GraphTable = { name, writers: [...writers].sort(), readers: [...readers].sort() };
    if (fromDefault.has(name.toLowerCase())) table.fromDefault = true;
    for (const file of files) {
      const schema = schemaFor?.(file);
      const def = schema?.table(name);
      const lines = def && schema!.file(def.file)?.lines;
      if (!def || !lines) continue;
      table.name = def.name;
      table.migration = { file: def.file, line: lines.line(def.start) };
      table.columns = [...def.columns.values()].map((c) => ({ name: c.name, type: c.type }));
      table.primaryKey = [...def.primaryKey];
      break;
    }
    tables.push(table);
  }
  return tables.sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : a.name.toLowerCase() > b.name.toLowerCase() ? 1 : 0));
}

/** The graph with its `tables` section (a new object; the tasks and edges are shared). */
export function withLineage(graph: GraphJson, schemaFor?: SchemaForFile): GraphJson {
  const unresolved = { writes: 0, reads: 0 };
  for (const task of graph.tasks) for (const ref of task.unresolvedTables ?? []) unresolved[ref.access === 'write' ? 'writes' : 'reads']++;
  return { ...graph, tables: tableLineage(graph.tasks, schemaFor), unresolvedTables: unresolved };
}

/** Node id of a table in the graph view and the renderings: never a task id (those hold no `:`). */
export const tableNodeId = (name: string): string => `table:${name}`;
