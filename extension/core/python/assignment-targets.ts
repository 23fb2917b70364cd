// Assignment targets Python's parser rejects and the grammar accepts: the grammar reads both
// sides of `=` as expressions (as upstream lezer does), so `a - r = 1` or `f() = 1` parse
// without an error node, while `ast.parse` raises "cannot assign to expression here". The same
// for the targets of `for` and `with ... as`, what `del` deletes, and the target of `:=` (a
// plain name only). The messages are CPython 3.11's.
import type { SyntaxNode, TreeCursor } from '@lezer/common';
import { parser } from './grammar/parser';

export interface TargetError {
  /** The offending node, in the tree's offsets. */
  node: SyntaxNode;
  message: string;
}

/** Statements that hold other statements: the only nodes the search enters. */
const CONTAINERS = new Set([
  'Script', 'Body', 'StatementGroup', 'IfStatement', 'WhileStatement', 'ForStatement', 'TryStatement', 'WithStatement',
  'FunctionDefinition', 'ClassDefinition', 'DecoratedStatement', 'MatchStatement', 'MatchBody', 'MatchClause',
]);

/** What CPython calls each expression that cannot be assigned to. Nodes left out are not judged. */
const KINDS: ReadonlyMap<string, string> = new Map([
  ['UnaryExpression', 'expression'],
  ['AwaitExpression', 'await expression'],
  ['CallExpression', 'function call'],
  ['Number', 'literal'],
  ['String', 'literal'],
  ['ContinuedString', 'literal'],
  ['FormatString', 'f-string expression'],
  ['Ellipsis', 'ellipsis'],
  ['LambdaExpression', 'lambda'],
  ['ConditionalExpression', 'conditional expression'],
  ['NamedExpression', 'named expression'],
  ['DictionaryExpression', 'dict literal'],
  ['SetExpression', 'set display'],
  ['ArrayComprehensionExpression', 'list comprehension'],
  ['DictionaryComprehensionExpression', 'dict comprehension'],
  ['SetComprehensionExpression', 'set comprehension'],
  ['ComprehensionExpression', 'generator expression'],
  ['YieldExpression', 'yield expression'],
]);

/** Kinds after which CPython adds no "Maybe you meant '=='" (their `==` would not bind so). */
const NO_HINT = new Set(['comparison', 'conditional expression', 'lambda', 'None', 'True', 'False']);

const SEPARATORS = new Set(['(', ')', '[', ']', ',', '*', 'Comment']);

function kindOf(node: SyntaxNode, textOf: (node: SyntaxNode) => string): string | undefined {
  if (node.name === 'BinaryExpression') {
    const op = node.firstChild?.nextSibling;
    if (!op) return undefined;
    if (op.name === 'CompareOp' || op.name === 'in' || op.name === 'not' || op.name === 'is') return 'comparison';
    return 'expression';
  }
  if (node.name === 'None') return 'None';
  if (node.name === 'Boolean') return textOf(node);
  return KINDS.get(node.name);
}

/** The first part of a target that cannot be assigned to; `nested` inside brackets. Iterative: targets may nest deeply. */
function invalidPart(target: SyntaxNode, textOf: (node: SyntaxNode) => string): { node: SyntaxNode; kind: string; nested: boolean } | undefined {
  const pending: Array<[SyntaxNode, boolean]> = [[target, false]];
  while (pending.length > 0) {
    const [node, nested] = pending.pop()!;
    if (node.type.isError) return undefined;
    if (node.name === 'VariableName' || node.name === 'MemberExpression') continue;
    if (node.name === 'ParenthesizedExpression' || node.name === 'TupleExpression' || node.name === 'ArrayExpression') {
      const inner: SyntaxNode[] = [];
      for (let c = node.firstChild; c; c = c.nextSibling) if (!SEPARATORS.has(c.name)) inner.push(c);
      // Nested brackets change CPython's wording, plain parentheses around one target do not.
      const deeper = nested || node.name !== 'ParenthesizedExpression';
      for (let k = inner.length - 1; k >= 0; k--) pending.push([inner[k]!, deeper]);
      continue;
    }
    const kind = kindOf(node, textOf);
    if (kind === undefined) return undefined;
    return { node, kind, nested };
  }
  return undefined;
}

