// Data lineage: which tables each task writes and reads (facts), the tables section between them
// (with each table's CREATE TABLE from the migrations), and the SQL reading underneath.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderGraph } from '../../../extension/cli/commands/graph';
import { tableLineage } from '../../../extension/core/analysis/lineage';
import { extractModuleFacts } from '../../../extension/core/analysis/module-facts';
import type { TaskNode } from '../../../extension/core/analysis/types';
import { sqlTableAccess } from '../../../extension/core/sqlTables';

const REPO = path.resolve(__dirname, '..', '..', '..');
const FIXTURES = path.join(REPO, 'test', 'fixtures', 'graph');

describe('sqlTableAccess', () => {
  it.each([
    ['SELECT * FROM Orders', [], ['Orders']],
    ['select a from orders o where o.x = 1', [], ['orders']],
    ['SELECT s.Name FROM Singers AS s JOIN Albums a ON s.Id = a.Id LEFT JOIN `Order` USING (Id)', [], ['Singers', 'Albums', 'Order']],
    ['SELECT * FROM A, B WHERE A.x = B.x', [], ['A', 'B']],
    ['SELECT * FROM Albums@{FORCE_INDEX=AlbumsByTitle} WHERE AlbumTitle >= @t', [], ['Albums']],
    ['WITH recent AS (SELECT * FROM Orders) SELECT * FROM recent JOIN Customers c ON TRUE', [], ['Orders', 'Customers']],
    ['SELECT EXTRACT(YEAR FROM OrderDate) FROM Orders', [], ['Orders']],
    ['SELECT x FROM Singers s, UNNEST(s.Tags) AS x', [], ['Singers']],
    ["SELECT OPTION_VALUE FROM INFORMATION_SCHEMA.DATABASE_OPTIONS WHERE OPTION_NAME = 'x'", [], []],
    ['SELECT Id FROM T WHERE Id IN (SELECT Id FROM U)', [], ['T', 'U']],
    ['INSERT INTO DailyRevenue (Day, Revenue) SELECT Day, SUM(Amount) FROM Orders GROUP BY Day', ['DailyRevenue'], ['Orders']],
    ['INSERT OR UPDATE Singers (Id) VALUES (1)', ['Singers'], []],
    ['UPDATE Albums SET Budget = Budget * 2 WHERE SingerId = 1 THEN RETURN Budget', ['Albums'], []],
    ['UPDATE Albums a SET Budget = (SELECT MAX(Budget) FROM Albums) WHERE TRUE', ['Albums'], ['Albums']],
    ['DELETE FROM TopCustomers WHERE Batch = @batch', ['TopCustomers'], []],
    ['delete Orders where Id in (select Id from Stale)', ['Orders'], ['Stale']],
    ['DELETE FROM A WHERE TRUE; INSERT INTO B (x) VALUES (1)', ['A', 'B'], []],
    // Prose that holds the keywords is not SQL.
    ['Select from the list above', [], []],
    ['Update the rows when done', [], []],
    ['Insert into the queue (later) please', [], []],
    ['select rows from the orders table', [], []],
  ])('%s', (sql, writes, reads) => {
    expect(sqlTableAccess(sql)).toEqual({ writes, reads });
  });
});

