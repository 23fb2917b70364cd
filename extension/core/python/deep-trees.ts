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
 * Nesting as the builder recurses: a record of size s (four per record of its subtree, itself
 * included) holds the s/4 - 1 records before it; leaves and special records (size <= 4) add no
 * level, and neither does a repeat node (id >= minRepeat) directly inside one of its own type
 * (the builder folds those into one balanced node without recursing: without this rule every
 * `statement*` of a long module would count one level per statement).
 */
class Nesting {
  private readonly starts: number[] = [];
  private readonly ids: number[] = [];
  private readonly depths: number[] = [];

  constructor(private readonly minRepeat: number) {}

  /** The depth of the record read at `pos` (the cursor's position, records read backwards); 0 for leaves. */
  next(pos: number, id: number, size: number): number {
    const { starts, ids, depths } = this;
    while (starts.length > 0 && starts[starts.length - 1]! >= pos) {
      starts.pop();
      ids.pop();
      depths.pop();
    }
    if (size <= 4) return 0;
    const top = depths.length - 1;
    const parent = top >= 0 ? depths[top]! : 0;
    const depth = id >= this.minRepeat && top >= 0 && ids[top] === id ? parent : parent + 1;
    starts.push(pos - size);
    ids.push(id);
    depths.push(depth);
    return depth;
  }
}

function nestsDeeperThan(cursor: BufferCursor, limit: number, minRepeat: number): boolean {
  const nesting = new Nesting(minRepeat);
  for (const c = cursor.fork(); c.pos > 0; c.next()) if (nesting.next(c.pos, c.id, c.size) > limit) return true;
  return false;
}

/** A build cursor over records in a typed array (Tree.build takes plain arrays, or cursors). */
class RecordCursor implements BufferCursor {
  constructor(
    readonly records: Float64Array,
    public pos: number,
  ) {}
  get id(): number {
    return this.records[this.pos - 4]!;
  }
  get start(): number {
    return this.records[this.pos - 3]!;
  }
  get end(): number {
    return this.records[this.pos - 2]!;
  }
  get size(): number {
    return this.records[this.pos - 1]!;
  }
  next(): void {
    this.pos -= 4;
  }
  fork(): RecordCursor {
    return new RecordCursor(this.records, this.pos);
  }
}

/**
 * The records of a build cursor, with every node (size > 4) nested deeper than `limit` dropped:
 * its leaves, reused nodes and context / look-ahead records stay, in order, as children of its
 * ancestor at depth `limit`, whose size and its ancestors' shrink accordingly.
 */
export function flattenedRecords(cursor: BufferCursor, limit: number, minRepeat: number): RecordCursor {
  // The cursor reads backwards; a record read at position p sits at [p - 4, p) in postfix order.
  const length = cursor.pos;
  const source = new Float64Array(length);
  const depth = new Int32Array(length / 4);
  const nesting = new Nesting(minRepeat);
  for (const c = cursor.fork(); c.pos > 0; c.next()) {
    const at = c.pos - 4;
    source[at] = c.id;
    source[at + 1] = c.start;
    source[at + 2] = c.end;
    source[at + 3] = c.size;
    depth[at / 4] = nesting.next(c.pos, c.id, c.size);
  }
  // keptBefore[k]: how many of the first k records (postfix order) are kept.
  const count = length / 4;
  const keptBefore = new Int32Array(count + 1);
  const records = new Float64Array(length);
  let kept = 0;
  for (let k = 0; k < count; k++) {
    const size = source[k * 4 + 3]!;
    if (size <= 4 || depth[k]! <= limit) {
      records[kept * 4] = source[k * 4]!;
      records[kept * 4 + 1] = source[k * 4 + 1]!;
      records[kept * 4 + 2] = source[k * 4 + 2]!;
      records[kept * 4 + 3] = size > 4 ? (kept - keptBefore[k + 1 - size / 4]! + 1) * 4 : size;
      kept++;
    }
    keptBefore[k + 1] = kept;
  }
  return new RecordCursor(records, kept * 4);
}

function buildFlattened(data: BuildData): Tree {
  const minRepeat = data.minRepeatType ?? data.nodeSet.types.length;
  if (Array.isArray(data.buffer) || !nestsDeeperThan(data.buffer as BufferCursor, FLATTEN_DEPTH, minRepeat)) return originalBuild.call(TreeClass, data);
  const tree = originalBuild.call(TreeClass, { ...data, buffer: flattenedRecords(data.buffer as BufferCursor, FLATTEN_DEPTH, minRepeat) });
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
