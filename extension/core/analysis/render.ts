// Text renderings of the graph for the CLI: Graphviz DOT and Mermaid flowcharts.
// Tasks are grouped by module; dynamic dependencies are dashed.
import type { GraphJson, TaskNode } from './types';

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

const DOT_STYLE: Record<TaskNode['kind'], string> = {
  task: 'style="rounded"',
  wrapper: 'style="rounded,dashed"',
  external: 'style="rounded,filled", fillcolor="#eeeeee"',
};

export function toDot(graph: GraphJson): string {
  const lines = ['digraph pipeline {', '  rankdir=LR;', '  node [shape=box, fontname="Helvetica"];'];
  let cluster = 0;
  for (const [module, tasks] of byModule(graph.tasks)) {
    lines.push(`  subgraph cluster_${cluster++} {`, `    label=${dotString(module)};`);
    for (const task of tasks) lines.push(`    ${dotString(task.id)} [label=${dotString(task.name)}, ${DOT_STYLE[task.kind]}];`);
    lines.push('  }');
  }
  for (const edge of graph.edges) {
    lines.push(`  ${dotString(edge.from)} -> ${dotString(edge.to)}${edge.kind === 'dynamic' ? ' [style=dashed, label="dynamic"]' : ''};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function mermaidLabel(text: string): string {
  return `"${text.replace(/"/g, '#quot;')}"`;
}

const MERMAID_SHAPE: Record<TaskNode['kind'], (label: string) => string> = {
  task: (label) => `[${label}]`,
  wrapper: (label) => `[[${label}]]`,
  external: (label) => `([${label}])`,
};

export function toMermaid(graph: GraphJson): string {
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
  return `${lines.join('\n')}\n`;
}
