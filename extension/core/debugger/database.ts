// Read access to a run's emulator database for the debugger: schema (keys, types, commit-timestamp
// columns), rows by key, whole tables and completion markers. One client per analysis.
import type { Database, Spanner } from '@google-cloud/spanner';
import { emulatorSpanner, type Target } from '../../../emulator/src';
import { FAIL_FAST_QUERY } from '../../../emulator/src/client';
import { toPlain } from '../../../emulator/src/inspect';
import { DEFAULT_MARKER_TABLE } from '../../../emulator/src/settings';

export interface ColumnInfo {
  name: string;
  /** GoogleSQL type as information_schema spells it: INT64, STRING(MAX), TIMESTAMP, ... */
  type: string;
  /** Declared OPTIONS (allow_commit_timestamp = true). */
  commitTimestamp: boolean;
}

export interface TableSchema {
  name: string;
  columns: ColumnInfo[];
  primaryKey: string[];
}

export type Row = Record<string, unknown>;

export interface MarkerRow {
  UpdateId: string;
  TaskId: string;
  TaskFamily: string;
  TaskParams: unknown;
  TargetTable: string | null;
  RowCount: number | null;
  RunId: string;
  CommittedAt: string;
}

/** `CAST(@p AS T)` needs the base type: STRING(64) -> STRING. */
export function baseType(type: string): string {
  return type.replace(/\(.*\)$/, '').trim().toUpperCase();
}

/** A key value from a runner event (JSON, big numbers as text) as a typed SQL expression over a string parameter. */
export function castParam(param: string, type: string): string {
  const base = baseType(type);
  if (base === 'BYTES') return `FROM_BASE64(@${param})`;
  if (base === 'STRING') return `@${param}`;
  return `CAST(@${param} AS ${base})`;
}

export function paramText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return String(value);
}

export class SpannerReader {
  private client?: { spanner: Spanner; database: Database };
  private schemaCache?: Promise<Map<string, TableSchema>>;

  /** The completion-marker table of the run's workspace (Target.markerTable, else the default). */
  readonly markerTable: string;

  constructor(readonly target: Target) {
    this.markerTable = target.markerTable ?? DEFAULT_MARKER_TABLE;
  }

  /** Made on first use: loading the client costs about a second, and a clean run never reads. */
  private get database(): Database {
    if (!this.client) {
      const spanner = emulatorSpanner(this.target.host, this.target.projectId);
      // A few sessions, made on demand: a pool filling in the background would still be creating
      // sessions when the reader closes, and those calls reject after the client is gone.
      this.client = { spanner, database: spanner.instance(this.target.instanceId).database(this.target.databaseId, { min: 0, incStep: 1, max: 4 }) };
    }
    return this.client.database;
  }

  async close(): Promise<void> {
    if (!this.client) return;
    await this.client.database.close();
    this.client.spanner.close();
  }

  /**
   * Ends read-write transactions left open by a killed worker. The emulator serves one read-write
   * transaction per database at a time and aborts every other one while an abandoned transaction
   * stays open (it never expires it); Cloud Spanner would only hold its locks until it idles out.
   * Beginning a new transaction on each session supersedes the session's old one, and rolling that
   * back leaves the database free. Only for databases no live process is using.
   */
  async releaseAbandonedTransactions(): Promise<number> {
    const [sessions] = await this.database.getSessions();
    for (const session of sessions) {
      const transaction = session.transaction();
      await transaction.begin();
      await transaction.rollback();
    }
    return sessions.length;
  }

  /** Rows as plain JSON objects (INT64 as a number when safe, NUMERIC as text, TIMESTAMP as RFC 3339). */
  async query(sql: string, params?: Record<string, string>): Promise<Row[]> {
    const [rows] = await this.database.run({ sql, params, gaxOptions: FAIL_FAST_QUERY });
    return (rows as unknown as Array<Array<{ name: string; value: unknown }>>).map((fields) =>
      Object.fromEntries(fields.map((f) => [f.name, toPlain(f.value)])),
    );
  }

  /** Every user table with its columns and primary key (cached for the reader's life: schemas do not change mid-analysis). */
  schema(): Promise<Map<string, TableSchema>> {
    this.schemaCache ??= this.loadSchema();
    return this.schemaCache;
  }

