// Drawing a laid-out graph as SVG markup: one module for the webview (which inserts node and
// edge markup as it scrolls into view) and the standalone export (CLI and "Export SVG"), so
// both draw the same shapes. Colours come only from --vscode-* variables; a standalone file
// defines them itself (a default light or dark palette, or the webview's resolved theme).
import type { GraphLayout, Rect, VisibleEdge, VisibleGraph, VisibleNode, VisibleNodeKind } from './types';
import type { RunState } from '../../shared/protocol';
import { DETAIL_FONT_SIZE, LABEL_FONT_SIZE, NODE_PADDING_LEFT } from './geometry';

const ICON_SIZE = 14;

/** 14x14 stroked glyphs, one per kind; the shape tells kinds apart too (for colour-blind users). */
const ICONS: Record<VisibleNodeKind, string> = {
  task: 'M4 2.5L11.5 7L4 11.5Z',
  wrapper: 'M2 2h4v4H2zM8 2h4v4H8zM2 8h4v4H2zM8 8h4v4H8z',
  external: 'M7 1.5v6.5M4 5.5l3 3l3-3M2 9.5v3h10v-3',
  family: 'M4.5 1.5h8v8M1.5 4.5h8v8h-8z',
  module: 'M1.5 3h4l1.5 1.5h5.5v7.5h-11z',
  // A database drum: a table.
  table: 'M2 3.5c0-2 10-2 10 0v7c0 2-10 2-10 0zM2 3.5c0 2 10 2 10 0M2 7c0 2 10 2 10 0',
};

/** Depth of a table cylinder's top and bottom ellipses. */
const DRUM = 4;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const n = (v: number): string => String(Math.round(v * 10) / 10);

/** The outline of a node, at the node's own origin. */
export function nodeShape(kind: VisibleNodeKind, width: number, height: number): string {
  const w = n(width);
  const h = n(height);
  switch (kind) {
    case 'wrapper': {
      const inset = 8;
      return `<path class="shape" d="M${inset} 0H${n(width - inset)}L${w} ${n(height / 2)}L${n(width - inset)} ${h}H${inset}L0 ${n(height / 2)}Z"/>`;
    }
    case 'external':
      return `<rect class="shape" width="${w}" height="${h}" rx="${n(height / 2)}"/>`;
    case 'family':
      // A second card behind: "several of these".
      return `<rect class="shape back" x="4" y="-4" width="${w}" height="${h}" rx="4"/><rect class="shape" width="${w}" height="${h}" rx="4"/>`;
    case 'module':
      return `<rect class="shape" width="${w}" height="${h}" rx="1"/>`;
    case 'table': {
      // A cylinder: the body with rounded ends, and the front rim of the top.
      const rx = n(width / 2);
      return (
        `<path class="shape" d="M0 ${DRUM}A${rx} ${DRUM} 0 0 1 ${w} ${DRUM}V${n(height - DRUM)}A${rx} ${DRUM} 0 0 1 0 ${n(height - DRUM)}Z"/>` +
        `<path class="rim" d="M0 ${DRUM}A${rx} ${DRUM} 0 0 0 ${w} ${DRUM}"/>`
      );
    }
    case 'task':
      return `<rect class="shape" width="${w}" height="${h}" rx="4"/>`;
  }
}

/** Markup of one node; `extra` is appended inside (badges, run state). */
export function nodeMarkup(node: VisibleNode, rect: Rect, extraClass = '', extra = ''): string {
  const twoLines = node.detail !== undefined;
  const labelY = twoLines ? 17 : rect.height / 2 + LABEL_FONT_SIZE * 0.36;
  const detail = twoLines ? `<text class="detail" x="${NODE_PADDING_LEFT}" y="${n(17 + DETAIL_FONT_SIZE + 5)}">${escapeXml(node.detail!)}</text>` : '';
  return (
    `<g class="node k-${node.kind} t-${node.taskKind}${extraClass}" data-id="${escapeXml(node.id)}" transform="translate(${n(rect.x)},${n(rect.y)})">` +
    nodeShape(node.kind, rect.width, rect.height) +
    `<path class="icon" transform="translate(8,${n(twoLines ? 6 : (rect.height - ICON_SIZE) / 2)})" d="${ICONS[node.kind]}"/>` +
    `<text class="label" x="${NODE_PADDING_LEFT}" y="${n(labelY)}">${escapeXml(node.label)}</text>` +
    detail +
    extra +
    `</g>`
  );
}

