import { Option, type Command } from 'commander';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { FactsCache } from '../../core/analysis/facts-cache';
import { FACTS_WORKER_DATA } from '../../core/analysis/facts-worker';
import { withLineage } from '../../core/analysis/lineage';
import { toDot, toMermaid } from '../../core/analysis/render';
import type { GraphJson } from '../../core/analysis/types';
import type { WorkspaceIndex } from '../../core/analysis/workspace-index';
import { indexWorkspaceParallel } from '../../core/analysis/workspace-files';
import { Linter } from '../../core/lint/engine';
import { loadMigrationFiles } from '../../core/lint/workspace';
import { UserFacingError } from '../../core/errors';
import { readWorkspaceConfig } from '../../core/workspaceConfig';
import { analysisRoot } from '../analysisRoot';

export type GraphFormat = 'json' | 'dot' | 'mermaid' | 'svg';

export interface GraphCommandOptions {
  root?: string;
  format?: GraphFormat;
  followImports?: boolean;
  /** Reuse facts of unchanged files from the previous run (default true). */
  cache?: boolean;
  /** Draw the Spanner tables as nodes in dot, mermaid and svg (JSON always lists them). */
  tables?: boolean;
}

// Large workspaces are parsed on worker threads too, when the build ships a worker bundle
// next to this one (analysis-worker.js, built from core/analysis/facts-worker.ts).
const WORKER_SCRIPT = path.join(__dirname, 'analysis-worker.js');

/** The static graph of `paths` as the command prints it. Reads files; imports and runs nothing. */
export async function renderGraph(paths: string[], options: GraphCommandOptions = {}): Promise<{ graph: GraphJson; text: string }> {
  const root = analysisRoot(paths, options.root);
  const { index } = await indexWorkspaceParallel(root, {
    paths: paths.map((p) => path.resolve(p)),
    followImports: options.followImports ?? true,
    keepTrees: false, // one graph and exit: no edits follow
    ...(options.cache === false ? {} : { cache: FactsCache.open(root) }),
    ...(existsSync(WORKER_SCRIPT) ? { startWorker: () => new Worker(WORKER_SCRIPT, { workerData: FACTS_WORKER_DATA }) } : {}),
  });
  const graph = withLineage(index.graph(), migrationSchemas(root, index));
  const tables = options.tables ?? false;
  switch (options.format ?? 'json') {
    case 'dot':
      return { graph, text: toDot(graph, { tables }) };
    case 'mermaid':
      return { graph, text: toMermaid(graph, { tables }) };
    case 'svg': {
      // The graph view's own layout and drawing, as a standalone file.
      const { renderGraphSvg } = await svgRenderer();
      return { graph, text: await renderGraphSvg(graph, { tables, title: paths.length === 1 ? path.basename(path.resolve(paths[0]!)) : path.basename(root) }) };
    }
    default:
      return { graph, text: `${JSON.stringify(graph, null, 2)}\n` };
  }
}

/**
 * The schema that applies to each task's file: the nearest `migrations/` folder beside or above
 * it, else luigi-spanner.json's `migrationsDir` (the lint's rule, through the lint's own engine).
 */
function migrationSchemas(root: string, index: WorkspaceIndex): (file: string) => ReturnType<Linter['schemaFor']> {
  let migrationsDir: string | undefined;
  try {
    const configured = readWorkspaceConfig(root).migrationsDir;
    const relative = configured && path.relative(root, configured).split(path.sep).join('/');
    if (relative && !relative.startsWith('..')) migrationsDir = relative;
  } catch (error) {
    // A broken luigi-spanner.json costs the tables their migration, not the graph its output.
    const reason = error instanceof UserFacingError ? error.message : String(error);
    process.stderr.write(`warning: tables are matched to migrations/ folders only: ${reason}\n`);
  }
  const linter = new Linter({ index, keepTrees: false, ...(migrationsDir ? { defaultMigrationsDir: migrationsDir } : {}) });
  loadMigrationFiles(root, linter, migrationsDir);
  return (file) => linter.schemaFor(file);
}

type SvgRendererModule = typeof import('../../core/graphLayout/renderGraphSvg');

/**
 * elkjs and the layout code are 4 MB of JavaScript that every other format would compile for
 * nothing: the build ships the renderer as its own bundle beside this one (dist/commands/graph-svg.js).
 * From sources (tests, ts runs) the module is imported directly; the path is a variable so that
 * esbuild does not inline it into this bundle.
 */
async function svgRenderer(): Promise<SvgRendererModule> {
  const bundled = path.join(__dirname, 'graph-svg.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (existsSync(bundled)) return require(bundled) as SvgRendererModule;
  const source = '../../core/graphLayout/renderGraphSvg';
  return (await import(source)) as SvgRendererModule;
}

export function registerGraphCommand(program: Command): void {
  program
    .command('graph')
    .description('print the task graph of Luigi pipelines, read statically (nothing is imported or run)')
    .argument('[paths...]', 'Python files or folders to analyse (default: the root)')
    .option('--root <dir>', 'folder that task ids and file paths are relative to (default: the current folder, or for paths outside it their project: the nearest folder above them with luigi-spanner.json)')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'dot', 'mermaid', 'svg']).default('json'))
    .option('--no-follow-imports', 'only analyse the given paths, not the workspace modules they import')
    .option('--no-cache', 'parse every file, ignoring the facts kept from earlier runs (in ~/.cache/luigi-spanner)')
    .option('--tables', 'draw the Spanner tables the tasks write and read as nodes between them (dot, mermaid, svg; JSON always lists them under "tables")')
    .action(async (paths: string[], options: { root?: string; format: GraphFormat; followImports: boolean; cache: boolean; tables?: boolean }) => {
      const { graph, text } = await renderGraph(paths, options);
      process.stdout.write(text);
      // Diagnostics are part of the JSON; with the other formats they go to stderr.
      if (options.format !== 'json') {
        for (const d of graph.diagnostics) process.stderr.write(`${d.file}:${d.line}: ${d.severity}: ${d.message}\n`);
      }
    });
}
