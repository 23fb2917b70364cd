// How the host opens a new graph panel, modelled for the benches (bench/graph-compare.ts,
// bench/graph-boot.ts) on a real language server, in this process as on the extension host:
//   - after the index settled, the host fetches the layouts of the views a new panel opens with
//     once the server has laid them out ahead (vscode/graph/index.ts prepareOpenings): `prefetch`;
//   - at the command, a new panel whose layouts the host holds gets its first graph in its HTML
//     (graphPanel.ts openingMessage), a big one with its first drawing (openingSnapshot.ts); otherwise the host fetches the layouts while the page loads
//     and posts the graph on `ready`, with them if they are in, else they follow (fetchAhead,
//     postGraph); without a server the graph goes alone and the page runs ELK itself (cold).
// As there, what goes into the HTML is packed and serialized when the layouts are held
// (vscode/graph/html.ts prepareOpening); a posted graph is packed at the command.
import type { GraphJson } from '../extension/core/analysis/types';
import type { ComponentLayout } from '../extension/core/graphLayout/types';
import { holdOpeningLayouts, openingLayoutKeys, openingLayouts } from '../extension/core/graphLayout/openingKeys';
import { composedOpening, openingPicture } from '../extension/core/graphLayout/openingSnapshot';
import { prepareOpening } from '../extension/vscode/graph/html';
import { packedGraphOf, packedLayoutsOf, packGraph, packLayouts } from '../extension/core/graphLayout/wire';
import { GraphLayouts, GraphLoad, type GraphLoadMessage, type GraphScope, type HostToWebviewMessage, type LayoutDirection, type LspGraphLayoutResult } from '../extension/shared/protocol';
import type { OpenOptions } from '../test/browser/harness';

export type ServerLayouts = (keys: string[], jobs?: unknown[], options?: { afterAhead?: boolean }) => Promise<LspGraphLayoutResult>;

const WORKSPACE: GraphScope = { kind: 'workspace' };
const DIRECTION: LayoutDirection = 'RIGHT';

/** As the host after the index settled: the opening layouts of the workspace view, held once all are in. */
export async function prefetchOpening(graph: GraphJson, layouts: ServerLayouts): Promise<boolean> {
  const { entries } = await layouts(openingLayoutKeys(graph, WORKSPACE, DIRECTION), undefined, { afterAhead: true });
  if (!holdOpeningLayouts(graph, WORKSPACE, DIRECTION, entries)) return false;
  // What a command puts into the HTML, made ahead.
  await prepareOpening(graph, WORKSPACE, DIRECTION);
  return true;
}

/** `snapshot: false` / `drawing: false` leave that part out (the benches' comparisons). */
function picture(made: Pick<GraphLoadMessage, 'snapshot' | 'drawing'>, options: { snapshot?: boolean; drawing?: boolean }): Pick<GraphLoadMessage, 'snapshot' | 'drawing'> {
  if (made.snapshot && options.snapshot !== false) return { snapshot: made.snapshot };
  if (made.drawing && options.drawing !== false) return { drawing: made.drawing };
  return {};
}

export interface PanelFlow {
  /** For openGraphPage: the HTML's opening and what is posted on `ready`. */
  page: Pick<OpenOptions, 'opening' | 'onReady'>;
  /** How the graph came: in the HTML, posted with the layouts, posted before them, or alone (cold). */
  mode(): 'html' | 'posted with layouts' | 'layouts followed' | 'cold';
  /** Host clock from the command: the layouts fetched, the page's ready seen (NaN if not applicable). */
  aheadMs: number;
  readyMs: number;
}

/**
 * `server` absent: the cold panel. `plain`: messages unpacked (a comparison of the wire format).
 * `html: false`: the posted flow even when the layouts are held. `snapshot: false`: a big graph's
 * HTML without its first drawing; `drawing: false`: a small one's without its whole drawing.
 */
export function newPanelFlow(graph: GraphJson, server: ServerLayouts | undefined, options: { plain?: boolean; html?: boolean; snapshot?: boolean; drawing?: boolean } = {}): PanelFlow {
  const started = performance.now();
  const packG = (g: GraphJson) => (options.plain ? g : packGraph(g));
  const packL = (l: ComponentLayout[]) => (options.plain ? l : packLayouts(l));
  let mode: ReturnType<PanelFlow['mode']> = 'cold';
  const flow: PanelFlow = { page: {}, mode: () => mode, aheadMs: NaN, readyMs: NaN };
  const held = server && options.html !== false ? openingLayouts(graph, WORKSPACE, DIRECTION) : undefined;
  if (held) {
    mode = 'html';
    const composed = composedOpening(graph, WORKSPACE, DIRECTION);
    flow.page.opening = (): GraphLoadMessage => ({
      method: GraphLoad,
      // Packed and serialized ahead, as the host has them (prepareOpening).
      graph: options.plain ? graph : packedGraphOf(graph),
      reason: 'open',
      layoutService: true,
      layouts: options.plain ? held : packedLayoutsOf(held),
      // A big view's first drawing, a small view's whole drawing (openingPicture), as the host adds them.
      ...(composed ? picture(openingPicture(composed), options) : {}),
    });
    flow.page.onReady = async () => undefined;
    return flow;
  }
  flow.page.onReady = async (ready: Promise<void>, post: (message: HostToWebviewMessage) => void): Promise<HostToWebviewMessage> => {
    let packed: ReturnType<typeof packG> | undefined;
    const base = () => ({ method: GraphLoad, graph: (packed ??= packG(graph)), reason: 'open' }) as const;
    if (!server) return ready.then(base);
    let entries: ComponentLayout[] | undefined;
    const ahead = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
      const request = server(openingLayoutKeys(graph, WORKSPACE, DIRECTION));
      // Packed while the server answers, as the host does.
      base();
      entries = (await request).entries;
      flow.aheadMs = performance.now() - started;
      return entries;
    })();
    await ready;
    flow.readyMs = performance.now() - started;
    if (entries) {
      mode = 'posted with layouts';
      return { ...base(), layoutService: true, ...(entries.length ? { layouts: packL(entries) } : {}) };
    }
    mode = 'layouts followed';
    post({ ...base(), layoutService: true, layoutsFollow: true });
    return { method: GraphLayouts, layouts: packL(await ahead) };
  };
  return flow;
}
