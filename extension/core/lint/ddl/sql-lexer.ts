// A GoogleSQL tokenizer that keeps offsets, for the migration reader and for SQL inside Python
// strings. Why not a library: node-sql-parser and its kin do not know Spanner DDL (PRIMARY KEY
// after the column list, INTERLEAVE IN PARENT, OPTIONS (allow_commit_timestamp = true),
// STRING(MAX), triple-quoted and `#`-commented text), and none reports offsets inside a
// statement, which the diagnostics and the quick fixes need (emulator/src/migrations.ts's
// splitStatements strips comments and offsets for the Spanner API). Only the handful of statements the
// rules read are interpreted (see schema.ts); everything else is skipped token by token.

export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'param' | 'punct';

export interface Token {
  kind: TokenKind;
  /** Source text of the token. */
  text: string;
  /** Upper-cased word, unquoted identifier, string content or punctuation. */
  value: string;
  start: number;
  end: number;
}

/** Tokens of `sql`; comments and whitespace are dropped, unterminated quotes run to the end. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const ch = sql[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f') {
      i++;
      continue;
    }
    if (ch === '#' || (ch === '-' && sql[i + 1] === '-')) {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? n : end;
      continue;
    }
    if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? n : end + 2;
      continue;
    }
    const start = i;
    if (/[A-Za-z_]/.test(ch)) {
      while (i < n && /[A-Za-z0-9_]/.test(sql[i]!)) i++;
      // A string prefix (r'', b'', rb'') belongs to the string that follows.
      const word = sql.slice(start, i);
      if (/^(r|b|rb|br)$/i.test(word) && (sql[i] === "'" || sql[i] === '"')) {
        i = skipQuoted(sql, i);
        tokens.push({ kind: 'string', text: sql.slice(start, i), value: unquote(sql.slice(start + word.length, i)), start, end: i });
        continue;
      }
      tokens.push({ kind: 'word', text: word, value: word.toUpperCase(), start, end: i });
      continue;
    }
    if (ch === '`') {
      i = skipQuoted(sql, i);
      tokens.push({ kind: 'quoted', text: sql.slice(start, i), value: sql.slice(start + 1, Math.max(start + 1, i - 1)), start, end: i });
      continue;
    }
    if (ch === "'" || ch === '"') {
      i = skipQuoted(sql, i);
      tokens.push({ kind: 'string', text: sql.slice(start, i), value: unquote(sql.slice(start, i)), start, end: i });
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      while (i < n && /[0-9A-Za-z_.]/.test(sql[i]!)) i++;
      tokens.push({ kind: 'number', text: sql.slice(start, i), value: sql.slice(start, i), start, end: i });
      continue;
    }
    if ((ch === '@' || ch === '$') && /[A-Za-z0-9_]/.test(sql[i + 1] ?? '')) {
      i++;
      while (i < n && /[A-Za-z0-9_]/.test(sql[i]!)) i++;
      tokens.push({ kind: 'param', text: sql.slice(start, i), value: sql.slice(start + 1, i), start, end: i });
      continue;
    }
    const two = sql.slice(i, i + 2);
    const op = ['>=', '<=', '<>', '!=', '||', '<<', '>>'].includes(two) ? two : ch;
    i += op.length;
    tokens.push({ kind: 'punct', text: op, value: op, start, end: i });
  }
  return tokens;
}

function skipQuoted(sql: string, i: number): number {
  const ch = sql[i]!;
  const quote = sql.slice(i, i + 3) === ch.repeat(3) ? ch.repeat(3) : ch;
  let j = i + quote.length;
  while (j < sql.length && sql.slice(j, j + quote.length) !== quote) j += sql[j] === '\\' ? 2 : 1;
  return Math.min(sql.length, j + quote.length);
}

function unquote(text: string): string {
  const quote = text.startsWith("'''") || text.startsWith('"""') ? text.slice(0, 3) : text.slice(0, 1);
  return text.slice(quote.length, text.endsWith(quote) && text.length >= 2 * quote.length ? text.length - quote.length : text.length);
}

/** Token lists split at top-level `;`. */
export function splitTokenStatements(tokens: Token[]): Token[][] {
  const statements: Token[][] = [];
  let current: Token[] = [];
  for (const token of tokens) {
    if (token.kind === 'punct' && token.value === ';') {
      if (current.length) statements.push(current);
      current = [];
    } else current.push(token);
  }
  if (current.length) statements.push(current);
  return statements;
}

/** Index of the `)` matching the `(` at `open`, or the last index when unbalanced. */
export function matchingParen(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const v = tokens[i]!.value;
    if (tokens[i]!.kind !== 'punct') continue;
    if (v === '(') depth++;
    else if (v === ')') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return tokens.length - 1;
}

/** Splits tokens[from, to) at top-level commas; `<...>` counts as brackets only after ARRAY/STRUCT. */
export function splitTopLevel(tokens: Token[], from: number, to: number, separator = ','): Token[][] {
  const parts: Token[][] = [];
  const stack: string[] = [];
  let current: Token[] = [];
  for (let i = from; i < to; i++) {
    const t = tokens[i]!;
    if (t.kind === 'punct') {
      if (t.value === '(' || t.value === '[') stack.push(t.value);
      else if (t.value === '<' && ['ARRAY', 'STRUCT'].includes(tokens[i - 1]?.value ?? '')) stack.push('<');
      else if ((t.value === ')' || t.value === ']') && stack.length) stack.pop();
      else if (t.value === '>' && stack[stack.length - 1] === '<') stack.pop();
      else if (t.value === separator && stack.length === 0) {
        parts.push(current);
        current = [];
        continue;
      }
    }
    current.push(t);
  }
  if (current.length) parts.push(current);
  return parts;
}

/** Name of an identifier token (word or `quoted`), as Spanner compares them: case-insensitively. */
export function identifier(token: Token | undefined): string | undefined {
  if (!token) return undefined;
  if (token.kind === 'quoted') return token.value;
  if (token.kind === 'word') return token.text;
  return undefined;
}