describe('table facts', () => {
  it('tells reads (read calls, queries, the SELECT of DML) from writes, literal strings only', () => {
    const facts = extractModuleFacts(
      [
        'class T(luigi.Task):',
        '    """SELECT * FROM Docstring"""',
        '    table = "Events"',
        '    def run(self):',
        '        """Select everything from Orders (a docstring)."""',
        '        with db.snapshot() as snapshot:',
        '            snapshot.read("Customers", ("Id",), keyset)',
        '            snapshot.read(table=self.table, columns=["Id"], keyset=ks)',
        '            open("x").read()',
        '            handle.read(100)',
        '            snapshot.execute_sql("SELECT Id " "FROM Orders")',
        '            snapshot.execute_sql(f"SELECT * FROM {name}")',
        '        tx.insert("Audit", ["Id"], rows)',
        '        rows.insert(0, 1)',
        '        tx.execute_update("INSERT INTO Summary (Id) SELECT Id FROM Staging")',
      ].join('\n'),
    );
    const [cls] = facts.classes;
    expect(cls!.reads.map((r) => r.table ?? r.expr)).toEqual(['Customers', { k: 'self', attr: 'table' }, 'Orders', 'Staging']);
    expect(cls!.writes.map((r) => r.table ?? r.expr)).toEqual(['Audit', 'Summary']);
    // The f-string is kept, to be read once `name` resolves.
    expect(cls!.sql).toEqual([{ expr: { k: 'cat', parts: [{ k: 'lit', v: 'SELECT * FROM ' }, { k: 'name', parts: ['name'] }] }, line: 12, runs: 'query' }]);
  });

  it('reads python-spanner sample patterns into tasks: mutations and DML write, snapshot reads and queries read', async () => {
    const { graph } = await renderGraph([path.join(FIXTURES, 'lineage')], { root: FIXTURES, cache: false });
    const byName = Object.fromEntries(graph.tasks.map((t) => [t.name, t]));
    expect([byName.LoadSingers!.tables, byName.LoadSingers!.tableReads]).toEqual([['Albums', 'Singers'], undefined]);
    expect([byName.RaiseBudgets!.tables, byName.RaiseBudgets!.tableReads]).toEqual([['Albums'], undefined]);
    // Venues through the f-string's local `table`; no INFORMATION_SCHEMA, no "the" from the printed prose.
    expect([byName.AlbumReport!.tables, byName.AlbumReport!.tableReads]).toEqual([undefined, ['Albums', 'Singers', 'Venues']]);
    expect(graph.unresolvedTables).toEqual({ writes: 0, reads: 0 });
    expect(graph.tables).toEqual([
      {
        name: 'Albums',
        writers: ['lineage.albums.LoadSingers', 'lineage.albums.RaiseBudgets'],
        readers: ['lineage.albums.AlbumReport'],
        migration: { file: 'lineage/migrations/0001_singers_albums.sql', line: 9 },
        columns: [
          { name: 'SingerId', type: 'INT64' },
          { name: 'AlbumId', type: 'INT64' },
          { name: 'AlbumTitle', type: 'STRING' },
          { name: 'MarketingBudget', type: 'INT64' },
        ],
        primaryKey: ['SingerId', 'AlbumId'],
      },
      {
        name: 'Singers',
        writers: ['lineage.albums.LoadSingers'],
        readers: ['lineage.albums.AlbumReport'],
        migration: { file: 'lineage/migrations/0001_singers_albums.sql', line: 2 },
        columns: [
          { name: 'SingerId', type: 'INT64' },
          { name: 'FirstName', type: 'STRING' },
          { name: 'LastName', type: 'STRING' },
          { name: 'SingerInfo', type: 'BYTES' },
        ],
        primaryKey: ['SingerId'],
      },
      { name: 'Venues', writers: [], readers: ['lineage.albums.AlbumReport'] },
    ]);
  });
});

describe('lineage of samples/orders', () => {
  it('puts each table between its writers and readers, with its CREATE TABLE', async () => {
    const { graph } = await renderGraph([path.join(REPO, 'samples', 'orders')], { root: REPO, cache: false });
    const id = (name: string) => `samples.orders.pipeline.${name}`;
    expect(graph.tables!.map(({ name, writers, readers, migration }) => ({ name, writers, readers, migration }))).toEqual([
      { name: 'Customers', writers: [id('LoadCustomers')], readers: [], migration: { file: 'samples/orders/migrations/0001_customers_and_orders.sql', line: 2 } },
      { name: 'DailyRevenue', writers: [id('DailyRevenue')], readers: [], migration: { file: 'samples/orders/migrations/0002_daily_revenue_and_markers.sql', line: 3 } },
      // DailyRevenue's SELECT ... FROM Orders, in the transaction that writes the aggregate.
      { name: 'Orders', writers: [id('LoadOrders')], readers: [id('DailyRevenue')], migration: { file: 'samples/orders/migrations/0001_customers_and_orders.sql', line: 11 } },
    ]);
    const orders = graph.tables!.find((t) => t.name === 'Orders')!;
    expect(orders.primaryKey).toEqual(['OrderId']);
    expect(orders.columns!.map((c) => c.name)).toEqual(['OrderId', 'CustomerId', 'OrderDate', 'Amount', 'Status', 'Batch', 'LoadedAt']);
  });
});

describe('tableLineage', () => {
  const task = (id: string, file: string, tables?: string[], tableReads?: string[]): TaskNode => ({
    id,
    name: id,
    kind: 'task',
    file,
    line: 1,
    params: [],
    outputs: [],
    module: 'm',
    ...(tables ? { tables } : {}),
    ...(tableReads ? { tableReads } : {}),
  });

  it('merges spellings as Spanner compares names, sorted by name, the migration spelling winning', () => {
    const tasks = [task('m.B', 'b/m.py', ['orders']), task('m.A', 'a/m.py', ['Zed'], ['ORDERS'])];
    const schemaFor = (file: string) =>
      file.startsWith('a/')
        ? {
            table: (name: string) => (name.toLowerCase() === 'orders' ? { name: 'Orders', file: 'a/migrations/1.sql', start: 5, columns: new Map([['id', { name: 'Id', type: 'INT64' }]]), primaryKey: ['Id'] } : undefined),
            file: () => ({ lines: { line: (offset: number) => offset + 1 } }),
          }
        : undefined;
    expect(tableLineage(tasks, schemaFor)).toEqual([
      { name: 'Orders', writers: ['m.B'], readers: ['m.A'], migration: { file: 'a/migrations/1.sql', line: 6 }, columns: [{ name: 'Id', type: 'INT64' }], primaryKey: ['Id'] },
      { name: 'Zed', writers: ['m.A'], readers: [] },
    ]);
    expect(tableLineage(tasks)).toEqual([
      { name: 'orders', writers: ['m.B'], readers: ['m.A'] },
      { name: 'Zed', writers: ['m.A'], readers: [] },
    ]);
  });
});
