// String values computed statically, for table names and SQL texts that are not literals:
// `TABLE = "Orders"` then `batch.insert(TABLE, ...)`, `self.table`, f-strings, `.format(...)` and
// `%`. Two halves, so that the graph's facts (plain data, cached on disk, resolved across files
// later) and the lint (which has the tree) share one set of rules:
// - `compileStringExpr` turns an expression of the tree into a `StringExpr` (plain data): the
//   literal parts, and the names (`TABLE`, `config.TABLE`, `self.table`) it leaves to resolve.
// - `evaluateStringExpr` computes its value, asking an environment for the names. What cannot be
//   known becomes a hole, never a guess: the value is then a template with holes, so that SQL
//   whose table is known but whose WHERE holds a run-time value still names its table.
// Nothing is imported or run.
import type { SyntaxNode } from '../analysis/python-parser';
import { dottedName, type NodeText } from './syntax';

/** A string expression as plain data (JSON: module facts are cached on disk). */
export type StringExpr =
  | { k: 'lit'; v: string }
  /** A name or dotted name: a module-level constant, an imported one, `Class.ATTR`. */
  | { k: 'name'; parts: string[] }
  /** `self.x` (or `cls.x`) in a method: looked up on the task's class. */
  | { k: 'self'; attr: string }
  /** Concatenation: f-string pieces, `+`, adjacent literals. */
  | { k: 'cat'; parts: StringExpr[] }
  /** `template.format(*args, **kwargs)`. */
  | { k: 'format'; template: StringExpr; args: StringExpr[]; kwargs: Record<string, StringExpr> }
  /** `template % args` (a tuple, one value, or a dict for `%(name)s`). */
  | { k: 'percent'; template: StringExpr; args: StringExpr[] | Record<string, StringExpr> }
  /** Anything else (a call, a subscript, an f-string field with a format spec): not known. */
  | { k: 'unknown'; text: string };

/** What a name stands for in the function being read: a local's value, or undefined to leave it to the environment. */
export type LocalValue = (name: string) => StringExpr | undefined;

/** How deep expressions (and names through their values) are followed. */
export const MAX_STRING_DEPTH = 12;

const unknown = (text: string): StringExpr => ({ k: 'unknown', text: text.length > 80 ? `${text.slice(0, 79)}…` : text });

/**
 * The StringExpr of `node`. `local` answers for the function's own variables (a name it does
 * not answer stays a name, for the module or the imports); `selfName` is the method's first
 * parameter. Bounded by MAX_STRING_DEPTH.
 */
