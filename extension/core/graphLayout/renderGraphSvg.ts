// `luigi-spanner graph --format svg`: the same pipeline as the graph view (view model, ELK
// options, component packing, drawing), run in Node with ELK on the calling thread.
import ELK from 'elkjs/lib/elk.bundled.js';
import type { GraphJson } from '../analysis/types';
import type { GraphScope, LayoutDirection } from '../../shared/protocol';
import { UserFacingError } from '../errors';
import { FileLayoutCache } from './fileCache';
import { runLayoutJob } from './elk';
import { layoutGraph, type LayoutRunner } from './layout';
import { renderLayoutSvg } from './svg';
import { buildVisibleGraph, indexGraph } from './viewModel';

export interface RenderGraphSvgOptions {
  /** Layer direction; the graph view's default is RIGHT. */
  direction?: LayoutDirection;
  theme?: 'light' | 'dark';
  /** Default: the whole graph. */
  scope?: GraphScope;
  /** Modules drawn as one node each. */
  collapsedModules?: readonly string[];
  /** Reuse (and fill) a folder of cached component layouts. */
  cacheDirectory?: string;
  title?: string;
  /** Draw the Spanner tables between their writers and readers. */
  tables?: boolean;
}

/** One ELK instance per process: loading it costs ~0.1 s, the first layout warms it up. */
let elk: InstanceType<typeof ELK> | undefined;

/** ELK on the calling thread, one job after the other. */
export const nodeLayoutRunner: LayoutRunner = {
  async run(jobs) {
    const instance = (elk ??= new ELK());
    const results = [];
    for (const job of jobs) results.push(await runLayoutJob((graph) => instance.layout(graph), job));
    return results;
  },
};

export async function renderGraphSvg(graph: GraphJson, options: RenderGraphSvgOptions = {}): Promise<string> {
  const direction = options.direction ?? 'RIGHT';
  if (!['RIGHT', 'DOWN', 'LEFT', 'UP'].includes(direction)) {
    throw new UserFacingError(`Unknown graph direction "${direction}".`, 'Use one of RIGHT, DOWN, LEFT, UP.');
  }
  const scope = options.scope ?? { kind: 'workspace' };
  const index = indexGraph(graph);
  if (scope.kind === 'file' && ![...index.tasks.values()].some((t) => t.file === scope.file)) {
    throw new UserFacingError(`No task is defined in ${scope.file}.`, 'Name a Python file that defines Luigi tasks (path relative to the graph root), or leave out the file to draw the whole graph.');
  }
  const visible = buildVisibleGraph(index, { scope, collapsedModules: new Set(options.collapsedModules ?? []), tables: options.tables ?? false });
  const cache = options.cacheDirectory ? new FileLayoutCache(options.cacheDirectory) : undefined;
  const { layout } = await layoutGraph(visible, direction, cache ? { runner: nodeLayoutRunner, cache } : { runner: nodeLayoutRunner });
  await cache?.flush();
  const svgOptions: Parameters<typeof renderLayoutSvg>[2] = { theme: options.theme ?? 'light' };
  if (options.title) svgOptions.title = options.title;
  return renderLayoutSvg(visible, layout, svgOptions);
}
