// The one module of syntax helpers over the Python tree (python-parser.ts), shared by the graph's
// facts (analysis/module-facts.ts) and the lint's file model and rules.
import type { SyntaxNode } from '../analysis/python-parser';

export type { SyntaxNode };

/** The source text of a node; module-facts reads re-parsed pieces at an offset, so it is an interface. */
export interface NodeText {
  of(node: SyntaxNode): string;
}

export class Source implements NodeText {
  constructor(readonly text: string) {}

  of(node: SyntaxNode): string {
    return this.text.slice(node.from, node.to);
  }
}

/** Lezer makes a new object for a node on every access: nodes compare by position and type. */
export function sameNode(a: SyntaxNode, b: SyntaxNode): boolean {
  return a.from === b.from && a.to === b.to && a.type === b.type;
}

/** Children of a node as an array. */
export function children(node: SyntaxNode): SyntaxNode[] {
  const list: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) list.push(c);
  return list;
}

/**
 * `a.b.c` as ['a', 'b', 'c'] for names and attribute chains; undefined for anything else.
 * Iterative: a chain thousands of attributes long cannot overflow the stack.
 */
export function dottedName(node: SyntaxNode, src: NodeText): string[] | undefined {
  const reversed: string[] = [];
  let current: SyntaxNode = node;
  while (current.name === 'MemberExpression') {
    const object = current.firstChild;
    const property = current.lastChild;
    if (!object || property?.name !== 'PropertyName' || object === property) return undefined;
    reversed.push(src.of(property));
    current = object;
  }
  if (current.name !== 'VariableName') return undefined;
  reversed.push(src.of(current));
  return reversed.reverse();
}

export interface CallParts {
  node: SyntaxNode;
  callee: SyntaxNode;
  /** Method name when the callee is `x.name`. */
  method?: string;
  /** The `x` of `x.name(...)`. */
  receiver?: SyntaxNode;
  positional: SyntaxNode[];
  keywords: Map<string, SyntaxNode>;
  /** `*args` / `**kwargs` present: positions are not known. */
  starred: boolean;
}

export function callParts(node: SyntaxNode, src: NodeText): CallParts | undefined {
  if (node.name !== 'CallExpression') return undefined;
  const callee = node.firstChild;
  const argList = node.getChild('ArgList');
  if (!callee || !argList) return undefined;
  const parts: CallParts = { node, callee, positional: [], keywords: new Map(), starred: false };
  if (callee.name === 'MemberExpression' && callee.lastChild?.name === 'PropertyName') {
    parts.method = src.of(callee.lastChild);
    parts.receiver = callee.firstChild ?? undefined;
  }
  const items = children(argList).filter((c) => c.name !== '(' && c.name !== ')' && c.name !== 'Comment');
  let k = 0;
  while (k < items.length) {
    const item = items[k]!;
    if (item.name === ',') {
      k++;
      continue;
    }
    if (item.name === '*' || item.name === '**') {
      parts.starred = true;
      k += 2;
      continue;
    }
    if (item.name === 'VariableName' && items[k + 1]?.name === 'AssignOp' && items[k + 2]) {
      parts.keywords.set(src.of(item), items[k + 2]!);
      k += 3;
      continue;
    }
    // A generator argument (`f(x for x in y)`) is flattened into the ArgList: keep the element.
    parts.positional.push(item);
    while (k + 1 < items.length && items[k + 1]!.name !== ',') k++;
    k++;
  }
  return parts;
}

/** Argument by keyword, else by position. */
export function argument(call: CallParts, position: number, keyword: string): SyntaxNode | undefined {
  return call.keywords.get(keyword) ?? call.positional[position];
}

/** Elements of a list / tuple / set literal (or a parenthesised tuple). */
export function sequenceElements(node: SyntaxNode): SyntaxNode[] | undefined {
  if (!['ArrayExpression', 'TupleExpression', 'SetExpression', 'ParenthesizedExpression'].includes(node.name)) return undefined;
  return children(node).filter((c) => !['[', ']', '(', ')', '{', '}', ',', 'Comment'].includes(c.name));
}

