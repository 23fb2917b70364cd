// Which tables a SQL text writes and reads, for the graph's data lineage (SQL strings inside a
// task's methods: `execute_sql`, `execute_update`, `batch_update`). Built on the project's
// GoogleSQL tokenizer, so comments, strings and quoted identifiers never mislead it. Strict about
// shapes, because any Python string literal is offered to it and prose must not read as SQL:
// a write is `INSERT [INTO] T (`, `UPDATE T [alias] SET`, `DELETE [FROM] T [alias] WHERE` (Spanner
// requires the column list and the WHERE); a read is a table after FROM or JOIN in a SELECT
// (also inside DML), minus CTE names, functions (`UNNEST(...)`) and system schemas.
import { classifyStatements } from './sqlStatementKind';
import { splitTokenStatements, tokenize, type Token } from './lint/ddl/sql-lexer';
import type { Segment } from './python/string-expr';

export interface SqlTableAccess {
  /** Tables written, as spelled, first spelling kept (Spanner compares names case-insensitively). */
  writes: string[];
  reads: string[];
}

/**
 * Cheap pre-checks, each linear in the text: most string literals are not SQL, and tokenizing
 * every one would cost. Longer texts are data (a fixture, a dump), not a statement a task runs.
 */
const SQL_VERB = /\b(?:select|insert|update|delete|with)\b/i;
const SQL_CLAUSE = /\b(?:from|into|set|where)\b|\(/i;
const MAX_SQL_LENGTH = 64 * 1024;
const SYSTEM_SCHEMAS = new Set(['INFORMATION_SCHEMA', 'SPANNER_SYS', 'PG_CATALOG']);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Words that may follow a table name in FROM but are not its alias. */
const CLAUSE_WORDS = new Set(['WHERE', 'JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'OUTER', 'ON', 'USING', 'GROUP', 'ORDER', 'LIMIT', 'HAVING', 'UNION', 'INTERSECT', 'EXCEPT', 'WINDOW', 'QUALIFY', 'TABLESAMPLE', 'FOR', 'SET', 'OFFSET', 'THEN']);

export function sqlTableAccess(sql: string): SqlTableAccess {
  const result: SqlTableAccess = { writes: [], reads: [] };
  if (sql.length > MAX_SQL_LENGTH || !SQL_VERB.test(sql) || !SQL_CLAUSE.test(sql)) return result;
  const statements = splitTokenStatements(tokenize(sql));
  const classified = classifyStatements(sql);
  statements.forEach((tokens, i) => {
    const kind = classified[i]?.kind;
    if (kind !== 'query' && kind !== 'dml') return;
    const target = kind === 'dml' ? dmlTarget(tokens) : undefined;
    if (kind === 'dml' && !target) return; // not a statement shape Spanner runs: prose, most likely
    if (target) add(result.writes, target.name);
    for (const name of readTables(tokens, target?.skip ?? -1)) add(result.reads, name);
  });
  return result;
}

/** What a SQL text with holes (parts not known statically, e.g. `{table}` of an f-string) writes and reads. */
export interface SqlTemplateAccess extends SqlTableAccess {
  /** Table positions that hold a hole: written and read tables whose name is not known. */
  unresolvedWrites: number;
  unresolvedReads: number;
}

const HOLE = /__ls_hole_\d+__/;

/**
 * Tables of a SQL template: each hole becomes a placeholder word, so that a hole in a value
 * (`WHERE Day = '{self.date}'`) leaves the table known, and a hole in a table's place
 * (`FROM {table}`, `FROM Orders_{suffix}`) counts as a table whose name is not known.
 */
export function sqlTemplateAccess(segments: readonly Segment[]): SqlTemplateAccess {
  let n = 0;
  const sql = segments.map((s) => (typeof s === 'string' ? s : `__ls_hole_${n++}__`)).join('');
  const access = sqlTableAccess(sql);
  const known = (names: string[]) => names.filter((name) => !HOLE.test(name));
  return {
    writes: known(access.writes),
    reads: known(access.reads),
    unresolvedWrites: access.writes.length - known(access.writes).length,
    unresolvedReads: access.reads.length - known(access.reads).length,
  };
}

function add(list: string[], name: string): void {
  if (!list.some((n) => n.toLowerCase() === name.toLowerCase())) list.push(name);
}

const isWord = (token: Token | undefined, ...values: string[]) => token?.kind === 'word' && values.includes(token.value);

function tableName(token: Token | undefined): string | undefined {
  if (!token) return undefined;
  const name = token.kind === 'quoted' ? token.value : token.kind === 'word' ? token.text : undefined;
  return name && NAME.test(name) ? name : undefined;
}

/** The DML statement's table, and the index of its name token (not a read). */
function dmlTarget(t: Token[]): { name: string; skip: number } | undefined {
  let depth = 0;
  for (let i = 0; i < t.length; i++) {
    const token = t[i]!;
    if (token.kind === 'punct' && (token.value === '(' || token.value === '[')) depth++;
    else if (token.kind === 'punct' && (token.value === ')' || token.value === ']')) depth = Math.max(0, depth - 1);
    if (depth !== 0 || token.kind !== 'word' || isWord(t[i - 1], 'FOR')) continue;
    let k = i + 1;
    if (token.value === 'INSERT') {
      if (isWord(t[k], 'OR') && isWord(t[k + 1], 'UPDATE', 'IGNORE')) k += 2;
      if (isWord(t[k], 'INTO')) k++;
      const name = tableName(t[k]);
      return name && t[k + 1]?.value === '(' ? { name, skip: k } : undefined;
    }
    if (token.value === 'UPDATE' || token.value === 'DELETE') {
      if (token.value === 'DELETE' && isWord(t[k], 'FROM')) k++;
      const name = tableName(t[k]);
      if (!name) return undefined;
      let next = k + 1;
      if (isWord(t[next], 'AS')) next++;
      if (t[next]?.kind === 'word' && !CLAUSE_WORDS.has(t[next]!.value)) next++;
      return isWord(t[next], token.value === 'UPDATE' ? 'SET' : 'WHERE') ? { name, skip: k } : undefined;
    }
  }
  return undefined;
}

/** Tables after FROM / JOIN in query parts (top level or a parenthesised SELECT), CTEs excluded. */
function readTables(t: Token[], skip: number): string[] {
  const ctes = new Set<string>();
  for (let i = 0; i + 2 < t.length; i++) {
    if (t[i]!.kind === 'word' && isWord(t[i + 1], 'AS') && t[i + 2]!.value === '(' && (isWord(t[i - 1], 'WITH', 'RECURSIVE') || t[i - 1]?.value === ',')) {
      ctes.add(t[i]!.value);
    }
  }
  const names: string[] = [];
  // Whether each open parenthesis holds a query (`(SELECT ...`): FROM inside EXTRACT(YEAR FROM d) is not a table.
  const stack: boolean[] = [];
  const inQuery = () => stack.length === 0 || stack[stack.length - 1]!;
  for (let i = 0; i < t.length; i++) {
    const token = t[i]!;
    if (token.kind === 'punct' && token.value === '(') {
      stack.push(isWord(t[i + 1], 'SELECT', 'WITH') || t[i + 1]?.value === '(');
      continue;
    }
    if (token.kind === 'punct' && token.value === ')') {
      stack.pop();
      continue;
    }
    if (!isWord(token, 'FROM', 'JOIN') || !inQuery()) continue;
    let k = i + 1;
    for (;;) {
      if (k === skip) break;
      const name = tableName(t[k]);
      // A function (UNNEST(...)), a path (a.b: a system schema or an array of a row), a CTE: not a table.
      if (!name || t[k + 1]?.value === '(' || t[k + 1]?.value === '.' || ctes.has(t[k]!.value)) break;
      k++;
      // Table hint, alias, then the end, a clause or `, next_table` (a comma join). Anything
      // else is not SQL but prose that happens to hold SELECT and FROM ("select from the list").
      if (t[k]?.value === '@' && t[k + 1]?.value === '{') {
        while (k < t.length && t[k]!.value !== '}') k++;
        k++;
      }
      if (isWord(t[k], 'AS')) k++;
      if (t[k]?.kind === 'word' && !CLAUSE_WORDS.has(t[k]!.value)) k++;
      const after = t[k];
      if (after && !(after.kind === 'punct' && (after.value === ',' || after.value === ')')) && !(after.kind === 'word' && CLAUSE_WORDS.has(after.value))) break;
      names.push(name);
      if (after?.value !== ',') break;
      k++;
    }
  }
  return names.filter((n) => !SYSTEM_SCHEMAS.has(n.toUpperCase()));
}