export function compileStringExpr(node: SyntaxNode, src: NodeText, options: { local?: LocalValue; selfName?: string } = {}, depth = 0): StringExpr {
  if (depth > MAX_STRING_DEPTH) return unknown(src.of(node));
  const next = (n: SyntaxNode) => compileStringExpr(n, src, options, depth + 1);
  switch (node.name) {
    case 'String': {
      const value = literalValue(src.of(node));
      return value === undefined ? unknown(src.of(node)) : { k: 'lit', v: value };
    }
    case 'FormatString':
      return formatString(node, src, next);
    case 'ContinuedString': {
      const parts: StringExpr[] = [];
      for (let c = node.firstChild; c; c = c.nextSibling) if (c.name !== 'Comment') parts.push(next(c));
      return cat(parts);
    }
    case 'ParenthesizedExpression': {
      const inner = significant(node).filter((c) => c.name !== '(' && c.name !== ')');
      return inner.length === 1 ? next(inner[0]!) : unknown(src.of(node));
    }
    case 'BinaryExpression': {
      const [left, op, right] = significant(node);
      if (!left || !right || op?.name !== 'ArithOp') return unknown(src.of(node));
      const operator = src.of(op);
      if (operator === '+') return cat([next(left), next(right)]);
      if (operator === '%') {
        const template = next(left);
        if (template.k === 'unknown') return unknown(src.of(node));
        if (right.name === 'TupleExpression' || (right.name === 'ParenthesizedExpression' && significant(right).some((c) => c.name === ','))) {
          return { k: 'percent', template, args: elements(right).map(next) };
        }
        if (right.name === 'DictionaryExpression') {
          const entries = dictEntries(right, src);
          if (!entries) return unknown(src.of(node));
          const args: Record<string, StringExpr> = {};
          for (const [key, value] of entries) args[key] = next(value);
          return { k: 'percent', template, args };
        }
        return { k: 'percent', template, args: [next(right)] };
      }
      return unknown(src.of(node));
    }
    case 'CallExpression': {
      const callee = node.firstChild;
      const argList = node.getChild('ArgList');
      if (callee?.name === 'MemberExpression' && callee.lastChild?.name === 'PropertyName' && src.of(callee.lastChild) === 'format' && argList && callee.firstChild) {
        const template = next(callee.firstChild);
        if (template.k === 'unknown') return unknown(src.of(node));
        const args: StringExpr[] = [];
        const kwargs: Record<string, StringExpr> = {};
        const items = significant(argList).filter((c) => c.name !== '(' && c.name !== ')' && c.name !== ',');
        for (let i = 0; i < items.length; i++) {
          const item = items[i]!;
          if (item.name === '*' || item.name === '**') return unknown(src.of(node)); // positions unknown
          if (item.name === 'VariableName' && items[i + 1]?.name === 'AssignOp' && items[i + 2]) {
            kwargs[src.of(item)] = next(items[i + 2]!);
            i += 2;
          } else args.push(next(item));
        }
        return { k: 'format', template, args, kwargs };
      }
      return unknown(src.of(node));
    }
    case 'VariableName': {
      const name = src.of(node);
      const value = options.local?.(name);
      return value ?? { k: 'name', parts: [name] };
    }
    case 'MemberExpression': {
      const parts = dottedName(node, src);
      if (!parts) return unknown(src.of(node));
      if (options.selfName !== undefined && parts[0] === options.selfName) return parts.length === 2 ? { k: 'self', attr: parts[1]! } : unknown(src.of(node));
      // `sd = sample_data` then `sd.TABLE`: the local stands for a name. Any other local's attribute is not known.
      const local = options.local?.(parts[0]!);
      if (local?.k === 'name') return { k: 'name', parts: [...local.parts, ...parts.slice(1)] };
      if (local) return unknown(src.of(node));
      return { k: 'name', parts };
    }
    default:
      return unknown(src.of(node));
  }
}