  async table(name: string): Promise<TableSchema | undefined> {
    const schema = await this.schema();
    return schema.get(name) ?? [...schema.values()].find((t) => t.name.toLowerCase() === name.toLowerCase());
  }

  private async loadSchema(): Promise<Map<string, TableSchema>> {
    const columns = await this.query(
      "SELECT col.table_name AS t, col.column_name AS c, col.spanner_type AS type FROM information_schema.columns AS col JOIN information_schema.tables AS tb ON tb.table_name = col.table_name AND tb.table_schema = col.table_schema WHERE col.table_schema = '' AND tb.table_type = 'BASE TABLE' ORDER BY col.table_name, col.ordinal_position",
    );
    const options = await this.query(
      "SELECT table_name AS t, column_name AS c FROM information_schema.column_options WHERE table_schema = '' AND option_name = 'allow_commit_timestamp' AND UPPER(option_value) = 'TRUE'",
    );
    const keys = await this.query(
      "SELECT table_name AS t, column_name AS c FROM information_schema.index_columns WHERE table_schema = '' AND index_type = 'PRIMARY_KEY' ORDER BY table_name, ordinal_position",
    );
    const withOption = new Set(options.map((o) => `${String(o.t)}.${String(o.c)}`));
    const tables = new Map<string, TableSchema>();
    for (const c of columns) {
      const name = String(c.t);
      const table = tables.get(name) ?? { name, columns: [], primaryKey: [] };
      table.columns.push({ name: String(c.c), type: String(c.type), commitTimestamp: withOption.has(`${name}.${String(c.c)}`) });
      tables.set(name, table);
    }
    for (const k of keys) tables.get(String(k.t))?.primaryKey.push(String(k.c));
    return tables;
  }

  /** The rows of `table` whose primary key is one of `keys` (values in key-column order). */
  async rowsByKeys(table: TableSchema, keys: unknown[][]): Promise<Row[]> {
    const found: Row[] = [];
    const typeOf = new Map(table.columns.map((c) => [c.name, c.type]));
    // Bounded statements: a refused commit may carry many rows.
    for (let start = 0; start < keys.length; start += 100) {
      const params: Record<string, string> = {};
      const clauses = keys.slice(start, start + 100).map((key, i) =>
        table.primaryKey
          .map((column, j) => {
            const name = `k${i}_${j}`;
            params[name] = paramText(key[j]);
            return `\`${column}\` = ${castParam(name, typeOf.get(column) ?? 'STRING')}`;
          })
          .join(' AND '),
      );
      if (clauses.length === 0) continue;
      found.push(...(await this.query(`SELECT * FROM \`${table.name}\` WHERE ${clauses.map((c) => `(${c})`).join(' OR ')}`, params)));
    }
    return found;
  }

  async allRows(table: TableSchema, limit = 200_000): Promise<Row[]> {
    const order = table.primaryKey.map((k) => `\`${k}\``).join(', ');
    return this.query(`SELECT * FROM \`${table.name}\`${order ? ` ORDER BY ${order}` : ''} LIMIT ${limit}`);
  }

  /** Completion markers (luigi_spanner), optionally only those of one target table; empty when there is no marker table. */
  async markers(filter: { targetTable?: string; taskId?: string; committedAt?: string } = {}): Promise<MarkerRow[]> {
    if (!(await this.table(this.markerTable))) return [];
    const where: string[] = [];
    const params: Record<string, string> = {};
    if (filter.targetTable !== undefined) {
      where.push('TargetTable = @table');
      params.table = filter.targetTable;
    }
    if (filter.taskId !== undefined) {
      where.push('TaskId = @taskId');
      params.taskId = filter.taskId;
    }
    if (filter.committedAt !== undefined) {
      where.push('CommittedAt = CAST(@committedAt AS TIMESTAMP)');
      params.committedAt = filter.committedAt;
    }
    const rows = await this.query(
      `SELECT UpdateId, TaskId, TaskFamily, TaskParams, TargetTable, RowCount, RunId, CommittedAt FROM \`${this.markerTable}\`${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY CommittedAt DESC LIMIT 50`,
      params,
    );
    return rows as unknown as MarkerRow[];
  }
}