/** `((x))` as `x`. */
function unparenthesized(node: SyntaxNode): SyntaxNode {
  let inner = node;
  for (;;) {
    if (inner.name !== 'ParenthesizedExpression') return inner;
    let next: SyntaxNode | null = inner.firstChild;
    while (next && SEPARATORS.has(next.name)) next = next.nextSibling;
    if (!next) return inner;
    inner = next;
  }
}

/** `for <targets> in`, `with x as <target>`: the same targets as `=`, with CPython's shorter message. */
function loopOrWithError(statement: SyntaxNode, textOf: (node: SyntaxNode) => string): TargetError | undefined {
  const targets: SyntaxNode[] = [];
  if (statement.name === 'ForStatement') {
    let inTargets = false;
    for (let c = statement.firstChild; c; c = c.nextSibling) {
      if (c.type.isError) return undefined;
      if (c.name === 'for') inTargets = true;
      else if (c.name === 'in') break;
      else if (inTargets && !SEPARATORS.has(c.name)) targets.push(c);
    }
  } else {
    for (let c = statement.firstChild; c; c = c.nextSibling) {
      if (c.type.isError) return undefined;
      if (c.name === 'Body') break;
      if (c.name === 'as' && c.nextSibling && !c.nextSibling.type.isError) targets.push(c.nextSibling);
    }
  }
  for (const target of targets) {
    const invalid = invalidPart(target, textOf);
    if (invalid) return { node: invalid.node, message: `cannot assign to ${invalid.kind}` };
  }
  return undefined;
}

/** `del <targets>`: names, attributes, subscripts, and tuples or lists of them. */
function deleteError(statement: SyntaxNode, textOf: (node: SyntaxNode) => string): TargetError | undefined {
  const targets: SyntaxNode[] = [];
  for (let c = statement.firstChild; c; c = c.nextSibling) {
    if (c.type.isError) return undefined;
    if (c.name !== 'del' && !SEPARATORS.has(c.name)) targets.push(c);
  }
  for (const target of targets) {
    const invalid = invalidPart(target, textOf);
    if (invalid) return { node: invalid.node, message: `cannot delete ${invalid.kind}` };
  }
  return undefined;
}

/** What CPython names a `:=` target that is not a plain name. */
function namedTargetKind(target: SyntaxNode, textOf: (node: SyntaxNode) => string): { node: SyntaxNode; kind: string } | undefined {
  const inner = unparenthesized(target);
  if (inner.type.isError) return undefined;
  // `((a) := 1)`: a name, but in parentheses.
  if (inner.name === 'VariableName') return inner === target || (inner.from === target.from && inner.to === target.to) ? undefined : { node: inner, kind: 'name' };
  if (inner.name === 'MemberExpression') return { node: inner, kind: inner.getChild('[') ? 'subscript' : 'attribute' };
  if (inner.name === 'TupleExpression') return { node: inner, kind: 'tuple' };
  if (inner.name === 'ArrayExpression') return { node: inner, kind: 'list' };
  const kind = kindOf(inner, textOf);
  return kind === undefined ? undefined : { node: inner, kind };
}

const NAMED_EXPRESSION = 'NamedExpression';
/** Nodes whose `for ... in` clauses bind targets: comprehensions, and a call's bare generator argument. */
const COMPREHENSIONS = new Set(['ArrayComprehensionExpression', 'SetComprehensionExpression', 'DictionaryComprehensionExpression', 'ComprehensionExpression', 'ArgList']);

/** The first `for` target of a comprehension that Python rejects. */
function comprehensionError(node: SyntaxNode, textOf: (node: SyntaxNode) => string): TargetError | undefined {
  let inTargets = false;
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (c.type.isError) return undefined;
    if (c.name === 'for') inTargets = true;
    else if (c.name === 'in') inTargets = false;
    else if (inTargets && !SEPARATORS.has(c.name)) {
      const invalid = invalidPart(c, textOf);
      if (invalid) return { node: invalid.node, message: `cannot assign to ${invalid.kind}` };
    }
  }
  return undefined;
}

