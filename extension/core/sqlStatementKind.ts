// What a SQL text does, for the callers that must ask before it changes data ("Run query" in the
// editor, `luigi-spanner emulator query`): read, DML, DDL, or something else. Built on the
// project's GoogleSQL tokenizer, so comments, strings and quoted identifiers never mislead it
// (`SELECT 'DELETE'`, `-- UPDATE` and `` `Update` `` are reads). Anything it does not recognise as
// a read counts as a write: asking once too often is cheap, writing without asking is not.
import { splitTokenStatements, tokenize, type Token } from './lint/ddl/sql-lexer';

export type StatementKind = 'query' | 'dml' | 'ddl' | 'other';

export interface ClassifiedStatement {
  kind: StatementKind;
  /** The keyword that decided it (upper case), e.g. `SELECT`, `UPDATE`; empty when there is none. */
  keyword: string;
  /** The statement's source text, comments inside it kept, without the `;`. */
  text: string;
}

const READ_KEYWORDS = new Set(['SELECT', 'WITH', 'GRAPH', 'SHOW']);
const DML_KEYWORDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);
const DDL_KEYWORDS = new Set(['CREATE', 'ALTER', 'DROP', 'GRANT', 'REVOKE', 'RENAME', 'ANALYZE']);

/** Every statement of `sql` (split at top-level `;`), classified. Empty when there is none. */
export function classifyStatements(sql: string): ClassifiedStatement[] {
  return splitTokenStatements(tokenize(sql)).map((tokens) => classifyTokens(sql, tokens));
}

/** True when running `statement` may change data or schema (anything but a recognised read). */
export function statementWrites(statement: ClassifiedStatement): boolean {
  return statement.kind !== 'query';
}

function classifyTokens(sql: string, tokens: Token[]): ClassifiedStatement {
  const text = sql.slice(tokens[0]!.start, tokens[tokens.length - 1]!.end);
  let i = 0;
  // Statement hints (`@{USE_ADDITIONAL_PARALLELISM=TRUE} SELECT ...`, also before DML) and
  // opening parentheses (`(SELECT 1) UNION ALL (SELECT 2)`) come before the keyword.
  for (;;) {
    if (tokens[i]?.value === '@' && tokens[i + 1]?.value === '{') {
      while (i < tokens.length && tokens[i]!.value !== '}') i++;
      i++;
    } else if (tokens[i]?.kind === 'punct' && tokens[i]!.value === '(') i++;
    else break;
  }
  const first = tokens[i];
  const keyword = first?.kind === 'word' ? first.value : '';
  if (DML_KEYWORDS.has(keyword)) return { kind: 'dml', keyword, text };
  if (DDL_KEYWORDS.has(keyword)) return { kind: 'ddl', keyword, text };
  if (!READ_KEYWORDS.has(keyword)) return { kind: 'other', keyword, text };
  // A read, unless DML follows at the top level (`WITH ... INSERT`, as PostgreSQL writes it).
  // `FOR UPDATE` is a read's lock clause.
  let depth = 0;
  for (let k = i + 1; k < tokens.length; k++) {
    const token = tokens[k]!;
    if (token.kind === 'punct' && (token.value === '(' || token.value === '[')) depth++;
    else if (token.kind === 'punct' && (token.value === ')' || token.value === ']')) depth = Math.max(0, depth - 1);
    else if (depth === 0 && token.kind === 'word' && DML_KEYWORDS.has(token.value) && tokens[k - 1]?.value !== 'FOR') return { kind: 'dml', keyword: token.value, text };
  }
  return { kind: 'query', keyword, text };
}

/**
 * The question to ask before running `sql` on a database, or undefined when it only reads, or
 * when the database is a run's own scratch database (owned by the tool, dropped by later runs).
 */
export function writeConfirmation(sql: string, target: { databaseId: string; isRunDatabase: boolean }): string | undefined {
  if (target.isRunDatabase) return undefined;
  const writes = classifyStatements(sql).filter(statementWrites);
  if (writes.length === 0) return undefined;
  const what = writes.map((s) => (s.kind === 'dml' ? s.keyword : s.kind === 'ddl' ? `${s.keyword} (schema)` : s.keyword || 'an unrecognised statement')).join(', ');
  return `This SQL may change database ${target.databaseId} (${what}). Run it?`;
}
