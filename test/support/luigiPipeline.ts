// A generated Luigi pipeline as Python source: N task classes (no parameters) in one module,
// about 2.3 requirements per task, mostly on recent tasks (stages of a pipeline) with some long
// edges, and one `FinalTask` wrapper requiring every task nothing else requires. The same file
// feeds Luigi (luigid and its visualiser, bench/graph-compare.ts) and our analysis (the language
// server indexes it), so both draw the very same graph. Deterministic per (tasks, seed).
import { seededRandom } from './random';

const VERBS = ['Load', 'Export', 'Aggregate', 'Clean', 'Join', 'Snapshot', 'Merge', 'Validate', 'Partition', 'Backfill'];
const NOUNS = ['Orders', 'Customers', 'Revenue', 'Invoices', 'Refunds', 'Ledger', 'Stock', 'Events', 'Report', 'Payments'];

export interface LuigiPipeline {
  /** The module's source. */
  source: string;
  /** Class names, index = task number. */
  names: string[];
  /** [from, to]: `to` requires `from` (task numbers), FinalTask's edges excluded. */
  edges: Array<[number, number]>;
  /** The wrapper's class name. */
  final: 'FinalTask';
}

export function generateLuigiPipeline(tasks: number, seed = 7): LuigiPipeline {
  const rnd = seededRandom(seed);
  const names = Array.from({ length: tasks }, (_, i) => `${VERBS[Math.floor(rnd() * VERBS.length)]}${NOUNS[Math.floor(rnd() * NOUNS.length)]}${String(i).padStart(4, '0')}`);
  const requires: number[][] = Array.from({ length: tasks }, () => []);
  const edges: Array<[number, number]> = [];
  const sources = Math.max(1, Math.round(tasks * 0.04));
  for (let i = sources; i < tasks; i++) {
    // 1-4 requirements, mean about 2.4, so ~2.3 per task with the sources.
    const wanted = 1 + (rnd() < 0.75 ? 1 : 0) + (rnd() < 0.45 ? 1 : 0) + (rnd() < 0.2 ? 1 : 0);
    const chosen = new Set<number>();
    for (let attempt = 0; chosen.size < wanted && attempt < 20; attempt++) {
      const from = rnd() < 0.85 ? i - 1 - Math.floor(rnd() * Math.min(i, 40)) : Math.floor(rnd() * i);
      chosen.add(from);
    }
    for (const from of [...chosen].sort((a, b) => a - b)) {
      requires[i]!.push(from);
      edges.push([from, i]);
    }
  }
  const required = new Set(edges.map(([from]) => from));
  const sinks = names.map((_, i) => i).filter((i) => !required.has(i));
  const lines = [
    `"""Generated Luigi pipeline: ${tasks} tasks, ${edges.length} requirements (luigi-spanner bench)."""`,
    'import luigi',
    '',
    '',
  ];
  for (let i = 0; i < tasks; i++) {
    lines.push(`class ${names[i]}(luigi.Task):`);
    if (requires[i]!.length === 0) lines.push('    def output(self):', `        return luigi.LocalTarget("/tmp/lsg-bench/${names[i]}")`, '');
    else lines.push('    def requires(self):', `        return [${requires[i]!.map((r) => `${names[r]}()`).join(', ')}]`, '', '    def output(self):', `        return luigi.LocalTarget("/tmp/lsg-bench/${names[i]}")`, '');
    lines.push('');
  }
  lines.push('class FinalTask(luigi.WrapperTask):', '    def requires(self):', `        return [${sinks.map((s) => `${names[s]}()`).join(', ')}]`, '');
  return { source: lines.join('\n'), names, edges, final: 'FinalTask' };
}
