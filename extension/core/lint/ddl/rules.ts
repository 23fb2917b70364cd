// Rules on the migrations themselves: LS101 hotspot key, LS103 unversioned migration, LS104
// hotspot index. LS101's "sequential INT64" needs the code: callers pass the key columns that
// Python writes from a counter (see python/analyzer.ts).
import type { RawFinding } from '../engine-types';
import type { Schema, TableDef } from './schema';

export interface SequentialKeyWrite {
  table: string;
  column: string;
  /** Where the code produces the counter, for the message. */
  file: string;
  line: number;
}

/** Findings on migration files; positions computed from the schema's kept texts. */
export function ddlFindings(schema: Schema, sequentialKeys: SequentialKeyWrite[]): RawFinding[] {
  const findings: RawFinding[] = [];
  const at = (file: string, start: number, end: number) => {
    const source = schema.file(file);
    if (!source) return undefined;
    const line = source.lines.line(start);
    const endLine = source.lines.line(end);
    return { file, line, column: source.lines.column(start) + 1, endLine, endColumn: source.lines.column(end) + 1 };
  };

  for (const table of schema.tables.values()) {
    const reason = hotspotKeyReason(table, sequentialKeys);
    if (!reason) continue;
    const position = at(table.file, table.primaryKeyAt, table.primaryKeyEnd);
    if (position) findings.push({ code: 'LS101', ...position, message: `Table ${table.name} leads its primary key with ${reason}: every new row lands on the last split (a write hotspot). Lead the key with a well-spread column (a natural id, a hash, a bit-reversed sequence).` });
  }

  for (const index of schema.indexes.values()) {
    const first = index.columns[0];
    const column = first ? schema.column(index.table, first) : undefined;
    if (!column) continue;
    const kind = column.allowCommitTimestamp ? 'commit-timestamp' : column.type === 'TIMESTAMP' || column.type === 'DATE' ? column.type : undefined;
    if (!kind) continue;
    const position = at(index.file, index.start, index.end);
    if (position) findings.push({ code: 'LS104', ...position, message: `Index ${index.name} starts with the ${kind} column ${index.table}.${column.name}: every new entry lands on the same split (a write hotspot). Lead it with a well-spread column, or shard it (e.g. a hash-bucket column first).` });
  }

  const versions = new Map<number, string>();
  for (const file of schema.files) {
    const name = file.file.slice(file.file.lastIndexOf('/') + 1);
    const firstLineEnd = file.text.indexOf('\n');
    const endColumn = (firstLineEnd === -1 ? file.text.length : firstLineEnd) + 1;
    const position = { file: file.file, line: 1, column: 1, endLine: 1, endColumn: Math.max(2, endColumn) };
    if (file.version === undefined) {
      findings.push({ code: 'LS103', ...position, message: `Migration ${name} has no version prefix, so the order it applies in is undefined. Rename it to <version>_<name>.sql (e.g. 0003_${name.replace(/\.sql$/i, '').replace(/[^\w.-]+/g, '_')}.sql).` });
    } else if (versions.has(file.version)) {
      findings.push({ code: 'LS103', ...position, message: `Migration ${name} repeats version ${file.version} of ${versions.get(file.version)}, so their order is undefined. Give it the next free version number.` });
    } else versions.set(file.version, name);
  }
  return findings;
}

function hotspotKeyReason(table: TableDef, sequentialKeys: SequentialKeyWrite[]): string | undefined {
  const [firstName, secondName] = table.primaryKey;
  const first = firstName ? table.columns.get(firstName.toLowerCase()) : undefined;
  if (!first) return undefined;
  if (first.allowCommitTimestamp) return `the commit-timestamp column ${first.name}`;
  if (first.type === 'TIMESTAMP') return `the TIMESTAMP column ${first.name}`;
  if (first.type === 'DATE') {
    // A date alone allows one row per day, and a date followed by a well-spread column lets
    // Spanner split a day's range: only a date followed by a timestamp is monotonic.
    const second = secondName ? table.columns.get(secondName.toLowerCase()) : undefined;
    if (second && (second.type === 'TIMESTAMP' || second.allowCommitTimestamp)) return `the DATE column ${first.name} followed by the TIMESTAMP column ${second.name}`;
    return undefined;
  }
  if (first.type === 'INT64' && !first.generatedKey) {
    const write = sequentialKeys.find((w) => w.table.toLowerCase() === table.name.toLowerCase() && w.column.toLowerCase() === first.name.toLowerCase());
    if (write) return `the INT64 column ${first.name}, which ${write.file}:${write.line} fills with sequentially increasing numbers`;
  }
  return undefined;
}
