// The classifier that decides whether "Run query" (editor) and `emulator query` (CLI) must ask first.
import { describe, expect, it } from 'vitest';
import { classifyStatements, statementWrites, writeConfirmation } from '../../extension/core/sqlStatementKind';
import { isRunDatabase, runDatabaseId } from '../../extension/core/runs/runTarget';

const kindOf = (sql: string) => classifyStatements(sql).map((s) => [s.kind, s.keyword]);

describe('classifyStatements', () => {
  it.each([
    ['SELECT * FROM Orders', 'SELECT'],
    ['  select 1', 'SELECT'],
    ["SELECT 'DELETE FROM Orders' AS text", 'SELECT'],
    ['SELECT `Update`, `Insert` FROM T', 'SELECT'],
    ['-- UPDATE Orders SET x = 1\nSELECT 1', 'SELECT'],
    ['/* DELETE FROM T; */ SELECT 1', 'SELECT'],
    ['# DELETE\nSELECT 1', 'SELECT'],
    ['(SELECT 1) UNION ALL (SELECT 2)', 'SELECT'],
    ['@{USE_ADDITIONAL_PARALLELISM=TRUE} SELECT * FROM T', 'SELECT'],
    ['WITH t AS (SELECT 1 AS x) SELECT x FROM t', 'WITH'],
    ['SELECT * FROM T WHERE Id = 1 FOR UPDATE', 'SELECT'],
    ["SELECT REPLACE(Name, 'a', 'b') FROM T", 'SELECT'],
    ['GRAPH FinGraph MATCH (a:Account) RETURN a.id', 'GRAPH'],
  ])('%s reads', (sql, keyword) => {
    expect(kindOf(sql)).toEqual([['query', keyword]]);
  });

  it.each([
    ["INSERT INTO T (Id) VALUES (1)", 'INSERT'],
    ["insert or update T (Id) values (1)", 'INSERT'],
    ['UPDATE T SET Name = NULL WHERE TRUE', 'UPDATE'],
    ['DELETE FROM T WHERE TRUE', 'DELETE'],
    ['delete T where true', 'DELETE'],
    ['/* select */ -- select\nDELETE FROM T WHERE TRUE', 'DELETE'],
    ['@{LOCK_SCANNED_RANGES=exclusive} UPDATE T SET x = 1 WHERE TRUE', 'UPDATE'],
    ['WITH t AS (SELECT 1) INSERT INTO T SELECT * FROM t', 'INSERT'],
    ['DELETE FROM T WHERE Id IN (SELECT Id FROM U) THEN RETURN Id', 'DELETE'],
  ])('%s writes data', (sql, keyword) => {
    expect(kindOf(sql)).toEqual([['dml', keyword]]);
  });

  it.each([
    ['CREATE TABLE T (Id INT64) PRIMARY KEY (Id)', 'CREATE'],
    ['alter table T add column X STRING(MAX)', 'ALTER'],
    ['DROP INDEX I', 'DROP'],
    ['GRANT SELECT ON TABLE T TO ROLE r', 'GRANT'],
  ])('%s changes the schema', (sql, keyword) => {
    expect(kindOf(sql)).toEqual([['ddl', keyword]]);
  });

  it('counts anything unrecognised as a write', () => {
    for (const sql of ['CALL cancel_query("1")', 'EXPLAIN SELECT 1', '42', "'SELECT 1'", '@{X=1}']) {
      const [statement] = classifyStatements(sql);
      expect(statement?.kind, sql).toBe('other');
      expect(statementWrites(statement!)).toBe(true);
    }
  });

  it('splits at top-level semicolons only, keeping each statement text', () => {
    const statements = classifyStatements("SELECT ';' AS a; UPDATE T SET x = 1 WHERE TRUE;\n\n-- trailing comment\n");
    expect(statements.map((s) => [s.kind, s.text])).toEqual([
      ['query', "SELECT ';' AS a"],
      ['dml', 'UPDATE T SET x = 1 WHERE TRUE'],
    ]);
    expect(classifyStatements('  -- nothing\n ; ;')).toEqual([]);
  });
});

describe('writeConfirmation', () => {
  const workspaceDb = { databaseId: 'orders', isRunDatabase: false };

  it('asks before anything that writes, naming what and where', () => {
    expect(writeConfirmation('DELETE FROM Orders WHERE TRUE', workspaceDb)).toBe('This SQL may change database orders (DELETE). Run it?');
    expect(writeConfirmation('SELECT 1; UPDATE T SET x = 1 WHERE TRUE', workspaceDb)).toMatch(/\(UPDATE\)/);
    expect(writeConfirmation('DROP TABLE T', workspaceDb)).toMatch(/DROP \(schema\)/);
    expect(writeConfirmation('CALL x()', workspaceDb)).toMatch(/\(CALL\)/);
  });

  it('does not ask for reads, nor for a run database the tool owns', () => {
    expect(writeConfirmation("SELECT * FROM Orders WHERE Note = 'DELETE'", workspaceDb)).toBeUndefined();
    const runDb = runDatabaseId();
    expect(isRunDatabase(runDb)).toBe(true);
    expect(isRunDatabase('orders')).toBe(false);
    expect(isRunDatabase('run-orders')).toBe(false);
    expect(writeConfirmation('DELETE FROM Orders WHERE TRUE', { databaseId: runDb, isRunDatabase: isRunDatabase(runDb) })).toBeUndefined();
  });
});
