import { Option, type Command } from 'commander';
import path from 'node:path';
import { indexWorkspace } from '../../core/analysis/workspace-files';
import { toDot, toMermaid } from '../../core/analysis/render';
import type { GraphJson } from '../../core/analysis/types';

export type GraphFormat = 'json' | 'dot' | 'mermaid';

export interface GraphCommandOptions {
  root?: string;
  format?: GraphFormat;
  followImports?: boolean;
}

/** The static graph of `paths` as the command prints it. Reads files; imports and runs nothing. */
export function renderGraph(paths: string[], options: GraphCommandOptions = {}): { graph: GraphJson; text: string } {
  const root = path.resolve(options.root ?? process.cwd());
  const { index } = indexWorkspace(root, {
    paths: paths.map((p) => path.resolve(p)),
    followImports: options.followImports ?? true,
  });
  const graph = index.graph();
  switch (options.format ?? 'json') {
    case 'dot':
      return { graph, text: toDot(graph) };
    case 'mermaid':
      return { graph, text: toMermaid(graph) };
    default:
      return { graph, text: `${JSON.stringify(graph, null, 2)}\n` };
  }
}

export function registerGraphCommand(program: Command): void {
  program
    .command('graph')
    .description('print the task graph of Luigi pipelines, read statically (nothing is imported or run)')
    .argument('[paths...]', 'Python files or folders to analyse (default: the root)')
    .option('--root <dir>', 'folder that task ids and file paths are relative to (default: current folder)')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'dot', 'mermaid']).default('json'))
    .option('--no-follow-imports', 'only analyse the given paths, not the workspace modules they import')
    .action((paths: string[], options: { root?: string; format: GraphFormat; followImports: boolean }) => {
      const { graph, text } = renderGraph(paths, options);
      process.stdout.write(text);
      // Diagnostics are part of the JSON; for the other formats say on stderr that there are some.
      if (options.format !== 'json' && graph.diagnostics.length > 0) {
        for (const d of graph.diagnostics) process.stderr.write(`${d.file}:${d.line}: ${d.severity}: ${d.message}\n`);
      }
    });
}
