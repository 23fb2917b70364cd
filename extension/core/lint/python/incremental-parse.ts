// Re-parsing a file the editor just changed: lezer reuses the unchanged parts of the previous tree
// (a one-line edit re-parses a few nodes instead of the file). python-parser.ts exports only the
// full parse, so the incremental one lives here, on the same parser.
import { TreeFragment, type Tree } from '@lezer/common';
import { parser } from '@lezer/python';

export interface ParsedText {
  text: string;
  tree: Tree;
}

export function parseIncrementally(text: string, previous: ParsedText | undefined): Tree {
  if (!previous) return parser.parse(text);
  if (previous.text === text) return previous.tree;
  const before = previous.text;
  const max = Math.min(before.length, text.length);
  let start = 0;
  while (start < max && before.charCodeAt(start) === text.charCodeAt(start)) start++;
  let endBefore = before.length;
  let endAfter = text.length;
  while (endBefore > start && endAfter > start && before.charCodeAt(endBefore - 1) === text.charCodeAt(endAfter - 1)) {
    endBefore--;
    endAfter--;
  }
  const fragments = TreeFragment.applyChanges(TreeFragment.addTree(previous.tree), [{ fromA: start, toA: endBefore, fromB: start, toB: endAfter }]);
  return parser.parse(text, fragments);
}
