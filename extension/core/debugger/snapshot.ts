// Every table's rows, keyed by primary key, with the values that must match between two runs of
// the same pipeline: timestamps (commit times, clocks) and the marker's run columns differ by design.
import { LEDGER_TABLE } from '../../../emulator/src';
import type { SpannerReader } from './database';

/** Columns of the marker table that name the run, not the work. */
const MARKER_RUN_COLUMNS = new Set(['RunId', 'RunUser', 'RunHost']);

export interface TableSnapshot {
  table: string;
  keyColumns: string[];
  /** Columns whose values are compared. */
  compared: string[];
  /** Key (JSON of the key values) -> compared values (JSON). */
  rows: Map<string, string>;
}

export async function snapshotTables(reader: SpannerReader): Promise<Map<string, TableSnapshot>> {
  const snapshots = new Map<string, TableSnapshot>();
  for (const table of (await reader.schema()).values()) {
    if (table.name === LEDGER_TABLE) continue;
    const compared = table.columns
      .filter((c) => !c.type.toUpperCase().startsWith('TIMESTAMP'))
      .filter((c) => !(table.name === reader.markerTable && MARKER_RUN_COLUMNS.has(c.name)))
      .map((c) => c.name);
    const keyColumns = table.primaryKey.length ? table.primaryKey : table.columns.map((c) => c.name);
    const rows = new Map<string, string>();
    for (const row of await reader.allRows(table)) {
      rows.set(JSON.stringify(keyColumns.map((k) => row[k])), JSON.stringify(compared.map((c) => row[c])));
    }
    snapshots.set(table.name, { table: table.name, keyColumns, compared, rows });
  }
  return snapshots;
}

export interface TableDiff {
  table: string;
  keyColumns: string[];
  expectedRows: number;
  actualRows: number;
  /** Keys of a clean run that are absent: work that never completed (partial results). */
  missing: string[];
  /** Keys a clean run does not have: rows written again under new keys (duplicates). */
  extra: string[];
  /** Same key, other values: a replay applied on top of earlier work (e.g. a total added twice). */
  changed: string[];
}

/** Tables that differ from the expected snapshot (tables equal to it are left out). */
export function diffSnapshots(expected: Map<string, TableSnapshot>, actual: Map<string, TableSnapshot>): TableDiff[] {
  const diffs: TableDiff[] = [];
  for (const name of new Set([...expected.keys(), ...actual.keys()])) {
    const want = expected.get(name)?.rows ?? new Map<string, string>();
    const got = actual.get(name)?.rows ?? new Map<string, string>();
    const missing = [...want.keys()].filter((k) => !got.has(k));
    const extra = [...got.keys()].filter((k) => !want.has(k));
    const changed = [...want.keys()].filter((k) => got.has(k) && got.get(k) !== want.get(k));
    if (missing.length || extra.length || changed.length) {
      diffs.push({
        table: name,
        keyColumns: (expected.get(name) ?? actual.get(name))!.keyColumns,
        expectedRows: want.size,
        actualRows: got.size,
        missing,
        extra,
        changed,
      });
    }
  }
  return diffs.sort((a, b) => a.table.localeCompare(b.table));
}

export function rowCounts(snapshot: Map<string, TableSnapshot>): Record<string, number> {
  return Object.fromEntries([...snapshot.values()].map((s) => [s.table, s.rows.size]));
}