/** Path data of a routed edge: the polyline with its corners rounded. */
export function edgePath(points: readonly number[], radius = 6): string {
  if (points.length < 4) return '';
  let d = `M${n(points[0]!)} ${n(points[1]!)}`;
  for (let i = 2; i + 2 < points.length; i += 2) {
    const [px, py, x, y, nx, ny] = [points[i - 2]!, points[i - 1]!, points[i]!, points[i + 1]!, points[i + 2]!, points[i + 3]!];
    const r = Math.min(radius, Math.hypot(x - px, y - py) / 2, Math.hypot(nx - x, ny - y) / 2);
    const a = towards(x, y, px, py, r);
    const b = towards(x, y, nx, ny, r);
    d += `L${n(a.x)} ${n(a.y)}Q${n(x)} ${n(y)} ${n(b.x)} ${n(b.y)}`;
  }
  return `${d}L${n(points[points.length - 2]!)} ${n(points[points.length - 1]!)}`;
}

function towards(x: number, y: number, tx: number, ty: number, distance: number): { x: number; y: number } {
  const length = Math.hypot(tx - x, ty - y) || 1;
  return { x: x + ((tx - x) / length) * distance, y: y + ((ty - y) / length) * distance };
}

export function edgeMarkup(edge: VisibleEdge, points: readonly number[], extraClass = ''): string {
  const weight = edge.count > 1 ? ' merged' : '';
  return `<path class="edge ${edge.kind}${weight}${extraClass}" data-id="${escapeXml(edge.id)}" d="${edgePath(points)}"/>`;
}

/** Arrowheads (one per edge state, since markers cannot inherit the edge's colour everywhere). */
export function svgDefs(): string {
  const marker = (id: string) =>
    `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto"><path d="M0 1L10 5L0 9Z"/></marker>`;
  return `<defs>${marker('lsg-arrow')}${marker('lsg-arrow-hl')}${marker('lsg-arrow-table')}</defs>`;
}

/** Every theme variable the drawing uses, with Light+ / Dark+ values for standalone files. */
export const THEME_VARIABLES: Record<string, { light: string; dark: string }> = {
  '--vscode-font-family': { light: 'Arial, "Liberation Sans", Helvetica, sans-serif', dark: 'Arial, "Liberation Sans", Helvetica, sans-serif' },
  '--vscode-editor-background': { light: '#ffffff', dark: '#1e1e1e' },
  '--vscode-editor-foreground': { light: '#3b3b3b', dark: '#cccccc' },
  '--vscode-descriptionForeground': { light: '#717171', dark: '#9d9d9d' },
  '--vscode-editorWidget-background': { light: '#f8f8f8', dark: '#252526' },
  '--vscode-editorWidget-border': { light: '#c8c8c8', dark: '#454545' },
  '--vscode-editorLineNumber-foreground': { light: '#6e7681', dark: '#858585' },
  '--vscode-focusBorder': { light: '#005fb8', dark: '#0078d4' },
  '--vscode-symbolIcon-classForeground': { light: '#d67e00', dark: '#ee9d28' },
  '--vscode-symbolIcon-interfaceForeground': { light: '#007acc', dark: '#75beff' },
  '--vscode-symbolIcon-fileForeground': { light: '#424242', dark: '#cccccc' },
  '--vscode-symbolIcon-arrayForeground': { light: '#424242', dark: '#cccccc' },
  '--vscode-symbolIcon-moduleForeground': { light: '#424242', dark: '#cccccc' },
  '--vscode-charts-blue': { light: '#1a85ff', dark: '#3794ff' },
  '--vscode-testing-iconQueued': { light: '#cca700', dark: '#cca700' },
  '--vscode-progressBar-background': { light: '#0e70c0', dark: '#0e70c0' },
  '--vscode-testing-iconPassed': { light: '#388a34', dark: '#73c991' },
  '--vscode-testing-iconFailed': { light: '#f14c4c', dark: '#f14c4c' },
  '--vscode-testing-iconSkipped': { light: '#848484', dark: '#848484' },
  '--vscode-editorError-foreground': { light: '#e51400', dark: '#f14c4c' },
  '--vscode-editorWarning-foreground': { light: '#bf8803', dark: '#cca700' },
  '--vscode-editorInfo-foreground': { light: '#1a85ff', dark: '#3794ff' },
};

/**
 * Rules for the drawing. The webview inlines them (nonce'd <style>), standalone files embed
 * them. Each var() falls back to a neighbour so a theme that leaves one colour out stays legible.
 */
