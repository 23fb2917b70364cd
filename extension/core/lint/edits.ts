// Applies the pure text edits of a quick fix to texts (tests, and any caller without an editor).
import type { Position, TextEdit } from './types';

function offsetOf(text: string, position: Position): number {
  let offset = 0;
  for (let line = 1; line < position.line; line++) {
    const newline = text.indexOf('\n', offset);
    if (newline === -1) return text.length;
    offset = newline + 1;
  }
  return Math.min(text.length, offset + position.column - 1);
}

/** The text after `edits` (all on this file), applied from the last to the first. */
export function applyTextEdits(text: string, edits: TextEdit[]): string {
  const ordered = edits.map((e) => ({ edit: e, from: offsetOf(text, e.range.start), to: offsetOf(text, e.range.end) })).sort((a, b) => b.from - a.from);
  let result = text;
  for (const { edit, from, to } of ordered) result = edit.create ? edit.newText : result.slice(0, from) + edit.newText + result.slice(to);
  return result;
}
