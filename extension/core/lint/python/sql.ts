// What the rules need to know about one SQL text from a Python string: the statement kind, the
// table and columns a DML statement writes, which value expression feeds each column, clock and
// random functions (and where), range filters, LIMIT. Built on the same tokenizer as the DDL.
import { COMMIT_TIMESTAMP_FUNCTIONS } from '../../python/spanner-api';
import { identifier, matchingParen, splitTopLevel, tokenize, type Token } from '../ddl/sql-lexer';

export type SqlKind = 'query' | 'insert' | 'insert-or-update' | 'insert-or-ignore' | 'update' | 'delete' | 'ddl' | 'other';

export interface SqlFunctionUse {
  name: string;
  /** Offset in the SQL text. */
  at: number;
  /** In a written value (VALUES / SET) rather than a filter. */
  inWrittenValue: boolean;
  /** Column it is written to, when in a written value. */
  column?: string;
}

export interface SqlInfo {
  kind: SqlKind;
  table?: string;
  /** Column -> the tokens of the value written to it (INSERT VALUES, UPDATE SET). */
  assignments: Array<{ column: string; tokens: Token[] }>;
  functions: SqlFunctionUse[];
  /** `col >= @p`, `@p > col`, `col BETWEEN @a AND @b` in the statement. */
  rangeFilters: Array<{ column: string; param: string }>;
  /** Parameters referenced outside written values. */
  filterParams: Set<string>;
  hasLimit: boolean;
  /** SELECT MAX(...) — a counter read. */
  readsMax: boolean;
  /** Offset of the INSERT keyword, for the OR UPDATE fix. */
  insertAt?: number;
}

const CLOCK_FUNCTIONS = new Set(['CURRENT_TIMESTAMP', 'CURRENT_DATE', 'CURRENT_DATETIME', 'CURRENT_TIME', 'NOW']);
const RANDOM_FUNCTIONS = new Set(['GENERATE_UUID', 'RAND', 'GEN_RANDOM_UUID']);
const DDL_START = /^\s*(CREATE|ALTER|DROP)\s+(TABLE|INDEX|UNIQUE|NULL_FILTERED|VIEW|OR\s+REPLACE|CHANGE\s+STREAM|SEQUENCE|MODEL|SCHEMA|ROLE|SEARCH\s+INDEX|VECTOR\s+INDEX|PROTO\s+BUNDLE|PLACEMENT|LOCALITY)\b/i;

export const isClockFunction = (name: string) => CLOCK_FUNCTIONS.has(name);
export const isRandomFunction = (name: string) => RANDOM_FUNCTIONS.has(name);
export const isCommitTimestampFunction = (name: string) => COMMIT_TIMESTAMP_FUNCTIONS.has(name);

/** Cheap pre-check so that every string in a file is not tokenized. */
export function looksLikeSql(text: string): boolean {
  return /^\s*(SELECT|WITH|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP)\b/i.test(text);
}

