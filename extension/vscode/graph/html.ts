// The graph webview's page. Pure (no `vscode` import) so the browser tests serve the very
// same page, Content-Security-Policy included. Data never goes into the HTML: it arrives
// by postMessage after the `ready` handshake.
import { escapeXml, GRAPH_SVG_CSS } from '../../core/graphLayout/svg';
import type { LayoutDirection } from '../../shared/protocol';

export interface GraphHtmlOptions {
  /** `webview.cspSource`: the origin VS Code serves local resources from. */
  cspSource: string;
  /** Fresh per render. */
  nonce: string;
  scriptUri: string;
  styleUri: string;
  /** The layout worker bundle (ELK inside). */
  layoutWorkerUri: string;
  /** Layout direction of a new panel (setting luigiSpanner.graph.direction); a restored panel keeps its own. */
  defaultDirection?: LayoutDirection;
  /** The language server lays out: the page starts its own ELK workers only as a fallback. */
  layoutService?: boolean;
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    // The drawing's rules are inlined with the nonce (they are shared with SVG export).
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

export function graphHtml(options: GraphHtmlOptions): string {
  const { nonce } = options;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeXml(contentSecurityPolicy(options.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeXml(options.styleUri)}">
<style nonce="${nonce}">${GRAPH_SVG_CSS}</style>
<title>Pipeline Graph</title>
</head>
<body>
<div id="graph-root" data-layout-worker="${escapeXml(options.layoutWorkerUri)}" data-default-direction="${escapeXml(options.defaultDirection ?? 'RIGHT')}"${options.layoutService ? ' data-layout-service="true"' : ''}></div>
<script nonce="${nonce}" src="${escapeXml(options.scriptUri)}"></script>
</body>
</html>`;
}