/**
 * The first `:=` whose target is not a plain name, or comprehension `for` target Python rejects,
 * in `statement`: a walk of its whole tree, so only when its text holds `:=` or `for`.
 */
function namedExpressionError(statement: SyntaxNode, textOf: (node: SyntaxNode) => string): TargetError | undefined {
  const text = textOf(statement);
  const walrus = text.includes(':=');
  const comprehensions = /\bfor\b/.test(text);
  if (!walrus && !comprehensions) return undefined;
  const cursor = statement.cursor();
  const end = statement.to;
  // Error nodes are skipped with what they hold: the grammar reports them.
  for (let entered = cursor.firstChild(); entered && cursor.from < end; ) {
    if (cursor.type.isError) {
      entered = nextOutside(cursor, statement);
      continue;
    }
    if (comprehensions && COMPREHENSIONS.has(cursor.name) && (cursor.name !== 'ArgList' || text.includes('for', cursor.from - statement.from))) {
      const error = comprehensionError(cursor.node, textOf);
      if (error) return error;
    }
    if (walrus && cursor.name === NAMED_EXPRESSION) {
      const node = cursor.node;
      const target = node.firstChild;
      const op = target?.nextSibling;
      if (target && op?.name === 'AssignOp' && textOf(op) === ':=') {
        const invalid = namedTargetKind(target, textOf);
        if (invalid) return { node: invalid.node, message: `cannot use assignment expressions with ${invalid.kind}` };
      }
    }
    entered = cursor.firstChild() || nextOutside(cursor, statement);
  }
  return undefined;
}

/** Moves to the next node after the cursor's subtree, within `root`; false at the end. */
function nextOutside(cursor: TreeCursor, root: SyntaxNode): boolean {
  for (;;) {
    if (cursor.nextSibling()) return true;
    if (!cursor.parent() || (cursor.from === root.from && cursor.to === root.to && cursor.type === root.type)) return false;
  }
}

function assignmentError(statement: SyntaxNode, textOf: (node: SyntaxNode) => string): TargetError | undefined {
  const children: SyntaxNode[] = [];
  for (let c = statement.firstChild; c; c = c.nextSibling) children.push(c);
  if (children.some((c) => c.type.isError)) return undefined;
  if (statement.name === 'UpdateStatement') {
    const target = children[0];
    if (!target || children[1]?.name !== 'UpdateOp') return undefined;
    const inner = unparenthesized(target);
    if (inner.name === 'VariableName' || inner.name === 'MemberExpression') return undefined;
    const kind = inner.name === 'TupleExpression' ? 'tuple' : inner.name === 'ArrayExpression' ? 'list' : kindOf(inner, textOf);
    return kind === undefined ? undefined : { node: inner, message: `'${kind}' is an illegal expression for augmented assignment` };
  }
  // AssignStatement: target groups are the expressions before each `=` (and the annotation).
  const lastAssign = children.map((c) => c.name).lastIndexOf('AssignOp');
  const typeDef = children.findIndex((c) => c.name === 'TypeDef');
  const end = typeDef >= 0 ? typeDef : lastAssign;
  if (end < 0) return undefined;
  if (typeDef >= 0) {
    const targets = children.slice(0, typeDef);
    const only = targets[0];
    if (targets.length !== 1 || !only) return { node: targets[0] ?? statement, message: 'only single target (not tuple) can be annotated' };
    if (only.name === 'TupleExpression' || only.name === 'ArrayExpression') {
      return { node: only, message: `only single target (not ${only.name === 'TupleExpression' ? 'tuple' : 'list'}) can be annotated` };
    }
    const inner = unparenthesized(only);
    if (inner.name === 'VariableName' || inner.name === 'MemberExpression' || inner.type.isError || kindOf(inner, textOf) === undefined) return undefined;
    return { node: inner, message: 'illegal target for annotation' };
  }
  let group = 0;
  for (let k = 0; k < end; k++) {
    const child = children[k]!;
    if (child.name === 'AssignOp') {
      group++;
      continue;
    }
    if (SEPARATORS.has(child.name)) continue;
    const invalid = invalidPart(child, textOf);
    if (!invalid) continue;
    const hint = group === 0 && !invalid.nested && !NO_HINT.has(invalid.kind) && !(invalid.node.name === 'BinaryExpression' && /^(and|or)$/.test(invalid.node.firstChild?.nextSibling?.name ?? ''));
    return { node: invalid.node, message: `cannot assign to ${invalid.kind}${hint ? " here. Maybe you meant '==' instead of '='?" : ''}` };
  }
  return undefined;
}

