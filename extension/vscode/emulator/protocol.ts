// Messages between the extension host and the results webview. No `vscode`, no DOM.

/** One table in the results view: a query result, or a part of an inspection. */
export interface ResultSection {
  title: string;
  columns: string[];
  /** GoogleSQL type per column, when known (shown in the header's tooltip). */
  types?: string[];
  rows: unknown[][];
  /** A line under the table: row counts, truncation, timing. */
  note?: string;
}

export const ResultsMessages = {
  /** webview → host: listeners are attached; the host may post now. */
  ready: 'results/ready',
  /** host → webview: replace the view's content. */
  show: 'results/show',
} as const;

export type HostToWebview = { type: typeof ResultsMessages.show; heading: string; sections: ResultSection[] };
export type WebviewToHost = { type: typeof ResultsMessages.ready };

export function isWebviewToHost(value: unknown): value is WebviewToHost {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === ResultsMessages.ready;
}