export const GRAPH_SVG_CSS = `
.lsg{font-family:var(--vscode-font-family);font-size:${LABEL_FONT_SIZE}px}
.lsg .shape{fill:var(--vscode-editorWidget-background,var(--vscode-editor-background));stroke:var(--vscode-editorWidget-border,var(--vscode-contrastBorder,var(--vscode-editor-foreground)));stroke-width:1}
.lsg .k-external>.shape{stroke-dasharray:4 3}
.lsg .k-module>.shape{stroke-width:2}
.lsg .label{fill:var(--vscode-editor-foreground)}
.lsg .detail{fill:var(--vscode-descriptionForeground);font-size:${DETAIL_FONT_SIZE}px}
.lsg .icon{fill:none;stroke-width:1.4;stroke-linejoin:round;stroke:var(--vscode-symbolIcon-classForeground,var(--vscode-editor-foreground))}
.lsg .k-wrapper>.icon{stroke:var(--vscode-symbolIcon-interfaceForeground,var(--vscode-editor-foreground))}
.lsg .k-external>.icon{stroke:var(--vscode-symbolIcon-fileForeground,var(--vscode-editor-foreground))}
.lsg .k-family>.icon{stroke:var(--vscode-symbolIcon-arrayForeground,var(--vscode-editor-foreground))}
.lsg .k-module>.icon{stroke:var(--vscode-symbolIcon-moduleForeground,var(--vscode-editor-foreground))}
.lsg .edge{fill:none;stroke:var(--vscode-editorLineNumber-foreground,var(--vscode-descriptionForeground));stroke-width:1.2;marker-end:url(#lsg-arrow)}
.lsg .edge.dynamic{stroke-dasharray:5 4}
.lsg .edge.merged{stroke-width:2.2}
.lsg .k-table>.shape{stroke:var(--vscode-charts-blue,var(--vscode-symbolIcon-fieldForeground,var(--vscode-editor-foreground)));stroke-width:1.5}
.lsg .k-table>.rim{fill:none;stroke:var(--vscode-charts-blue,var(--vscode-editor-foreground));stroke-width:1.5}
.lsg .k-table>.icon{stroke:var(--vscode-charts-blue,var(--vscode-editor-foreground))}
.lsg .edge.writes:not(.hl),.lsg .edge.reads:not(.hl){stroke:var(--vscode-charts-blue,var(--vscode-editorLineNumber-foreground));stroke-opacity:.75;marker-end:url(#lsg-arrow-table)}
.lsg #lsg-arrow-table path{fill:var(--vscode-charts-blue,var(--vscode-editorLineNumber-foreground))}
.lsg #lsg-arrow path{fill:var(--vscode-editorLineNumber-foreground,var(--vscode-descriptionForeground))}
.lsg .s-pending,.lsg .p-pending{--lsg-state:var(--vscode-testing-iconQueued,var(--vscode-descriptionForeground))}
.lsg .s-running,.lsg .p-running{--lsg-state:var(--vscode-progressBar-background,var(--vscode-focusBorder))}
.lsg .s-done,.lsg .p-done{--lsg-state:var(--vscode-testing-iconPassed,var(--vscode-editor-foreground))}
.lsg .s-failed,.lsg .p-failed{--lsg-state:var(--vscode-testing-iconFailed,var(--vscode-editorError-foreground))}
.lsg .s-skipped,.lsg .p-skipped{--lsg-state:var(--vscode-testing-iconSkipped,var(--vscode-descriptionForeground))}
.lsg .node[class*=" s-"]>.shape{stroke:var(--lsg-state);stroke-width:2}
.lsg .node.s-skipped>.shape{stroke-dasharray:3 2}
.lsg .status circle{fill:var(--lsg-state)}
.lsg .status path{fill:none;stroke:var(--vscode-editor-background);stroke-width:1.6;stroke-linecap:round;stroke-linejoin:round}
.lsg .progress rect{fill:var(--lsg-state)}
.lsg .badge rect{stroke:var(--vscode-editor-background);stroke-width:1}
.lsg .badge text{fill:var(--vscode-editor-background);font-size:9px;font-weight:600;text-anchor:middle}
.lsg .badge.error rect{fill:var(--vscode-editorError-foreground)}
.lsg .badge.warning rect{fill:var(--vscode-editorWarning-foreground)}
.lsg .badge.info rect{fill:var(--vscode-editorInfo-foreground)}
.lsg #lsg-arrow-hl path{fill:var(--vscode-focusBorder)}
`;

/** 10x10 glyphs drawn inside the status dot, centred on 0,0. */
const STATE_GLYPHS: Record<RunState, string> = {
  pending: 'M-2 0h4',
  running: 'M-1.5 -2.5L2.5 0L-1.5 2.5Z',
  done: 'M-2.5 0L-0.8 1.8L2.5 -1.8',
  failed: 'M-2 -2L2 2M2 -2L-2 2',
  skipped: 'M-2.5 1.5L2.5 -1.5',
};

