// The graph webview's page. Pure (no `vscode` import) so the browser tests serve the very
// same page, Content-Security-Policy included. Data arrives by postMessage after the `ready`
// handshake, except a new panel's first graph when the host holds its layouts already: that
// message is in the HTML as inert JSON (OPENING_ELEMENT_ID), so the page draws as it starts instead
// of after the frame's load event and a round trip (VS Code holds posted messages until the frame
// has loaded). The code does: the bundle and its stylesheet are
// inlined under the page's nonce (webviewBundle), so nothing is fetched before the page can run
// (a webview resource is a round trip through VS Code's resource loader, 20-100 ms at start-up).
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { GraphJson } from '../../core/analysis/types';
import { openingLayouts } from '../../core/graphLayout/openingKeys';
import { composedOpening, composeOpening, openingDrawing } from '../../core/graphLayout/openingSnapshot';
import { escapeXml, GRAPH_SVG_CSS } from '../../core/graphLayout/svg';
import { packedGraphOf, packedLayoutsOf } from '../../core/graphLayout/wire';
import { EARLY_CHANNEL_GLOBAL, OPENING_ELEMENT_ID, PROTOCOL_VERSION, SNAPSHOT_ELEMENT_ID, Ready, type GraphLoadMessage, type GraphScope, type LayoutDirection, type ReadyMessage } from '../../shared/protocol';

/** The page's script and stylesheet, inlined (see webviewBundle). */
export interface InlineBundle {
  script: string;
  style: string;
}

export interface GraphHtmlOptions {
  /** `webview.cspSource`: the origin VS Code serves local resources from. */
  cspSource: string;
  /** Fresh per render. */
  nonce: string;
  /** The bundle (dist/webview/main.js): inlined, or loaded from this URI. */
  script: { inline: string } | { uri: string };
  /** The stylesheet (dist/webview/graph.css): inlined, or loaded from this URI. */
  style: { inline: string } | { uri: string };
  /** The layout worker bundle (ELK inside). */
  layoutWorkerUri: string;
  /** Layout direction of a new panel (setting luigiSpanner.graph.direction); a restored panel keeps its own. */
  defaultDirection?: LayoutDirection;
  /** The language server lays out: the page starts its own ELK workers only as a fallback. */
  layoutService?: boolean;
  /** The first graph, with its layouts, as the host would post it (see OPENING_ELEMENT_ID). */
  opening?: GraphLoadMessage;
}

/**
 * JSON inside a <script> element: `<` escaped, so no string in it (a task name, a path) can end
 * the element or open a comment; JSON.parse reads `\u003c` back as `<`.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    // Inline scripts only with the page's nonce (the bundle is inlined under it).
    `script-src 'nonce-${nonce}'`,
    // The chrome's and the drawing's rules are inlined with the nonce (the drawing's are shared with SVG export).
    `style-src ${cspSource} 'nonce-${nonce}'`,
    // blob: for PNG export, which draws the exported SVG into a canvas through an <img>.
    `img-src ${cspSource} blob:`,
    `font-src ${cspSource}`,
    // The layout worker's script is fetched, then started from a blob: URL, because VS Code
    // serves resources from another origin than the page and a Worker must be same-origin.
    `connect-src ${cspSource}`,
    'worker-src blob:',
  ].join('; ');
}

/**
 * The page's first script: takes the VS Code API (it can be taken once per page), keeps what the
 * host posts and says `ready` at once. The host's answer (the graph) then travels while the page
 * parses and runs its bundle (~15-30 ms at start-up) and lays out its chrome, instead of after;
 * the bundle takes the API and the messages kept (webview/src/host.ts) before any other task runs.
 */
function earlyChannelScript(): string {
  const ready: ReadyMessage = { method: Ready, protocolVersion: PROTOCOL_VERSION };
  return `(()=>{const api=acquireVsCodeApi(),early=[],keep=(e)=>early.push(e);addEventListener('message',keep);window[${JSON.stringify(EARLY_CHANNEL_GLOBAL)}]={api,early,stop:()=>removeEventListener('message',keep)};api.postMessage(${JSON.stringify(ready)});})();`;
}

const serialized = new WeakMap<object, string>();

/**
 * scriptJson, kept per object: a big graph's packed graph and layouts (1-2 MB of JSON at 3,000
 * tasks, ~40 ms) are serialized once, when the host holds them (vscode/graph/index.ts), not on
 * the command's critical path.
 */
export function scriptJsonOnce(value: object): string {
  let json = serialized.get(value);
  if (json === undefined) serialized.set(value, (json = scriptJson(value)));
  return json;
}

