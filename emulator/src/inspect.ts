// Inspection: tables with row counts, ad-hoc queries, the migration ledger and the
// completion-marker table written by the Python library (luigi_spanner).
import type { Database } from '@google-cloud/spanner';
import { UserFacingError } from '../../extension/core/errors';
import { databaseHandle, emulatorSpanner, FAIL_FAST_QUERY } from './client';
import { classifyStatements, statementWrites, type ClassifiedStatement } from '../../extension/core/sqlStatementKind';
import { splitStatements } from './migrations';
import { LEDGER_TABLE, readMigrationLedger, type LedgerRow, type Target } from './provision';
import { DEFAULT_MARKER_TABLE } from './settings';

export interface QueryColumn {
  name: string;
  /** GoogleSQL type, e.g. INT64, STRING, ARRAY<INT64>. */
  type: string;
}

export interface QueryResult {
  kind: 'query' | 'dml';
  columns: QueryColumn[];
  /** Plain JSON values: INT64 as a number when safe (else a string), NUMERIC as a string, TIMESTAMP as RFC 3339. */
  rows: unknown[][];
  /** Rows returned (query) or changed (DML). */
  rowCount: number;
  /** True when more rows exist than `maxRows` kept. */
  truncated: boolean;
  millis: number;
}

export interface TableInfo {
  name: string;
  parent: string | null;
  rowCount: number;
}

export interface Inspection {
  tables: TableInfo[];
  ledger: LedgerRow[];
  /** The completion markers of `table` (the target's marker table). */
  markers: { table: string; present: boolean; rows: Array<Record<string, unknown>> };
}

async function withDatabase<T>(target: Target, body: (database: Database) => Promise<T>): Promise<T> {
  const spanner = emulatorSpanner(target.host, target.projectId);
  const database = databaseHandle(spanner, target.instanceId, target.databaseId);
  try {
    return await body(database);
  } catch (error) {
    if ((error as { code?: number }).code === 5 && /Database not found|Instance not found/i.test((error as Error).message)) {
      throw new UserFacingError(
        `Database ${target.databaseId} does not exist on the emulator at ${target.host}.`,
        'Create it: luigi-spanner emulator start (or reset).',
        'NO_DATABASE',
      );
    }
    throw error;
  } finally {
    await database.close();
    spanner.close();
  }
}

/** The one statement of `sql`, classified; more or none is an error that says so. */
function oneStatement(sql: string): ClassifiedStatement {
  const statements = classifyStatements(sql);
  if (statements.length !== 1) {
    throw new UserFacingError(
      statements.length === 0 ? 'The SQL is empty.' : `Expected one statement, got ${statements.length}.`,
      'Run one SELECT (or one INSERT/UPDATE/DELETE) at a time.',
      'BAD_QUERY',
    );
  }
  return statements[0]!;
}

export interface RunQueryOptions {
  maxRows?: number;
  params?: Record<string, unknown>;
  /**
   * The caller asked the user (a confirmation, the CLI's --write): without it, anything but a
   * recognised read is refused (see core/sqlStatementKind.ts), so no new caller writes by accident.
   */
  allowWrites?: boolean;
}

/**
 * Runs one statement: a query in a read-only snapshot, DML in a read-write transaction (only with
 * `allowWrites`). DDL is refused: schema changes belong in a migration file, so the ledger stays true.
 */
export async function runQuery(target: Target, sql: string, options: RunQueryOptions = {}): Promise<QueryResult> {
  const classified = oneStatement(sql);
  const { keyword } = classified;
  const statement = splitStatements(sql)[0]!;
  if (classified.kind === 'ddl') {
    throw new UserFacingError(
      `${keyword} is a schema change: not run as a query.`,
      'Put it in a new migration file (e.g. migrations/0003_change.sql) and run luigi-spanner emulator migrate.',
      'BAD_QUERY',
    );
  }
  if (statementWrites(classified) && !options.allowWrites) {
    throw new UserFacingError(
      `${keyword || 'This statement'} may change data in ${target.databaseId}: not run without a confirmation.`,
      'Confirm it when asked (editor), or pass --write (luigi-spanner emulator query --write "...").',
      'WRITE_NOT_CONFIRMED',
    );
  }
  const maxRows = options.maxRows ?? 1000;
  const started = performance.now();
  return withDatabase(target, async (database) => {
    if (classified.kind === 'dml') {
      const rowCount = await database.runTransactionAsync(async (transaction) => {
        const [count] = await transaction.runUpdate({ sql: statement, params: options.params });
        await transaction.commit();
        return count;
      });
      return { kind: 'dml' as const, columns: [], rows: [], rowCount, truncated: false, millis: performance.now() - started };
    }
    return new Promise<QueryResult>((resolve, reject) => {
      let columns: QueryColumn[] = [];
      const rows: unknown[][] = [];
      let rowCount = 0;
      database
        .runStream({ sql: statement, params: options.params, gaxOptions: FAIL_FAST_QUERY })
        .on('response', (response: { metadata?: { rowType?: { fields?: Array<{ name?: string; type?: SpannerType }> } } }) => {
          if (response.metadata?.rowType?.fields && columns.length === 0) {
            columns = response.metadata.rowType.fields.map((f) => ({ name: f.name ?? '', type: typeName(f.type) }));
          }
        })
        .on('data', (row: Array<{ name: string; value: unknown }>) => {
          rowCount += 1;
          if (rows.length < maxRows) rows.push(row.map((field) => toPlain(field.value)));
        })
        .on('error', reject)
        .on('end', () => resolve({ kind: 'query', columns, rows, rowCount, truncated: rowCount > rows.length, millis: performance.now() - started }));
    });
  });
}

