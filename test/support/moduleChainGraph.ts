// The task graph of bench/graph.mjs's generated workspace (also the 1,000-task pipeline of
// bench/lsp.mjs), without writing or parsing its Python: `modules` modules of `perModule` tasks,
// each task requiring the one before it (the first, the last task of the previous module), and
// (its conditional `mode == "full"` branch) task k of module floor(f / 2); the first two modules
// require `Raw` instead. One long chain with edges across half of it: the shape that gave ELK
// ~250,000 dummy nodes at 100 x 10 tasks.
import type { GraphJson, TaskEdge, TaskNode } from '../../extension/core/analysis/types';

export function moduleChainGraph(modules: number, perModule = 10): GraphJson {
  const module = (f: number) => `pipelines.mod_${f}`;
  const id = (f: number, k: number) => `${module(f)}.Task${f}_${k}`;
  const raw = 'pipelines.raw.Raw';
  const task = (taskId: string, name: string, mod: string, kind: TaskNode['kind'], line: number): TaskNode => ({
    id: taskId,
    name,
    kind,
    file: `${mod.replaceAll('.', '/')}.py`,
    line,
    params: [],
    outputs: [],
    module: mod,
  });
  const tasks: TaskNode[] = [task(raw, 'Raw', 'pipelines.raw', 'external', 4)];
  const edges: TaskEdge[] = [];
  const seen = new Set<string>();
  const edge = (from: string, to: string) => {
    if (seen.has(`${from}>${to}`)) return;
    seen.add(`${from}>${to}`);
    edges.push({ from, to, kind: 'requires' });
  };
  for (let f = 0; f < modules; f++) {
    for (let k = 0; k < perModule; k++) {
      tasks.push(task(id(f, k), `Task${f}_${k}`, module(f), 'task', 10 + k * 50));
      edge(k > 0 ? id(f, k - 1) : f > 0 ? id(f - 1, perModule - 1) : raw, id(f, k));
      edge(f > 1 ? id(Math.floor(f / 2), k % perModule) : raw, id(f, k));
    }
  }
  return { tasks, edges, diagnostics: [] };
}
