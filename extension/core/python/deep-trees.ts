// Parses with the forked grammar, working around a defect of @lezer/common's tree builder
// (Tree.build, up to 1.5.7 at least) on trees deeper than 2,500 levels.
//
// The defect: buildTree stops nesting past 2,500 levels (CutOff.Depth) and gathers the leaves of
// a deeper node into a flat TreeBuffer (takeFlatNode). That gathering treats every record of
// size <= 4 as a leaf, including the parser's special records: a context change (size -3, id =
// the context tracker's hash), a look-ahead (size -4, id = a text offset) and a reused node (size
// -1, id = an index into the reused nodes). Their ids land in the buffer as node types: ids past
// the node set give nodes without a type (SyntaxNode.name and lezer's own getChild throw), the
// others a node of a wrong type. The ordinary buffer path (copyToBuffer) skips such records.
// Our grammar has a context tracker (the indentation / bracket context of tokens.ts), so every
// bracket emits context records, and a statement thousands of brackets or calls deep (the
// fuzzer's chained `[0]` / `.f(x)`, unclosed brackets) inside an indented block got untyped nodes.
// Upstream @lezer/python has the same tracker and gives the same ids on the same inputs.
//
// Minimal reproduction (any grammar with a context tracker; here ours):
//   parser.parse('def f():\n    value = self' + '[0]'.repeat(8000) + '\n')
//   -> a TreeBuffer entry of type 34881 (the hash of a bracket context inside a 4-space block).
//
// A second limit of the same builder: it recurses once per nesting level (takeNode, copyToBuffer),
// up to 2,500 levels, which needs 700-984 kB of stack in a cold process (the reproduction above
// fails with node --stack-size=700, and sometimes with the default 984 kB, depending on the JIT
// state); a RangeError there cost the file its lint (or, in the facts, the statement).
//
// The workaround: while our parse runs, Tree.build is wrapped. It first measures the nesting of
// the parser's records (one pass, no allocation). Past FLATTEN_DEPTH levels (above the analysis
// walks' MAX_NESTING of 1,000, so their verdicts do not change), it copies the records, drops the
// inner nodes below that depth (their leaves, reused nodes, context and look-ahead records
// become children of the node at the limit, in order, as lezer's own flattening meant to do),
// and builds from that copy: the builder never reaches its flat path, and its recursion stays
// within FLATTEN_DEPTH. Such a tree is never handed to a later incremental parse (a small price
// on input this pathological).
import { Tree, type BufferCursor, type TreeFragment } from '@lezer/common';
import { parser } from './grammar/parser';

type BuildData = Parameters<typeof Tree.build>[0];

/** Records nested deeper than this are flattened into the node at this depth. */
export const FLATTEN_DEPTH = 1200;


/** The Tree class that @lezer/lr builds with (a bundle may hold more than one copy of @lezer/common). */
const TreeClass = parser.parse('').constructor as typeof Tree;
const originalBuild = TreeClass.build;

/** Trees built from flattened records: never handed to an incremental parse. */
const unreusable = new WeakSet<Tree>();

/**
 * Whether the records under a build cursor nest deeper than `limit`. Read backwards (the
 * cursor's order), a node of size s holds the s/4 - 1 records before it.
 */
function nestsDeeperThan(cursor: BufferCursor, limit: number): boolean {
  const starts: number[] = [];
  for (const c = cursor.fork(); c.pos > 0; c.next()) {
    const pos = c.pos;
    while (starts.length > 0 && starts[starts.length - 1]! >= pos) starts.pop();
    if (c.size > 4) {
      if (starts.length + 1 > limit) return true;
      starts.push(pos - c.size);
    }
  }
  return false;
}

/**
 * The records of a build cursor in postfix order, with every node (size > 4) nested deeper than
 * `limit` dropped: its leaves, reused nodes and context / look-ahead records stay, in order, as
 * children of its ancestor at depth `limit`, whose size (four per record of its subtree, itself
 * included) and its ancestors' shrink accordingly.
 */
export function flattenedRecords(cursor: BufferCursor, limit: number): number[] {
  const backwards: number[] = [];
  for (const c = cursor.fork(); c.pos > 0; c.next()) backwards.push(c.id, c.start, c.end, c.size);
  const count = backwards.length / 4;
  // Depth of each record (1 at the top level), from the backwards pass; index = postfix order.
  const depth = new Int32Array(count);
  const starts: number[] = [];
  for (let r = 0; r < count; r++) {
    const pos = (count - r) * 4;
    const size = backwards[r * 4 + 3]!;
    while (starts.length > 0 && starts[starts.length - 1]! >= pos) starts.pop();
    depth[count - 1 - r] = starts.length + 1;
    if (size > 4) starts.push(pos - size);
  }
  // keptBefore[k]: how many of the first k records (postfix order) are kept.
  const keptBefore = new Int32Array(count + 1);
  const records: number[] = [];
  for (let k = 0; k < count; k++) {
    const at = (count - 1 - k) * 4;
    const size = backwards[at + 3]!;
    const kept = size <= 4 || depth[k]! <= limit;
    if (kept) {
      const newSize = size > 4 ? (records.length / 4 - keptBefore[k + 1 - size / 4]! + 1) * 4 : size;
      records.push(backwards[at]!, backwards[at + 1]!, backwards[at + 2]!, newSize);
    }
    keptBefore[k + 1] = keptBefore[k]! + (kept ? 1 : 0);
  }
  return records;
}

function buildFlattened(data: BuildData): Tree {
  if (Array.isArray(data.buffer) || !nestsDeeperThan(data.buffer as BufferCursor, FLATTEN_DEPTH)) return originalBuild.call(TreeClass, data);
  const tree = originalBuild.call(TreeClass, { ...data, buffer: flattenedRecords(data.buffer as BufferCursor, FLATTEN_DEPTH) });
  unreusable.add(tree);
  return tree;
}

/**
 * Parses Python source with the forked grammar (never throws on bad syntax: error nodes mark
 * it). Fragments of a previous tree are reused unless that tree was built from flattened records.
 */
export function parseTree(text: string, fragments?: readonly TreeFragment[]): Tree {
  const usable = fragments && fragments.some((f) => unreusable.has(f.tree)) ? undefined : fragments;
  TreeClass.build = buildFlattened;
  try {
    return parser.parse(text, usable);
  } finally {
    TreeClass.build = originalBuild;
  }
}