/** The type ids of a node name (inline tokens such as `AssignOp{"="}` give one type per use). */
const typeIds = (...names: string[]): Set<number> => {
  const ids = new Set(parser.nodeSet.types.filter((t) => names.includes(t.name)).map((t) => t.id));
  if (ids.size === 0) throw new Error(`python grammar: no node type ${names.join(', ')}`);
  return ids;
};
const CONTAINER_IDS = typeIds(...CONTAINERS);
const ASSIGNMENTS = typeIds('AssignStatement', 'UpdateStatement');
const DELETE = typeIds('DeleteStatement');
const FOR_OR_WITH = typeIds('ForStatement', 'WithStatement');
const UPDATE = typeIds('UpdateStatement');
const ASSIGN_OP = typeIds('AssignOp');
const TYPE_DEF = typeIds('TypeDef');
const TARGET = typeIds('VariableName', 'MemberExpression');
/** Children of an assignment that need no closer look: plain targets and what separates them. */
const PLAIN = typeIds('VariableName', 'MemberExpression', ',', '*', 'Comment');

/** Child type ids of the cursor's node (the cursor ends where it started). */
function childTypes(cursor: TreeCursor, into: number[]): number[] {
  into.length = 0;
  if (cursor.firstChild()) {
    do into.push(cursor.type.id);
    while (cursor.nextSibling());
    cursor.parent();
  }
  return into;
}

/** Whether the assignment at the cursor has only plain targets (the usual case, read without building nodes). */
function plainAssignment(cursor: TreeCursor, types: number[]): boolean {
  childTypes(cursor, types);
  if (UPDATE.has(cursor.type.id)) return types.length > 0 && TARGET.has(types[0]!);
  let end = -1;
  for (let k = 0; k < types.length; k++) {
    if (TYPE_DEF.has(types[k]!)) return k === 1 && TARGET.has(types[0]!);
    if (ASSIGN_OP.has(types[k]!)) end = k;
  }
  for (let k = 0; k < end; k++) if (!ASSIGN_OP.has(types[k]!) && !PLAIN.has(types[k]!)) return false;
  return true;
}

/**
 * The first assignment in `statement` (a statement node; compound statements are searched
 * through) whose target Python's parser rejects: `=`, augmented and annotated assignment, `for`
 * and `with ... as` targets, `del`, then `:=`. Statements with error nodes among their parts
 * are left to the grammar's own error. A cursor walk that enters only statements that hold
 * statements, and builds nodes only for assignments whose targets are not plain names.
 */
export function invalidAssignmentTarget(statement: SyntaxNode, textOf: (node: SyntaxNode) => string): TargetError | undefined {
  return statementTargetError(statement, textOf) ?? namedExpressionError(statement, textOf);
}

function statementTargetError(statement: SyntaxNode, textOf: (node: SyntaxNode) => string): TargetError | undefined {
  const cursor = statement.cursor();
  const types: number[] = [];
  let depth = 0;
  for (;;) {
    const id = cursor.type.id;
    if (ASSIGNMENTS.has(id)) {
      if (!plainAssignment(cursor, types)) {
        const error = assignmentError(cursor.node, textOf);
        if (error) return error;
      }
    } else if (DELETE.has(id)) {
      const error = deleteError(cursor.node, textOf);
      if (error) return error;
    } else if (CONTAINER_IDS.has(id)) {
      if (FOR_OR_WITH.has(id)) {
        const error = loopOrWithError(cursor.node, textOf);
        if (error) return error;
      }
      if (cursor.firstChild()) {
        depth++;
        continue;
      }
    }
    while (!cursor.nextSibling()) {
      if (depth === 0 || !cursor.parent()) return undefined;
      depth--;
    }
    if (depth === 0) return undefined;
  }
}
