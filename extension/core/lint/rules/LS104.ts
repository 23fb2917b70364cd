// LS104: an index leads with a timestamp or date column.
import type { SchemaRule } from './rule';

export const LS104: SchemaRule = {
  meta: {
    code: 'LS104',
    name: 'HotspotIndex',
    title: 'Hotspot index',
    description: 'The first column of an index is a TIMESTAMP, DATE or commit-timestamp column, so every new index entry lands on the same split.',
    defaultSeverity: 'warning',
  },
  target: 'schema',
  check(ctx) {
    const { schema } = ctx;
    for (const index of schema.indexes.values()) {
      const first = index.columns[0];
      const column = first ? schema.column(index.table, first) : undefined;
      if (!column) continue;
      const kind = column.allowCommitTimestamp ? 'commit-timestamp' : column.type === 'TIMESTAMP' || column.type === 'DATE' ? column.type : undefined;
      if (!kind) continue;
      const position = ctx.at(index.file, index.start, index.end);
      if (position) ctx.findings.push({ code: 'LS104', ...position, message: `Index ${index.name} starts with the ${kind} column ${index.table}.${column.name}: every new entry lands on the same split (a write hotspot). Lead it with a well-spread column, or shard it (e.g. a hash-bucket column first).` });
    }
  },
};
