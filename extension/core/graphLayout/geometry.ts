// Node geometry shared by layout (node sizes) and drawing (where label, icon and badges go).
// Label widths come from a fixed table (Arial/Liberation Sans advance widths, measured in
// Chromium), not from the running font, so that the webview, the host cache and the CLI's
// SVG export compute the same sizes and so the same layout. The webview squeezes a label
// whose real font runs wider (SVG textLength) instead of changing the layout.

/** Advance widths of ASCII 32..126 in 1/1000 em. */
const ASCII_WIDTHS = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556,
  556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722,
  778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278,
  556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
/** Wider than most Latin glyphs: a non-ASCII label gets room rather than overflow. */
const OTHER_WIDTH = 700;

export const LABEL_FONT_SIZE = 12;
export const DETAIL_FONT_SIZE = 10;
export const NODE_HEIGHT = 30;
export const GROUP_NODE_HEIGHT = 42;
/** Left padding holds the kind icon. */
export const NODE_PADDING_LEFT = 28;
export const NODE_PADDING_RIGHT = 12;
export const NODE_MIN_WIDTH = 72;
export const NODE_MAX_WIDTH = 340;

export function textWidth(text: string, fontSize: number): number {
  let units = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    units += code >= 32 && code <= 126 ? ASCII_WIDTHS[code - 32]! : OTHER_WIDTH;
  }
  return (units * fontSize) / 1000;
}

/** The label cut to fit `maxWidth` with an ellipsis; the tooltip shows the full name. */
export function fitLabel(text: string, fontSize: number, maxWidth: number): string {
  if (textWidth(text, fontSize) <= maxWidth) return text;
  const ellipsisWidth = textWidth('…', fontSize);
  let width = 0;
  let end = 0;
  while (end < text.length) {
    const next = textWidth(text[end]!, fontSize);
    if (width + next + ellipsisWidth > maxWidth) break;
    width += next;
    end++;
  }
  return `${text.slice(0, end)}…`;
}

export interface NodeBox {
  width: number;
  height: number;
  /** The label as drawn (possibly shortened). */
  label: string;
  detail?: string;
}

/** Size of a node from its label (and the detail line of a group). */
export function nodeBox(label: string, detail?: string): NodeBox {
  const maxText = NODE_MAX_WIDTH - NODE_PADDING_LEFT - NODE_PADDING_RIGHT;
  const shown = fitLabel(label, LABEL_FONT_SIZE, maxText);
  const shownDetail = detail === undefined ? undefined : fitLabel(detail, DETAIL_FONT_SIZE, maxText);
  const text = Math.max(textWidth(shown, LABEL_FONT_SIZE), shownDetail === undefined ? 0 : textWidth(shownDetail, DETAIL_FONT_SIZE));
  const width = Math.min(NODE_MAX_WIDTH, Math.max(NODE_MIN_WIDTH, Math.ceil(NODE_PADDING_LEFT + text + NODE_PADDING_RIGHT)));
  const box: NodeBox = { width, height: detail === undefined ? NODE_HEIGHT : GROUP_NODE_HEIGHT, label: shown };
  if (shownDetail !== undefined) box.detail = shownDetail;
  return box;
}
