// `# luigi-spanner: ignore[LS002]` (Python) or `-- luigi-spanner: ignore[LS101]` (SQL) on the line a
// finding starts on silences it; `ignore` without a list silences every rule on that line.
import type { QuickFix, RuleCode } from './types';

const MARKER = /(#|--)\s*luigi-spanner:\s*ignore\b(?:\[([^\]]*)\])?/i;

export interface Suppression {
  /** undefined: every code. */
  codes?: Set<string>;
  /** 0-based offsets of the `[...]` list's closing bracket, or of the comment's end without a list. */
  insertAt: number;
  hasList: boolean;
}

/** Suppressions by 1-based line. */
export function suppressionsIn(text: string): Map<number, Suppression> {
  const found = new Map<number, Suppression>();
  if (!text.includes('luigi-spanner')) return found;
  let lineStart = 0;
  let line = 1;
  while (lineStart <= text.length) {
    const end = text.indexOf('\n', lineStart);
    const lineEnd = end === -1 ? text.length : end;
    const content = text.slice(lineStart, lineEnd);
    const match = MARKER.exec(content);
    if (match) {
      const list = match[2];
      const codes = list === undefined ? undefined : new Set(list.split(',').map((c) => c.trim().toUpperCase()).filter(Boolean));
      const insertAt = lineStart + match.index + match[0].length - (list === undefined ? 0 : 1);
      found.set(line, { ...(codes ? { codes } : {}), insertAt, hasList: list !== undefined });
    }
    if (end === -1) break;
    lineStart = end + 1;
    line++;
  }
  return found;
}

export function isSuppressed(suppressions: Map<number, Suppression>, code: RuleCode, lines: Iterable<number>): boolean {
  for (const line of lines) {
    const s = suppressions.get(line);
    if (s && (!s.codes || s.codes.has(code))) return true;
  }
  return false;
}

/**
 * The quick fix that adds `code` to the suppression comment of `line` (1-based), or appends one.
 * `commentPrefix` is `#` for Python and `--` for SQL.
 */
export function suppressionFix(file: string, text: string, line: number, code: RuleCode, commentPrefix: '#' | '--'): QuickFix {
  const existing = suppressionsIn(text).get(line);
  const position = (offset: number) => {
    const before = text.lastIndexOf('\n', offset - 1);
    return { line, column: offset - (before + 1) + 1 };
  };
  if (existing && existing.hasList) {
    const at = position(existing.insertAt);
    return { title: `Suppress ${code} on this line`, edits: [{ file, range: { start: at, end: at }, newText: `, ${code}` }] };
  }
  let start = 0;
  for (let l = 1; l < line; l++) start = text.indexOf('\n', start) + 1;
  const newline = text.indexOf('\n', start);
  let end = newline === -1 ? text.length : newline;
  if (text[end - 1] === '\r') end--;
  const at = position(end);
  return { title: `Suppress ${code} on this line`, edits: [{ file, range: { start: at, end: at }, newText: `  ${commentPrefix} luigi-spanner: ignore[${code}]` }] };
}
