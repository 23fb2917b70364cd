// The schema a workspace's migrations build, read statement by statement in version order:
// tables (columns, types, allow_commit_timestamp, primary key) and indexes, with the offsets the
// diagnostics and quick fixes point at. GoogleSQL and the PostgreSQL dialect's common forms.
import { LineIndex } from '../../analysis/python-parser';
import { MIGRATION_FILE } from '../../../../emulator/src/migrations';
import { identifier, matchingParen, splitTokenStatements, splitTopLevel, tokenize, type Token } from './sql-lexer';

export interface MigrationSource {
  /** Root-relative path, forward slashes. */
  file: string;
  text: string;
}

export interface ColumnDef {
  name: string;
  /** Base type, upper case: INT64, STRING, TIMESTAMP, DATE, ARRAY, ... */
  type: string;
  allowCommitTimestamp: boolean;
  /** Filled by an IDENTITY or a sequence: Spanner's sequences are bit-reversed, never sequential. */
  generatedKey: boolean;
  file: string;
  /** Offsets in `file`: the definition's first and past-last character. */
  start: number;
  end: number;
  /** Offset of the `)` closing its OPTIONS list, when it has one. */
  optionsClose?: number;
}

export interface TableDef {
  name: string;
  columns: Map<string, ColumnDef>;
  primaryKey: string[];
  file: string;
  /** Offset of its CREATE keyword. */
  start: number;
  /** Offset of the PRIMARY keyword. */
  primaryKeyAt: number;
  primaryKeyEnd: number;
}

export interface IndexDef {
  name: string;
  table: string;
  columns: string[];
  file: string;
  /** Offsets of `CREATE ... INDEX name`. */
  start: number;
  end: number;
}

export interface MigrationFile {
  file: string;
  /** The version prefix, absent when the name has none. */
  version?: number;
  lines: LineIndex;
  text: string;
}

export class Schema {
  readonly tables = new Map<string, TableDef>();
  readonly indexes = new Map<string, IndexDef>();
  readonly files: MigrationFile[] = [];

  table(name: string): TableDef | undefined {
    return this.tables.get(name.toLowerCase());
  }

  column(table: string, column: string): ColumnDef | undefined {
    return this.table(table)?.columns.get(column.toLowerCase());
  }

  file(path: string): MigrationFile | undefined {
    return this.files.find((f) => f.file === path);
  }

  /** Whether `column` of `table` is part of its primary key. */
  isKeyColumn(table: string, column: string): boolean {
    return !!this.table(table)?.primaryKey.some((k) => k.toLowerCase() === column.toLowerCase());
  }
}

const basename = (file: string) => file.slice(file.lastIndexOf('/') + 1);

/** Builds the schema of one migrations folder; files apply in version order, unversioned last. */
export function buildSchema(sources: MigrationSource[]): Schema {
  const schema = new Schema();
  const ordered = sources
    .map((s) => {
      const match = MIGRATION_FILE.exec(basename(s.file));
      return { ...s, version: match ? Number(match[1]) : undefined };
    })
    .sort((a, b) => (a.version ?? Infinity) - (b.version ?? Infinity) || a.file.localeCompare(b.file));
  for (const source of ordered) {
    schema.files.push({ file: source.file, ...(source.version !== undefined ? { version: source.version } : {}), lines: new LineIndex(source.text), text: source.text });
    for (const statement of splitTokenStatements(tokenize(source.text))) applyStatement(schema, statement, source.file);
  }
  return schema;
}

const is = (token: Token | undefined, ...words: string[]) => !!token && token.kind === 'word' && words.includes(token.value);

function applyStatement(schema: Schema, t: Token[], file: string): void {
  let i = 0;
  if (is(t[0], 'CREATE')) {
    i = 1;
    if (is(t[i], 'OR') && is(t[i + 1], 'REPLACE')) i += 2;
    if (is(t[i], 'TABLE')) return createTable(schema, t, i + 1, file);
    while (is(t[i], 'UNIQUE', 'NULL_FILTERED')) i++;
    if (is(t[i], 'INDEX')) return createIndex(schema, t, i + 1, file);
    return;
  }
  if (is(t[0], 'ALTER') && is(t[1], 'TABLE')) return alterTable(schema, t, file);
  if (is(t[0], 'DROP') && is(t[1], 'TABLE')) {
    const name = identifier(t[is(t[2], 'IF') ? 4 : 2]);
    if (name) schema.tables.delete(name.toLowerCase());
    return;
  }
  if (is(t[0], 'DROP') && is(t[1], 'INDEX')) {
    const name = identifier(t[is(t[2], 'IF') ? 4 : 2]);
    if (name) schema.indexes.delete(name.toLowerCase());
  }
}

