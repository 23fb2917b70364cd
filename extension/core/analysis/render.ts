// Text renderings of the graph for the CLI: Graphviz DOT and Mermaid flowcharts.
// Tasks are grouped by module; dynamic dependencies are dashed. With `tables`, the Spanner tables
// are cylinders between the tasks, writer -> table -> reader (data lineage, lineage.ts).
import { tableLineage, tableNodeId } from './lineage';
import type { GraphJson, GraphTable, TaskNode } from './types';

export interface RenderOptions {
  /** Draw the Spanner tables the tasks write and read as nodes. */
  tables?: boolean;
}

/** The tables to draw: the graph's own section, else derived from the tasks (no migrations). */
function tablesOf(graph: GraphJson, options: RenderOptions): GraphTable[] {
  return options.tables ? (graph.tables ?? tableLineage(graph.tasks)) : [];
}

/** Table-task edges as drawn: writer -> table, table -> reader; only tasks the graph holds. */
function tableEdges(graph: GraphJson, tables: readonly GraphTable[]): Array<{ table: number; task: string; writes: boolean }> {
  const known = new Set(graph.tasks.map((t) => t.id));
  const edges: Array<{ table: number; task: string; writes: boolean }> = [];
  tables.forEach((table, i) => {
    for (const task of table.writers) if (known.has(task)) edges.push({ table: i, task, writes: true });
    for (const task of table.readers) if (known.has(task)) edges.push({ table: i, task, writes: false });
  });
  return edges;
}

function byModule(tasks: readonly TaskNode[]): Map<string, TaskNode[]> {
  const groups = new Map<string, TaskNode[]>();
  for (const task of tasks) {
    const list = groups.get(task.module);
    if (list) list.push(task);
    else groups.set(task.module, [task]);
  }
  return groups;
}

function dotString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** Graphviz reads HTML entities in every string: a name holding `&amp;` must show as written. */
function dotLabel(text: string): string {
  return dotString(text.replace(/&/g, '&amp;'));
}

const DOT_STYLE: Record<TaskNode['kind'], string> = {
  task: 'style="rounded"',
  wrapper: 'style="rounded,dashed"',
  external: 'style="rounded,filled", fillcolor="#eeeeee"',
};

export function toDot(graph: GraphJson, options: RenderOptions = {}): string {
  const lines = ['digraph pipeline {', '  rankdir=LR;', '  node [shape=box, fontname="Helvetica"];'];
  let cluster = 0;
  for (const [module, tasks] of byModule(graph.tasks)) {
    lines.push(`  subgraph cluster_${cluster++} {`, `    label=${dotLabel(module)};`);
    for (const task of tasks) lines.push(`    ${dotString(task.id)} [label=${dotLabel(task.name)}, ${DOT_STYLE[task.kind]}];`);
    lines.push('  }');
  }
  for (const edge of graph.edges) {
    lines.push(`  ${dotString(edge.from)} -> ${dotString(edge.to)}${edge.kind === 'dynamic' ? ' [style=dashed, label="dynamic"]' : ''};`);
  }
  const tables = tablesOf(graph, options);
  for (const table of tables) {
    lines.push(`  ${dotString(tableNodeId(table.name))} [label=${dotLabel(table.name)}, shape=cylinder, style="filled", fillcolor="#e3f0fb", color="#3a78b5"];`);
  }
  for (const edge of tableEdges(graph, tables)) {
    const table = dotString(tableNodeId(tables[edge.table]!.name));
    const task = dotString(edge.task);
    lines.push(edge.writes ? `  ${task} -> ${table} [color="#3a78b5"];` : `  ${table} -> ${task} [color="#3a78b5"];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/**
 * A quoted Mermaid label. Mermaid renders labels as HTML, so `<`, `>` and `&` from a file or module
 * name would be markup (`<img src=x onerror=...>`): they go as Mermaid entity codes, which it
 * turns back into text. `#` goes first (and as a code) so that a name holding `#lt;` stays text.
 * Line breaks would end the statement: they become spaces.
 */
function mermaidLabel(text: string): string {
  const codes: Record<string, string> = { '#': '#35;', '"': '#quot;', '<': '#lt;', '>': '#gt;', '&': '#amp;' };
  return `"${text.replace(/[#"<>&]/g, (c) => codes[c]!).replace(/[\r\n\t\v\f]/g, ' ')}"`;
}

const MERMAID_SHAPE: Record<TaskNode['kind'], (label: string) => string> = {
  task: (label) => `[${label}]`,
  wrapper: (label) => `[[${label}]]`,
  external: (label) => `([${label}])`,
};

export function toMermaid(graph: GraphJson, options: RenderOptions = {}): string {
  // Mermaid ids must be plain words: number the tasks.
  const ids = new Map(graph.tasks.map((task, i) => [task.id, `t${i}`]));
  const lines = ['flowchart LR'];
  let group = 0;
  for (const [module, tasks] of byModule(graph.tasks)) {
    lines.push(`  subgraph m${group++}[${mermaidLabel(module)}]`);
    for (const task of tasks) lines.push(`    ${ids.get(task.id)}${MERMAID_SHAPE[task.kind](mermaidLabel(task.name))}`);
    lines.push('  end');
  }
  for (const edge of graph.edges) {
    const from = ids.get(edge.from);
    const to = ids.get(edge.to);
    if (!from || !to) continue;
    lines.push(edge.kind === 'dynamic' ? `  ${from} -.->|dynamic| ${to}` : `  ${from} --> ${to}`);
  }
  const tables = tablesOf(graph, options);
  if (tables.length > 0) {
    // [( )] is Mermaid's cylinder; the ids are numbered like the tasks'.
    tables.forEach((table, i) => lines.push(`  d${i}[(${mermaidLabel(table.name)})]`));
    for (const edge of tableEdges(graph, tables)) {
      const task = ids.get(edge.task)!;
      lines.push(edge.writes ? `  ${task} --> d${edge.table}` : `  d${edge.table} --> ${task}`);
    }
    lines.push('  classDef table fill:#e3f0fb,stroke:#3a78b5,color:#1b3a57', `  class ${tables.map((_, i) => `d${i}`).join(',')} table`);
  }
  return `${lines.join('\n')}\n`;
}