export function analyzeSql(text: string): SqlInfo {
  const tokens = tokenize(text);
  const info: SqlInfo = { kind: 'other', assignments: [], functions: [], rangeFilters: [], filterParams: new Set(), hasLimit: false, readsMax: false };
  const first = tokens[0];
  if (!first) return info;
  if (DDL_START.test(text)) {
    info.kind = 'ddl';
    return info;
  }
  const written = new Set<Token>();
  if (first.value === 'INSERT') {
    info.insertAt = first.start;
    let i = 1;
    info.kind = 'insert';
    if (tokens[i]?.value === 'OR' && tokens[i + 1]?.value === 'UPDATE') {
      info.kind = 'insert-or-update';
      i += 2;
    } else if (tokens[i]?.value === 'OR' && tokens[i + 1]?.value === 'IGNORE') {
      info.kind = 'insert-or-ignore';
      i += 2;
    }
    if (tokens[i]?.value === 'INTO') i++;
    info.table = identifier(tokens[i]);
    i++;
    if (tokens[i]?.value === '(') {
      const close = matchingParen(tokens, i);
      const columns = splitTopLevel(tokens, i + 1, close).map((p) => identifier(p[0]) ?? '');
      let v = close + 1;
      if (tokens[v]?.value === 'VALUES') {
        v++;
        while (tokens[v]?.value === '(') {
          const rowClose = matchingParen(tokens, v);
          splitTopLevel(tokens, v + 1, rowClose).forEach((valueTokens, k) => {
            const column = columns[k];
            if (column) info.assignments.push({ column, tokens: valueTokens });
            valueTokens.forEach((t) => written.add(t));
          });
          v = rowClose + 1;
          if (tokens[v]?.value === ',') v++;
          else break;
        }
      }
    }
  } else if (first.value === 'UPDATE') {
    info.kind = 'update';
    info.table = identifier(tokens[1]);
    const set = tokens.findIndex((t) => t.value === 'SET');
    const where = tokens.findIndex((t, k) => k > set && t.value === 'WHERE');
    if (set !== -1) {
      for (const part of splitTopLevel(tokens, set + 1, where === -1 ? tokens.length : where)) {
        const eq = part.findIndex((t) => t.value === '=');
        const column = identifier(part[eq - 1]);
        if (eq > 0 && column) {
          info.assignments.push({ column, tokens: part.slice(eq + 1) });
          part.slice(eq + 1).forEach((t) => written.add(t));
        }
      }
    }
  } else if (first.value === 'DELETE') {
    info.kind = 'delete';
    info.table = identifier(tokens[tokens[1]?.value === 'FROM' ? 2 : 1]);
  } else if (first.value === 'SELECT' || first.value === 'WITH') info.kind = 'query';

  for (let k = 0; k < tokens.length; k++) {
    const token = tokens[k]!;
    if (token.kind === 'word' && tokens[k + 1]?.value === '(') {
      const name = token.value;
      if (CLOCK_FUNCTIONS.has(name) || RANDOM_FUNCTIONS.has(name) || COMMIT_TIMESTAMP_FUNCTIONS.has(name)) {
        const assignment = info.assignments.find((a) => a.tokens.includes(token));
        info.functions.push({ name, at: token.start, inWrittenValue: written.has(token), ...(assignment ? { column: assignment.column } : {}) });
      }
      if (name === 'MAX' && info.kind === 'query') info.readsMax = true;
    }
    if (token.kind === 'word' && (name(token) === 'CURRENT_TIMESTAMP' || name(token) === 'CURRENT_DATE') && tokens[k + 1]?.value !== '(') {
      // CURRENT_TIMESTAMP without parentheses (PostgreSQL dialect).
      info.functions.push({ name: token.value, at: token.start, inWrittenValue: written.has(token) });
    }
    if (token.value === 'LIMIT' && token.kind === 'word') info.hasLimit = true;
    if (token.kind === 'param' && !written.has(token)) info.filterParams.add(token.value);
    if (token.kind === 'punct' && ['>', '>=', '<', '<='].includes(token.value)) {
      const left = tokens[k - 1];
      const right = tokens[k + 1];
      if (left && right && right.kind === 'param' && (left.kind === 'word' || left.kind === 'quoted')) info.rangeFilters.push({ column: identifier(left)!, param: right.value });
      if (left && right && left.kind === 'param' && (right.kind === 'word' || right.kind === 'quoted')) info.rangeFilters.push({ column: identifier(right)!, param: left.value });
    }
    if (token.value === 'BETWEEN' && token.kind === 'word') {
      const column = identifier(tokens[k - 1]);
      for (const p of [tokens[k + 1], tokens[k + 3]]) if (column && p?.kind === 'param') info.rangeFilters.push({ column, param: p.value });
    }
  }
  return info;
}

function name(token: Token): string {
  return token.value;
}

/** `PENDING_COMMIT_TIMESTAMP()` etc. written to a column. */
export function writtenFunctions(info: SqlInfo, test: (name: string) => boolean): SqlFunctionUse[] {
  return info.functions.filter((f) => f.inWrittenValue && test(f.name));
}