function formatString(node: SyntaxNode, src: NodeText, next: (n: SyntaxNode) => StringExpr): StringExpr {
  const raw = src.of(node);
  const match = /^([rRbBuUfF]{0,2})('''|"""|'|")/.exec(raw);
  if (!match) return unknown(raw);
  const quote = match[2]!;
  const isRaw = /r/i.test(match[1]!);
  const contentFrom = node.from + match[0].length;
  const contentTo = raw.endsWith(quote) && raw.length >= match[0].length + quote.length ? node.to - quote.length : node.to;
  const parts: StringExpr[] = [];
  let at = contentFrom;
  const literal = (from: number, to: number) => {
    if (to <= from) return;
    const text = raw.slice(from - node.from, to - node.from).replace(/\{\{/g, '{').replace(/\}\}/g, '}');
    parts.push({ k: 'lit', v: isRaw ? text : unescape(text) });
  };
  for (const field of node.getChildren('FormatReplacement')) {
    literal(at, field.from);
    at = field.to;
    const inside = significant(field).filter((c) => c.name !== '{' && c.name !== '}');
    const conversion = inside.find((c) => c.name === 'FormatConversion');
    // `{x:>10}`, `{x!r}` (quotes), `{x=}` (the text too): the value is not the plain str() of x.
    if (inside.length === 0 || inside.some((c) => c.name === 'FormatSpec' || c.name === 'FormatSelfDoc') || (conversion && src.of(conversion) !== '!s')) {
      parts.push(unknown(src.of(field)));
      continue;
    }
    const expressions = inside.filter((c) => c.name !== 'FormatConversion');
    parts.push(expressions.length === 1 ? next(expressions[0]!) : unknown(src.of(field)));
  }
  literal(at, contentTo);
  return cat(parts);
}

function cat(parts: StringExpr[]): StringExpr {
  const flat: StringExpr[] = [];
  for (const part of parts) {
    for (const p of part.k === 'cat' ? part.parts : [part]) {
      const last = flat[flat.length - 1];
      if (p.k === 'lit' && last?.k === 'lit') flat[flat.length - 1] = { k: 'lit', v: last.v + p.v };
      else flat.push(p);
    }
  }
  return flat.length === 1 ? flat[0]! : flat.length === 0 ? { k: 'lit', v: '' } : { k: 'cat', parts: flat };
}

function significant(node: SyntaxNode): SyntaxNode[] {
  const list: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.name !== 'Comment') list.push(c);
  return list;
}

function elements(node: SyntaxNode): SyntaxNode[] {
  return significant(node).filter((c) => !['(', ')', ','].includes(c.name));
}

function dictEntries(node: SyntaxNode, src: NodeText): Array<[string, SyntaxNode]> | undefined {
  const parts = significant(node).filter((c) => !['{', '}', ','].includes(c.name));
  const entries: Array<[string, SyntaxNode]> = [];
  for (let k = 0; k < parts.length; k += 3) {
    const key = parts[k]?.name === 'String' ? literalValue(src.of(parts[k]!)) : undefined;
    const value = parts[k + 2];
    if (key === undefined || parts[k + 1]?.name !== ':' || !value) return undefined;
    entries.push([key, value]);
  }
  return entries;
}

/** The value of a plain string literal (escapes decoded unless raw; not bytes), or undefined. */
export function literalValue(text: string): string | undefined {
  const match = /^([rRuU]?)('''|"""|'|")/.exec(text);
  if (!match) return undefined;
  const quote = match[2]!;
  const body = text.slice(match[0].length);
  if (!body.endsWith(quote) || body.length < quote.length) return undefined;
  const content = body.slice(0, body.length - quote.length);
  return /r/i.test(match[1]!) ? content : unescape(content);
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '\n': '', a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0' };

function unescape(text: string): string {
  return text.includes('\\') ? text.replace(/\\(.)/gs, (all, c: string) => ESCAPES[c] ?? all) : text;
}

// ---- evaluation ----

/** One piece of a value: known text, or a hole (what could not be known, as written). */
export type Segment = string | { hole: string };

export interface StringValue {
  segments: Segment[];
  /** Some part came from a luigi Parameter's default: a run may pass another value. */
  fromDefault: boolean;
}

/** Answers for the names a StringExpr leaves open; undefined means not known (a hole). */
export interface StringEnv {
  name(parts: readonly string[], depth: number): StringValue | undefined;
  self(attr: string, depth: number): StringValue | undefined;
}

export const hole = (text: string): StringValue => ({ segments: [{ hole: text }], fromDefault: false });

const exprText = (expr: StringExpr): string =>
  expr.k === 'name' ? expr.parts.join('.') : expr.k === 'self' ? `self.${expr.attr}` : expr.k === 'unknown' ? expr.text : expr.k === 'lit' ? JSON.stringify(expr.v) : '…';

export function evaluateStringExpr(expr: StringExpr, env: StringEnv, depth = 0): StringValue {
  if (depth > MAX_STRING_DEPTH) return hole(exprText(expr));
  switch (expr.k) {
    case 'lit':
      return { segments: [expr.v], fromDefault: false };
    case 'unknown':
      return hole(expr.text);
    case 'name':
      return env.name(expr.parts, depth + 1) ?? hole(exprText(expr));
    case 'self':
      return env.self(expr.attr, depth + 1) ?? hole(exprText(expr));
    case 'cat':
      return joinValues(expr.parts.map((p) => evaluateStringExpr(p, env, depth + 1)));
    case 'format': {
      const template = evaluateStringExpr(expr.template, env, depth + 1);
      const text = knownText(template);
      if (text === undefined) return hole('.format(...)');
      const args = expr.args.map((a) => evaluateStringExpr(a, env, depth + 1));
      const kwargs = new Map(Object.entries(expr.kwargs).map(([k, v]) => [k, evaluateStringExpr(v, env, depth + 1)]));
      return withDefault(applyFormat(text, args, kwargs), template.fromDefault);
    }
    case 'percent': {
      const template = evaluateStringExpr(expr.template, env, depth + 1);
      const text = knownText(template);
      if (text === undefined) return hole('% (...)');
      const args = Array.isArray(expr.args)
        ? expr.args.map((a) => evaluateStringExpr(a, env, depth + 1))
        : new Map(Object.entries(expr.args).map(([k, v]) => [k, evaluateStringExpr(v, env, depth + 1)]));
      return withDefault(applyPercent(text, args), template.fromDefault);
    }
  }
}

const withDefault = (value: StringValue, fromDefault: boolean): StringValue => (fromDefault ? { ...value, fromDefault: true } : value);

function joinValues(values: StringValue[]): StringValue {
  const segments: Segment[] = [];
  for (const value of values) {
    for (const s of value.segments) {
      const last = segments[segments.length - 1];
      if (typeof s === 'string' && typeof last === 'string') segments[segments.length - 1] = last + s;
      else segments.push(s);
    }
  }
  return { segments, fromDefault: values.some((v) => v.fromDefault) };
}

/** The value's text when it has no holes. */
export function knownText(value: StringValue): string | undefined {
  return value.segments.every((s) => typeof s === 'string') ? value.segments.join('') : undefined;
}

/** `str.format` over known template text: `{}`, `{0}`, `{name}`, `{{`; a field with a spec, a conversion or an attribute is a hole. */
function applyFormat(template: string, args: StringValue[], kwargs: Map<string, StringValue>): StringValue {
  const values: StringValue[] = [];
  let auto = 0;
  let literal = '';
  const flush = () => {
    if (literal) values.push({ segments: [literal], fromDefault: false });
    literal = '';
  };
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if ((c === '{' || c === '}') && template[i + 1] === c) {
      literal += c;
      i++;
      continue;
    }
    if (c !== '{') {
      literal += c;
      continue;
    }
    const end = template.indexOf('}', i);
    if (end === -1) return hole('.format(...)'); // Python raises: not a value
    const field = template.slice(i + 1, end);
    i = end;
    flush();
    let value: StringValue | undefined;
    if (field === '') value = args[auto++];
    else if (/^\d+$/.test(field)) value = args[Number(field)];
    else if (/^[A-Za-z_]\w*$/.test(field)) value = kwargs.get(field);
    values.push(value ?? hole(`{${field}}`));
  }
  flush();
  return joinValues(values);
}

/** `%` over known template text: `%s`, `%(name)s`, `%%`; any other conversion of an argument is a hole. */
function applyPercent(template: string, args: StringValue[] | Map<string, StringValue>): StringValue {
  const values: StringValue[] = [];
  let literal = '';
  let next = 0;
  const flush = () => {
    if (literal) values.push({ segments: [literal], fromDefault: false });
    literal = '';
  };
  const spec = /%(\([^)]*\))?([#0\- +]*\d*(?:\.\d+)?)([a-zA-Z%])/y;
  for (let i = 0; i < template.length; ) {
    if (template[i] !== '%') {
      literal += template[i++];
      continue;
    }
    spec.lastIndex = i;
    const m = spec.exec(template);
    if (!m) return hole('% (...)');
    i = spec.lastIndex;
    if (m[3] === '%') {
      literal += '%';
      continue;
    }
    flush();
    const key = m[1]?.slice(1, -1);
    const value = key !== undefined ? (args instanceof Map ? args.get(key) : undefined) : Array.isArray(args) ? args[next++] : undefined;
    values.push(value && m[3] === 's' && !m[2] ? value : hole(m[0]));
  }
  flush();
  return joinValues(values);
}

/** Every literal text in the expression (for cheap "could this be SQL?" checks). */
export function literalTexts(expr: StringExpr, out: string[] = []): string[] {
  switch (expr.k) {
    case 'lit':
      out.push(expr.v);
      break;
    case 'cat':
      for (const p of expr.parts) literalTexts(p, out);
      break;
    case 'format':
    case 'percent':
      literalTexts(expr.template, out);
      break;
  }
  return out;
}

/** Whether the expression is a bare name or `self.x` that a value environment resolves, or holds one. */
export function hasNames(expr: StringExpr): boolean {
  switch (expr.k) {
    case 'name':
    case 'self':
      return true;
    case 'cat':
      return expr.parts.some(hasNames);
    case 'format':
      return hasNames(expr.template) || expr.args.some(hasNames) || Object.values(expr.kwargs).some(hasNames);
    case 'percent':
      return hasNames(expr.template) || (Array.isArray(expr.args) ? expr.args.some(hasNames) : Object.values(expr.args).some(hasNames));
    default:
      return false;
  }
}