export interface StringPiece {
  /** Offset in the file where the piece's content starts. */
  from: number;
  text: string;
}

/**
 * The value of a string expression: one literal, implicitly concatenated literals, `+` of
 * literals, or an f-string (replacements become `?`). Pieces map offsets back to the file.
 */
export function stringValue(node: SyntaxNode, src: Source): { text: string; pieces: StringPiece[] } | undefined {
  const pieces: StringPiece[] = [];
  const add = (n: SyntaxNode): boolean => {
    switch (n.name) {
      case 'String':
      case 'FormatString': {
        const raw = src.of(n);
        const match = /^([rRbBuUfF]{0,2})('''|"""|'|")/.exec(raw);
        if (!match) return false;
        const quote = match[2]!;
        const contentFrom = n.from + match[0].length;
        const contentTo = raw.endsWith(quote) && raw.length >= match[0].length + quote.length ? n.to - quote.length : n.to;
        let text = src.text.slice(contentFrom, contentTo);
        if (n.name === 'FormatString') {
          // Keep lengths so offsets stay valid: blank out the replacements.
          for (const replacement of n.getChildren('FormatReplacement')) {
            const a = replacement.from - contentFrom;
            const b = replacement.to - contentFrom;
            if (a >= 0 && b <= text.length) text = text.slice(0, a) + '?'.padEnd(b - a, ' ') + text.slice(b);
          }
        }
        pieces.push({ from: contentFrom, text });
        return true;
      }
      case 'ContinuedString':
        return children(n).every((c) => c.name === 'Comment' || add(c));
      case 'ParenthesizedExpression': {
        const inner = children(n).filter((c) => c.name !== '(' && c.name !== ')' && c.name !== 'Comment');
        return inner.length === 1 && add(inner[0]!);
      }
      case 'BinaryExpression': {
        const [left, op, right] = children(n);
        return !!left && !!right && op?.name === 'ArithOp' && src.of(op) === '+' && add(left) && add(right);
      }
      default:
        return false;
    }
  };
  if (!add(node)) return undefined;
  // Implicit concatenation joins pieces without a separator; a space keeps SQL words apart only
  // when the author forgot one, which Spanner would reject anyway.
  return { text: pieces.map((p) => p.text).join(''), pieces };
}

/** File offset of an offset into a concatenated string value. */
export function pieceOffset(pieces: StringPiece[], offset: number): number {
  let remaining = offset;
  for (const piece of pieces) {
    if (remaining <= piece.text.length) return piece.from + remaining;
    remaining -= piece.text.length;
  }
  const last = pieces[pieces.length - 1];
  return last ? last.from + last.text.length : 0;
}

/** The statement node that contains `node` (its direct parent is a Body or the Script). */
export function statementOf(node: SyntaxNode): SyntaxNode {
  let current: SyntaxNode = node;
  while (current.parent && current.parent.name !== 'Body' && current.parent.name !== 'Script') current = current.parent;
  return current;
}

export const FUNCTION_NODES = new Set(['FunctionDefinition', 'LambdaExpression']);

/** Visits descendants of `node` in order, not entering nested functions or classes. */
export function walkOwn(node: SyntaxNode, visit: (n: SyntaxNode) => void): void {
  for (let c = node.firstChild; c; c = c.nextSibling) {
    visit(c);
    if (FUNCTION_NODES.has(c.name) || c.name === 'ClassDefinition' || c.name === 'DecoratedStatement') continue;
    walkOwn(c, visit);
  }
}

/**
 * A memo key for a node (nested nodes share their start, so the length and type count) in a
 * scope: a number while it fits, which spares the garbage collector a string per lookup.
 */
export function nodeKey(node: SyntaxNode, scopeId: number, typeId = 0): number | string {
  const length = node.to - node.from;
  if (length < 4096 && scopeId < 1024 && typeId < 512 && node.from < 2 ** 21) return ((node.from * 4096 + length) * 1024 + scopeId) * 512 + typeId;
  return `${node.from}:${length}:${scopeId}:${typeId}`;
}