/**
 * What a command for this view puts into a new panel's HTML, made ahead once the host holds the
 * view's opening layouts (vscode/graph/index.ts): a big view's whole layout for its first drawing
 * (openingSnapshot.ts), and the packed graph and layouts, serialized.
 */
export async function prepareOpening(graph: GraphJson, scope: GraphScope, direction: LayoutDirection): Promise<void> {
  const layouts = openingLayouts(graph, scope, direction);
  if (!layouts) return;
  // Each step its own task on the extension host (30-50 ms each at 3,000 tasks).
  const step = () => new Promise((resolve) => setTimeout(resolve, 0));
  scriptJsonOnce(packedGraphOf(graph));
  await step();
  scriptJsonOnce(packedLayoutsOf(layouts));
  await step();
  await composeOpening(graph, scope, direction);
  // A small view's whole drawing is the same at every command (a big view's snapshot depends on
  // the task to reveal: cut at the command).
  const composed = composedOpening(graph, scope, direction);
  const drawing = composed && openingDrawing(composed);
  if (drawing) {
    await step();
    scriptJsonOnce(drawing);
  }
}

/** The opening as JSON blocks: its snapshot apart (SNAPSHOT_ELEMENT_ID), then the rest. */
function openingBlocks(opening: GraphLoadMessage | undefined): string {
  if (!opening) return '';
  const { snapshot, graph, layouts, drawing, ...small } = opening;
  const block = (id: string, json: string) => `<script type="application/json" id="${id}">${json}</script>\n`;
  const head = scriptJson(small);
  const rest = `${head.slice(0, -1)}${head === '{}' ? '' : ','}"graph":${scriptJsonOnce(graph)}${layouts ? `,"layouts":${scriptJsonOnce(layouts)}` : ''}${drawing ? `,"drawing":${scriptJsonOnce(drawing)}` : ''}}`;
  return (snapshot ? block(SNAPSHOT_ELEMENT_ID, scriptJson(snapshot)) : '') + block(OPENING_ELEMENT_ID, rest);
}

export function graphHtml(options: GraphHtmlOptions): string {
  const { nonce } = options;
  const style = 'inline' in options.style ? `<style nonce="${nonce}">${options.style.inline}</style>` : `<link rel="stylesheet" href="${escapeXml(options.style.uri)}">`;
  const script = 'inline' in options.script ? `<script nonce="${nonce}">${options.script.inline}</script>` : `<script nonce="${nonce}" src="${escapeXml(options.script.uri)}"></script>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeXml(contentSecurityPolicy(options.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<script nonce="${nonce}">${earlyChannelScript()}</script>
${style}
<style nonce="${nonce}">${GRAPH_SVG_CSS}</style>
<title>Pipeline Graph</title>
</head>
<body>
<div id="graph-root" data-layout-worker="${escapeXml(options.layoutWorkerUri)}" data-default-direction="${escapeXml(options.defaultDirection ?? 'RIGHT')}"${options.layoutService ? ' data-layout-service="true"' : ''}></div>
${openingBlocks(options.opening)}${script}
</body>
</html>`;
}

const bundles = new Map<string, { stamp: string; bundle: InlineBundle }>();

/**
 * dist/webview's main.js and graph.css to inline, read once per build (a rebuild under --watch is
 * picked up by the next panel). `scriptUri`: where the bundle would be served from, so that its
 * source map still resolves in the webview's developer tools.
 */
export function webviewBundle(directory: string, scriptUri: string): InlineBundle {
  const scriptFile = path.join(directory, 'main.js');
  const styleFile = path.join(directory, 'graph.css');
  const stamp = [scriptFile, styleFile].map((f) => statSync(f).mtimeMs).join('/');
  const cached = bundles.get(directory);
  if (cached?.stamp === stamp) return cached.bundle;
  const script = readFileSync(scriptFile, 'utf8').replace(/^\/\/# sourceMappingURL=(\S+)[ \t]*$/m, (_line, map: string) => `//# sourceMappingURL=${new URL(map, scriptUri).toString()}`);
  const style = readFileSync(styleFile, 'utf8');
  // esbuild escapes `</script` in the bundle's strings; anything else would end the element early.
  if (/<\/script/i.test(script)) throw new Error(`${scriptFile} contains "</script", so it cannot be inlined into the graph page; rebuild it with esbuild (node scripts/build.mjs).`);
  if (/<\/style/i.test(style)) throw new Error(`${styleFile} contains "</style", so it cannot be inlined into the graph page.`);
  const bundle = { script, style };
  bundles.set(directory, { stamp, bundle });
  return bundle;
}
