// The one place that knows which Python parser the analysis stands on.
//
// Choice: @lezer/python (pure JavaScript) over web-tree-sitter + tree-sitter-python (wasm).
// Measured with bench/parsers.mjs on this 2-core machine, one generated 9,200-line Luigi module:
//   full parse       lezer ~150 ms   tree-sitter ~110 ms
//   walk every node  lezer ~6 ms     tree-sitter ~78 ms   (each tree-sitter node access crosses into wasm)
//   one-line edit    lezer ~2 ms     tree-sitter ~8 ms
//   unclosed `(` a third of the way in: lezer still sees 399 of 400 classes, tree-sitter 133.
// Fact extraction walks most of the tree, and error tolerance is a requirement, so lezer wins;
// it also needs no wasm files, no async loading and no manual `.delete()`.
// User code is only ever parsed here: never imported, never executed.
import { Tree, TreeFragment, type SyntaxNode } from '@lezer/common';
import { parser } from '@lezer/python';

export { Tree, type SyntaxNode };

/** Ids of the node types that mark syntax errors. */
export const ERROR_TYPES: ReadonlySet<number> = new Set(parser.nodeSet.types.filter((t) => t.isError).map((t) => t.id));

/**
 * Parses Python source into a lezer tree. Never throws: broken code yields error (⚠) nodes.
 * Given the previous text and tree of the same file, only the changed region is re-parsed.
 */
export function parsePython(text: string, previous?: { text: string; tree: Tree }): Tree {
  if (!previous) return parser.parse(text);
  const old = previous.text;
  const limit = Math.min(old.length, text.length);
  let prefix = 0;
  while (prefix < limit && old.charCodeAt(prefix) === text.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < limit - prefix && old.charCodeAt(old.length - 1 - suffix) === text.charCodeAt(text.length - 1 - suffix)) suffix++;
  const change = { fromA: prefix, toA: old.length - suffix, fromB: prefix, toB: text.length - suffix };
  return parser.parse(text, TreeFragment.applyChanges(TreeFragment.addTree(previous.tree), [change]));
}

/** Offsets of line starts, for turning string offsets into 1-based lines and 0-based columns. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** 1-based line of an offset. */
  line(offset: number): number {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  }

  /** 0-based column of an offset, in UTF-16 code units. */
  column(offset: number): number {
    return offset - this.starts[this.line(offset) - 1]!;
  }

  /** Offset where a 1-based line starts (the text length past the last line). */
  lineStart(line: number): number {
    return line - 1 < this.starts.length ? this.starts[line - 1]! : this.text.length;
  }
}
