// The graph layout core: pure, shared by the webview, the extension host and the CLI.
export type { ComponentLayout, GraphLayout, VisibleGraph, VisibleNode, VisibleEdge, Rect } from './types';
export { indexGraph, buildVisibleGraph, selectTasks, familyKey, type ViewOptions, type GraphIndex } from './viewModel';
export { layoutGraph, MemoryLayoutCache, type LayoutRunner, type LayoutCache, type LayoutStats } from './layout';
export { renderLayoutSvg, GRAPH_SVG_CSS, THEME_VARIABLES } from './svg';
export { renderGraphSvg, type RenderGraphSvgOptions } from './renderGraphSvg';