/** `a.b.c` as one name: the last part (schemas are not modelled). */
function qualifiedName(t: Token[], i: number): { name: string | undefined; next: number } {
  let name = identifier(t[i]);
  let next = i + 1;
  while (t[next]?.value === '.' && identifier(t[next + 1])) {
    name = identifier(t[next + 1]);
    next += 2;
  }
  return { name, next };
}

function createTable(schema: Schema, t: Token[], i: number, file: string): void {
  if (is(t[i], 'IF') && is(t[i + 1], 'NOT') && is(t[i + 2], 'EXISTS')) i += 3;
  const { name, next } = qualifiedName(t, i);
  if (!name || t[next]?.value !== '(') return;
  const close = matchingParen(t, next);
  const table: TableDef = { name, columns: new Map(), primaryKey: [], file, start: t[0]!.start, primaryKeyAt: t[0]!.start, primaryKeyEnd: t[0]!.end };
  for (const element of splitTopLevel(t, next + 1, close)) {
    const first = element[0];
    if (!first) continue;
    if (is(first, 'CONSTRAINT', 'FOREIGN', 'CHECK', 'UNIQUE')) continue;
    if (is(first, 'PRIMARY') && is(element[1], 'KEY')) {
      // PostgreSQL dialect: PRIMARY KEY (a, b) inside the column list.
      table.primaryKey = keyColumns(element, 2);
      table.primaryKeyAt = first.start;
      table.primaryKeyEnd = element[element.length - 1]!.end;
      continue;
    }
    const column = columnDef(element, file);
    if (!column) continue;
    table.columns.set(column.name.toLowerCase(), column);
    if (element.some((tok, k) => is(tok, 'PRIMARY') && is(element[k + 1], 'KEY'))) {
      table.primaryKey = [column.name];
      const at = element.find((tok, k) => is(tok, 'PRIMARY') && is(element[k + 1], 'KEY'))!;
      table.primaryKeyAt = at.start;
      table.primaryKeyEnd = at.end + 4;
    }
  }
  // GoogleSQL: ) PRIMARY KEY (a, b DESC)
  const pk = t.findIndex((tok, k) => k > close && is(tok, 'PRIMARY') && is(t[k + 1], 'KEY'));
  if (pk !== -1 && t[pk + 2]?.value === '(') {
    const pkClose = matchingParen(t, pk + 2);
    table.primaryKey = keyColumns(t.slice(pk, pkClose + 1), 2);
    table.primaryKeyAt = t[pk]!.start;
    table.primaryKeyEnd = t[pkClose]!.end;
  }
  schema.tables.set(name.toLowerCase(), table);
}

/** Column names of `( a [ASC|DESC], ... )` starting at `open`. */
function keyColumns(tokens: Token[], open: number): string[] {
  if (tokens[open]?.value !== '(') return [];
  const close = matchingParen(tokens, open);
  return splitTopLevel(tokens, open + 1, close)
    .map((part) => identifier(part[0]))
    .filter((n): n is string => !!n);
}

const COLUMN_KEYWORDS = new Set(['NOT', 'DEFAULT', 'AS', 'OPTIONS', 'GENERATED', 'HIDDEN', 'PRIMARY', 'NULL', 'REFERENCES', 'CONSTRAINT', 'CHECK', 'UNIQUE']);

function columnDef(element: Token[], file: string): ColumnDef | undefined {
  const name = identifier(element[0]);
  if (!name || element.length < 2) return undefined;
  let k = 1;
  const typeTokens: Token[] = [];
  let depth = 0;
  while (k < element.length) {
    const tok = element[k]!;
    if (depth === 0 && tok.kind === 'word' && COLUMN_KEYWORDS.has(tok.value) && typeTokens.length > 0) break;
    if (tok.value === '(' || tok.value === '<') depth++;
    if (tok.value === ')' || tok.value === '>') depth--;
    typeTokens.push(tok);
    k++;
  }
  const column: ColumnDef = {
    name,
    type: normaliseType(typeTokens),
    allowCommitTimestamp: false,
    generatedKey: false,
    file,
    start: element[0]!.start,
    end: element[element.length - 1]!.end,
  };
  for (let j = k; j < element.length; j++) {
    const tok = element[j]!;
    if (is(tok, 'IDENTITY') || is(tok, 'GET_NEXT_SEQUENCE_VALUE') || (is(tok, 'NEXTVAL') && element[j + 1]?.value === '(')) column.generatedKey = true;
    if (is(tok, 'OPTIONS') && element[j + 1]?.value === '(') {
      const close = matchingParen(element, j + 1);
      column.optionsClose = element[close]!.start;
      const allow = readAllowCommitTimestamp(element.slice(j + 2, close));
      if (allow !== undefined) column.allowCommitTimestamp = allow;
      j = close;
    }
  }
  // PostgreSQL dialect: the column type spanner.commit_timestamp is the option.
  if (column.type === 'SPANNER.COMMIT_TIMESTAMP') {
    column.type = 'TIMESTAMP';
    column.allowCommitTimestamp = true;
  }
  return column;
}

