// The migration reader: tables, keys and options as Spanner applies the files, in version order.
import { describe, expect, it } from 'vitest';
import { ddlFindings } from '../../../extension/core/lint/ddl/rules';
import { buildSchema } from '../../../extension/core/lint/ddl/schema';
import { tokenize } from '../../../extension/core/lint/ddl/sql-lexer';

describe('DDL reader', () => {
  it('reads GoogleSQL tables: types, key order, options, interleaving, comments and quoting', () => {
    const schema = buildSchema([
      {
        file: 'migrations/0001_init.sql',
        text: `# a hash comment; with a semicolon
CREATE TABLE \`Order\` (
  OrderId INT64 NOT NULL, -- the key
  Tags ARRAY<STRING(MAX)>,
  Note STRING(MAX) DEFAULT ("a;b"),
  /* block; comment */
  PlacedAt TIMESTAMP NOT NULL OPTIONS (allow_commit_timestamp = true),
  Total NUMERIC AS (1 + 2) STORED,
) PRIMARY KEY (OrderId DESC), ROW DELETION POLICY (OLDER_THAN(PlacedAt, INTERVAL 30 DAY));
CREATE TABLE Lines (OrderId INT64 NOT NULL, LineNo INT64 NOT NULL) PRIMARY KEY (OrderId, LineNo), INTERLEAVE IN PARENT \`Order\` ON DELETE CASCADE;
CREATE UNIQUE NULL_FILTERED INDEX IF NOT EXISTS LinesByNo ON Lines (LineNo) STORING (OrderId);`,
      },
    ]);
    const order = schema.table('order')!;
    expect(order.name).toBe('Order');
    expect([...order.columns.values()].map((c) => `${c.name}:${c.type}:${c.allowCommitTimestamp}`)).toEqual([
      'OrderId:INT64:false',
      'Tags:ARRAY:false',
      'Note:STRING:false',
      'PlacedAt:TIMESTAMP:true',
      'Total:NUMERIC:false',
    ]);
    expect(order.primaryKey).toEqual(['OrderId']);
    expect(schema.table('Lines')!.primaryKey).toEqual(['OrderId', 'LineNo']);
    expect(schema.indexes.get('linesbyno')).toMatchObject({ table: 'Lines', columns: ['LineNo'] });
  });

  it('applies ALTER TABLE and DROP in version order, whatever the file order', () => {
    const schema = buildSchema([
      { file: 'm/0002_alter.sql', text: 'ALTER TABLE T ADD COLUMN Seen TIMESTAMP;\nALTER TABLE T ALTER COLUMN Seen SET OPTIONS (allow_commit_timestamp = true);\nALTER TABLE T DROP COLUMN Old;\nDROP INDEX TByOld;' },
      { file: 'm/0001_t.sql', text: 'CREATE TABLE T (Id STRING(36) NOT NULL, Old DATE) PRIMARY KEY (Id);\nCREATE INDEX TByOld ON T (Old);' },
      { file: 'm/0003_undo.sql', text: 'ALTER TABLE T ALTER COLUMN Seen SET OPTIONS (allow_commit_timestamp = null);' },
    ]);
    expect(schema.files.map((f) => f.file)).toEqual(['m/0001_t.sql', 'm/0002_alter.sql', 'm/0003_undo.sql']);
    expect(schema.column('T', 'seen')).toMatchObject({ type: 'TIMESTAMP', allowCommitTimestamp: false });
    expect(schema.column('T', 'Old')).toBeUndefined();
    expect(schema.indexes.size).toBe(0);
  });

  it('reads the PostgreSQL dialect: inline keys, timestamptz, spanner.commit_timestamp', () => {
    const schema = buildSchema([{ file: 'm/0001.sql', text: 'CREATE TABLE events (id bigint PRIMARY KEY, at timestamptz, ts spanner.commit_timestamp);\nCREATE TABLE days (day date, n bigint, PRIMARY KEY (day, n));' }]);
    expect(schema.table('events')!.primaryKey).toEqual(['id']);
    expect(schema.column('events', 'at')).toMatchObject({ type: 'TIMESTAMP', allowCommitTimestamp: false });
    expect(schema.column('events', 'ts')).toMatchObject({ type: 'TIMESTAMP', allowCommitTimestamp: true });
    expect(schema.table('days')!.primaryKey).toEqual(['day', 'n']);
  });

  it('keeps offsets for triple-quoted strings and parameters', () => {
    const tokens = tokenize(`SELECT '''a;\nb''' AS x FROM t WHERE at >= @start -- c`);
    expect(tokens.map((t) => t.kind)).toEqual(['word', 'string', 'word', 'word', 'word', 'word', 'word', 'word', 'punct', 'param']);
    expect(tokens[1]!.value).toBe('a;\nb');
    expect(tokens[9]!.start).toBe(`SELECT '''a;\nb''' AS x FROM t WHERE at >= `.length);
  });

  it('reports LS101, LS103 and LS104 on the lines that hold them', () => {
    const schema = buildSchema([
      { file: 'm/0001_t.sql', text: 'CREATE TABLE Logs (\n  At TIMESTAMP NOT NULL,\n  Id STRING(36) NOT NULL,\n) PRIMARY KEY (At, Id);\n\nCREATE INDEX LogsById ON Logs (Id);\nCREATE INDEX LogsByAt\n  ON Logs (At);\n' },
      { file: 'm/0001_again.sql', text: 'SELECT 1;' },
      { file: 'm/extra.sql', text: 'SELECT 1;' },
    ]);
    const findings = ddlFindings(schema, []).map((f) => `${f.code} ${f.file}:${f.line}:${f.column}`);
    expect(findings.sort()).toEqual(['LS101 m/0001_t.sql:4:3', 'LS103 m/0001_t.sql:1:1', 'LS103 m/extra.sql:1:1', 'LS104 m/0001_t.sql:7:1']);
  });
});
