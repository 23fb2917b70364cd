// LS101: a table's primary key leads with a monotonically increasing column.
import type { TableDef } from '../ddl/schema';
import type { SchemaRule } from './rule';
import type { SequentialKeyWrite } from './schema-context';

export const LS101: SchemaRule = {
  meta: {
    code: 'LS101',
    name: 'HotspotKey',
    title: 'Hotspot key',
    description:
      'The first primary-key column increases monotonically (a timestamp, a commit timestamp, a sequential number), so every insert lands on the last split. Lead the key with a well-spread column (a hash, a natural id, a bit-reversed sequence).',
    defaultSeverity: 'warning',
  },
  target: 'schema',
  check(ctx) {
    for (const table of ctx.schema.tables.values()) {
      const reason = hotspotKeyReason(table, ctx.sequentialKeys);
      if (!reason) continue;
      const position = ctx.at(table.file, table.primaryKeyAt, table.primaryKeyEnd);
      if (position) ctx.findings.push({ code: 'LS101', ...position, message: `Table ${table.name} leads its primary key with ${reason}: every new row lands on the last split (a write hotspot). Lead the key with a well-spread column (a natural id, a hash, a bit-reversed sequence).` });
    }
  },
};

function hotspotKeyReason(table: TableDef, sequentialKeys: readonly SequentialKeyWrite[]): string | undefined {
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