const PG_TYPES: Record<string, string> = {
  TIMESTAMPTZ: 'TIMESTAMP',
  BIGINT: 'INT64',
  INT8: 'INT64',
  INTEGER: 'INT64',
  INT: 'INT64',
  VARCHAR: 'STRING',
  TEXT: 'STRING',
  CHARACTER: 'STRING',
  BOOLEAN: 'BOOL',
  DOUBLE: 'FLOAT64',
  FLOAT8: 'FLOAT64',
  REAL: 'FLOAT32',
  JSONB: 'JSON',
  BYTEA: 'BYTES',
};

function normaliseType(tokens: Token[]): string {
  const first = tokens[0];
  if (!first) return '';
  if (first.value === 'SPANNER' && tokens[1]?.value === '.' && tokens[2]?.value === 'COMMIT_TIMESTAMP') return 'SPANNER.COMMIT_TIMESTAMP';
  if (first.value === 'TIMESTAMP' && is(tokens[1], 'WITH')) return 'TIMESTAMP';
  return PG_TYPES[first.value] ?? first.value;
}

/** `allow_commit_timestamp = true` inside an OPTIONS list: true, false (false / null), or absent. */
function readAllowCommitTimestamp(options: Token[]): boolean | undefined {
  for (const option of splitTopLevel(options, 0, options.length)) {
    if (option[0]?.value === 'ALLOW_COMMIT_TIMESTAMP' && option[1]?.value === '=') return is(option[2], 'TRUE');
  }
  return undefined;
}

function createIndex(schema: Schema, t: Token[], i: number, file: string): void {
  if (is(t[i], 'IF') && is(t[i + 1], 'NOT') && is(t[i + 2], 'EXISTS')) i += 3;
  const { name, next } = qualifiedName(t, i);
  if (!name || !is(t[next], 'ON')) return;
  const target = qualifiedName(t, next + 1);
  if (!target.name) return;
  let open = target.next;
  // PostgreSQL dialect: ON t USING btree (a).
  if (is(t[open], 'USING')) open += 2;
  const columns = keyColumns(t, open);
  schema.indexes.set(name.toLowerCase(), { name, table: target.name, columns, file, start: t[0]!.start, end: t[next - 1]!.end });
}

function alterTable(schema: Schema, t: Token[], file: string): void {
  const { name, next } = qualifiedName(t, 2);
  const table = name ? schema.table(name) : undefined;
  if (!table) return;
  let i = next;
  if (is(t[i], 'ADD') && is(t[i + 1], 'COLUMN')) {
    i += 2;
    if (is(t[i], 'IF') && is(t[i + 1], 'NOT') && is(t[i + 2], 'EXISTS')) i += 3;
    const column = columnDef(t.slice(i), file);
    if (column) table.columns.set(column.name.toLowerCase(), column);
    return;
  }
  if (is(t[i], 'DROP') && is(t[i + 1], 'COLUMN')) {
    const column = identifier(t[i + 2]);
    if (column) table.columns.delete(column.toLowerCase());
    return;
  }
  if (is(t[i], 'ALTER') && is(t[i + 1], 'COLUMN')) {
    const columnName = identifier(t[i + 2]);
    const existing = columnName ? table.columns.get(columnName.toLowerCase()) : undefined;
    if (!columnName || !existing) return;
    if (is(t[i + 3], 'SET') && is(t[i + 4], 'OPTIONS') && t[i + 5]?.value === '(') {
      const close = matchingParen(t, i + 5);
      const allow = readAllowCommitTimestamp(t.slice(i + 6, close));
      if (allow !== undefined) existing.allowCommitTimestamp = allow;
      return;
    }
    // ALTER COLUMN c <type> [NOT NULL] [OPTIONS (...)]: a new definition.
    const redefined = columnDef(t.slice(i + 2), file);
    if (redefined) table.columns.set(columnName.toLowerCase(), redefined);
  }
}
