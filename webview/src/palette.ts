// Colours for the canvas overview, read from the same CSS rules that style the SVG (a hidden
// probe drawing), so both renderers follow the theme and its fallbacks identically. Re-read
// when VS Code switches theme (it changes the body's classes).
import { RUN_STATES, type RunState } from '../../extension/shared/protocol';
import { THEME_VARIABLES } from '../../extension/core/graphLayout/svg';

export interface Palette {
  background: string;
  nodeFill: string;
  nodeStroke: string;
  label: string;
  edge: string;
  edgeHighlight: string;
  selected: string;
  cursor: string;
  match: string;
  /** Outline of a table node and its edges (data lineage). */
  table: string;
  state: Record<RunState, string>;
  fontFamily: string;
}

const PROBE = `
<rect class="shape" data-probe="node"/>
<text class="label" data-probe="label"/>
<path class="edge requires" data-probe="edge"/>
<path class="edge requires hl" data-probe="edgeHighlight"/>
<g class="node selected"><rect class="shape" data-probe="selected"/></g>
<g class="node cursor"><rect class="shape" data-probe="cursor"/></g>
<g class="node match"><rect class="shape" data-probe="match"/></g>
<g class="node k-table"><path class="shape" data-probe="table"/></g>
${RUN_STATES.map((s) => `<g class="node s-${s}"><rect class="shape" data-probe="s-${s}"/></g>`).join('')}`;

export function readPalette(host: HTMLElement): Palette {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('class', 'lsg probe');
  svg.setAttribute('aria-hidden', 'true');
  svg.innerHTML = PROBE;
  host.appendChild(svg);
  try {
    const style = (name: string) => getComputedStyle(svg.querySelector(`[data-probe="${name}"]`)!);
    const state = Object.fromEntries(RUN_STATES.map((s) => [s, style(`s-${s}`).stroke])) as Record<RunState, string>;
    return {
      background: getComputedStyle(document.body).backgroundColor,
      nodeFill: style('node').fill,
      nodeStroke: style('node').stroke,
      label: style('label').fill,
      edge: style('edge').stroke,
      edgeHighlight: style('edgeHighlight').stroke,
      selected: style('selected').stroke,
      cursor: style('cursor').stroke,
      match: style('match').stroke,
      table: style('table').stroke,
      state,
      fontFamily: getComputedStyle(svg).fontFamily,
    };
  } finally {
    svg.remove();
  }
}

/** The theme's current values of every variable the drawing uses (for standalone exports). */
export function resolvedThemeVariables(): Record<string, string> {
  const computed = getComputedStyle(document.documentElement);
  const dark = document.body.classList.contains('vscode-dark') || document.body.classList.contains('vscode-high-contrast');
  const values: Record<string, string> = {};
  for (const [name, defaults] of Object.entries(THEME_VARIABLES)) {
    values[name] = computed.getPropertyValue(name).trim() || (dark ? defaults.dark : defaults.light);
  }
  return values;
}

export function onThemeChange(callback: () => void): void {
  new MutationObserver(callback).observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });
}