interface SpannerType {
  code?: string | number;
  arrayElementType?: SpannerType;
  structType?: { fields?: Array<{ name?: string; type?: SpannerType }> };
}

function typeName(type: SpannerType | undefined): string {
  if (!type) return 'UNKNOWN';
  const code = String(type.code ?? 'UNKNOWN');
  if (code === 'ARRAY') return `ARRAY<${typeName(type.arrayElementType)}>`;
  if (code === 'STRUCT') return `STRUCT<${(type.structType?.fields ?? []).map((f) => `${f.name ?? ''} ${typeName(f.type)}`.trim()).join(', ')}>`;
  return code;
}

/** A Spanner value as plain JSON that survives JSON.stringify without losing precision. */
export function toPlain(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (Array.isArray(value)) {
    // A STRUCT arrives as an array of {name, value} fields; an ARRAY as plain elements.
    const isStruct = value.length > 0 && value.every((f) => f !== null && typeof f === 'object' && 'name' in f && 'value' in f);
    if (isStruct) return Object.fromEntries((value as Array<{ name: string; value: unknown }>).map((f) => [f.name, toPlain(f.value)]));
    return value.map(toPlain);
  }
  if (typeof value === 'object') {
    const ctor = (value as object).constructor?.name;
    if (ctor === 'Int' || ctor === 'PGOid') {
      const text = String((value as { value: string }).value);
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : text;
    }
    if (ctor === 'Float' || ctor === 'Float32') {
      const n = Number((value as { value: unknown }).value);
      return Number.isFinite(n) ? n : String(n);
    }
    if (ctor === 'Numeric' || ctor === 'PGNumeric') return String((value as { value: string }).value);
    if (ctor === 'SpannerDate') return (value as { toJSON(): string }).toJSON();
    if (ctor === 'PreciseDate') return (value as { toISOString(): string }).toISOString();
    if (ctor === 'Interval') return (value as { toISO8601(): string }).toISO8601();
    if (value instanceof Date) return value.toISOString();
    if (ctor === 'Object') return value;
    return String(value);
  }
  return String(value);
}

/** Every user table with its row count (information_schema, then one COUNT(*) per table in one query). */
export async function listTables(target: Target): Promise<TableInfo[]> {
  return withDatabase(target, async (database) => {
    const [rows] = await database.run({
      sql: "SELECT table_name AS name, parent_table_name AS parent FROM information_schema.tables WHERE table_schema = '' ORDER BY table_name",
      json: true,
      gaxOptions: FAIL_FAST_QUERY,
    });
    const tables = rows as Array<{ name: string; parent: string | null }>;
    if (tables.length === 0) return [];
    const counts = new Map<string, number>();
    const [countRows] = await database.run({
      sql: tables.map((t, i) => `SELECT ${i} AS i, COUNT(*) AS n FROM \`${t.name}\``).join(' UNION ALL '),
      json: true,
      gaxOptions: FAIL_FAST_QUERY,
    });
    for (const r of countRows as Array<{ i: number; n: number }>) counts.set(tables[Number(r.i)]!.name, Number(r.n));
    return tables.map((t) => ({ name: t.name, parent: t.parent || null, rowCount: counts.get(t.name) ?? 0 }));
  });
}

/** The newest completion markers, when the target's marker table exists. */
export async function readMarkers(target: Target, limit = 50): Promise<Inspection['markers']> {
  const table = target.markerTable ?? DEFAULT_MARKER_TABLE;
  const present = await withDatabase(target, async (database) => {
    const [rows] = await database.run({
      sql: "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = '' AND table_name = @table",
      params: { table },
      json: true,
      gaxOptions: FAIL_FAST_QUERY,
    });
    return Number((rows as Array<{ n: number }>)[0]?.n ?? 0) > 0;
  });
  if (!present) return { table, present: false, rows: [] };
  // The name passed validateTableName (letters, digits, underscores) when the settings resolved.
  const result = await runQuery(
    target,
    `SELECT UpdateId, TaskFamily, TargetTable, RowCount, RunId, CommittedAt FROM \`${table}\` ORDER BY CommittedAt DESC, UpdateId LIMIT ${Math.max(1, Math.floor(limit))}`,
  );
  return { table, present: true, rows: result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c.name, row[i]]))) };
}

/** Tables, the migration ledger and the newest completion markers. */
export async function inspectDatabase(target: Target, options: { markerLimit?: number } = {}): Promise<Inspection> {
  const tables = await listTables(target);
  const ledger = tables.some((t) => t.name === LEDGER_TABLE) ? await readMigrationLedger(target) : [];
  const markers = await readMarkers(target, options.markerLimit);
  return { tables, ledger, markers };
}