export interface NodeDecoration {
  /** One state for a task; for a family group the worst of its instances. */
  state?: RunState;
  /** Instances per state (family groups): a progress strip along the bottom. */
  counts?: Partial<Record<RunState, number>>;
  diagnostics?: { error: number; warning: number; info: number };
}

/** The worst state first: what a group shows when its instances differ. */
export const STATE_PRECEDENCE: readonly RunState[] = ['failed', 'running', 'pending', 'skipped', 'done'];

/** Class names and inner markup of a node's run state and diagnostics badge. */
export function decorationMarkup(decoration: NodeDecoration | undefined, width: number, height: number): { className: string; markup: string } {
  if (!decoration) return { className: '', markup: '' };
  let className = '';
  let markup = '';
  if (decoration.state) {
    className += ` s-${decoration.state}`;
    markup += `<g class="status" transform="translate(0,0)"><circle r="6"/><path d="${STATE_GLYPHS[decoration.state]}"/></g>`;
  }
  const counts = decoration.counts;
  const total = counts ? Object.values(counts).reduce((sum, c) => sum + (c ?? 0), 0) : 0;
  if (counts && total > 0) {
    let x = 4;
    const span = width - 8;
    markup += '<g class="progress">';
    for (const state of STATE_PRECEDENCE) {
      const count = counts[state] ?? 0;
      if (count === 0) continue;
      const w = (span * count) / total;
      markup += `<rect class="p-${state}" x="${n(x)}" y="${n(height - 4)}" width="${n(w)}" height="2.5"/>`;
      x += w;
    }
    markup += '</g>';
  }
  const d = decoration.diagnostics;
  if (d && d.error + d.warning + d.info > 0) {
    const [severity, count] = d.error > 0 ? ['error', d.error] : d.warning > 0 ? ['warning', d.warning] : ['info', d.info];
    const text = count > 99 ? '99+' : String(count);
    const w = Math.max(14, 6 + text.length * 6);
    markup += `<g class="badge ${severity}" transform="translate(${n(width)},0)"><rect x="${n(-w / 2)}" y="-7" width="${n(w)}" height="14" rx="7"/><text y="3">${text}</text></g>`;
  }
  return { className, markup };
}

export interface StandaloneSvgOptions {
  /** `light`/`dark`: the default palettes; an object: resolved values of THEME_VARIABLES. */
  theme?: 'light' | 'dark' | Record<string, string>;
  title?: string;
  margin?: number;
}

/** A self-contained SVG file of the whole layout: no external references, theme inlined. */
export function renderLayoutSvg(
  graph: VisibleGraph,
  layout: GraphLayout,
  options: StandaloneSvgOptions = {},
  decorations?: ReadonlyMap<string, NodeDecoration>,
): string {
  const margin = options.margin ?? 8;
  const theme = options.theme ?? 'light';
  const values =
    typeof theme === 'string' ? Object.fromEntries(Object.entries(THEME_VARIABLES).map(([k, v]) => [k, v[theme]])) : theme;
  const variables = Object.entries(values)
    .map(([k, v]) => `${k}:${v.replace(/[;{}<>]/g, '')}`)
    .join(';');
  const { x, y, width, height } = layout.bounds;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="lsg" viewBox="${n(x - margin)} ${n(y - margin)} ${n(width + 2 * margin)} ${n(height + 2 * margin)}" width="${n(width + 2 * margin)}" height="${n(height + 2 * margin)}">`,
  );
  if (options.title) parts.push(`<title>${escapeXml(options.title)}</title>`);
  parts.push(`<style>.lsg{${variables}}${GRAPH_SVG_CSS}</style>`, svgDefs());
  parts.push(`<rect x="${n(x - margin)}" y="${n(y - margin)}" width="${n(width + 2 * margin)}" height="${n(height + 2 * margin)}" style="fill:var(--vscode-editor-background)"/>`);
  parts.push('<g class="edges">');
  for (const edge of graph.edges) {
    const points = layout.edges.get(edge.id);
    if (points) parts.push(edgeMarkup(edge, points));
  }
  parts.push('</g><g class="nodes">');
  for (const node of graph.nodes) {
    const rect = layout.nodes.get(node.id);
    if (!rect) continue;
    const { className, markup } = decorationMarkup(decorations?.get(node.id), rect.width, rect.height);
    parts.push(nodeMarkup(node, rect, className, markup));
  }
  parts.push('</g></svg>');
  return parts.join('\n');
}
