// Data lineage: which tables each task writes and reads (facts), the tables section between them
// (with each table's CREATE TABLE from the migrations), and the SQL reading underneath.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderGraph } from '../../../extension/cli/commands/graph';
import { tableLineage, withLineage } from '../../../extension/core/analysis/lineage';
import { WorkspaceIndex } from '../../../extension/core/analysis/workspace-index';
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

describe('table names that are not literals', () => {
  /** The graph of in-memory files; each task as [written, read, from defaults, unresolved]. */
  function tablesOf(files: Record<string, string>) {
    const index = new WorkspaceIndex();
    for (const [file, text] of Object.entries(files)) index.setFile(file, text);
    const graph = withLineage(index.graph());
    const tasks = Object.fromEntries(
      graph.tasks.map((t) => [t.name, { writes: t.tables ?? [], reads: t.tableReads ?? [], defaults: t.tablesFromDefaults ?? [], unresolved: (t.unresolvedTables ?? []).map((u) => `${u.access} ${u.expression}`) }]),
    );
    return { tasks, graph };
  }
  const HEADER = 'import luigi\nfrom google.cloud import spanner\n\n';

  it('module-level constants, also imported from another module and concatenated', () => {
    const { tasks } = tablesOf({
      'pipelines/__init__.py': '',
      'pipelines/tables.py': 'PREFIX = "Daily"\nORDERS = "Orders"\nREVENUE = PREFIX + "Revenue"\nALIAS = ORDERS\n',
      'pipelines/load.py': `${HEADER}from pipelines.tables import ORDERS, REVENUE\nfrom pipelines import tables\nLOCAL = "Audit"\n\nclass Load(luigi.Task):\n    def run(self):\n        with db.batch() as batch:\n            batch.insert(ORDERS, cols, rows)\n            batch.insert(tables.ALIAS, cols, rows)\n            batch.insert_or_update(LOCAL, cols, rows)\n            batch.delete(REVENUE, keyset)\n`,
    });
    expect(tasks.Load).toEqual({ writes: ['Audit', 'DailyRevenue', 'Orders'], reads: [], defaults: [], unresolved: [] });
  });

  it('class attributes through the task’s bases (luigi’s `table = ...`), self in a base method, a @property', () => {
    const { tasks } = tablesOf({
      'base.py': `${HEADER}class CopyToTable(luigi.Task):\n    @property\n    def table(self):\n        return None\n\n    def run(self):\n        with db.batch() as batch:\n            batch.insert(self.table, self.columns, rows)\n`,
      'tasks.py': `${HEADER}from base import CopyToTable\nSCHEMA = "Stg"\n\nclass A(CopyToTable):\n    table = "TableA"\n\nclass B(CopyToTable):\n    prefix = SCHEMA\n    table = prefix + "_B"\n\nclass C(A):\n    pass\n\nclass D(CopyToTable):\n    @property\n    def table(self):\n        """The table."""\n        return SCHEMA + "_D"\n`,
    });
    expect(tasks.CopyToTable).toEqual({ writes: [], reads: [], defaults: [], unresolved: ['write self.table'] });
    expect(tasks.A!.writes).toEqual(['TableA']);
    expect(tasks.B!.writes).toEqual(['Stg_B']);
    expect(tasks.C!.writes).toEqual(['TableA']);
    expect(tasks.D!.writes).toEqual(['Stg_D']);
  });

  it('luigi Parameters: a literal default names the table, marked as a default; no default is unresolved', () => {
    const { tasks, graph } = tablesOf({
      'p.py': `${HEADER}class WithDefault(luigi.Task):\n    table = luigi.Parameter(default="Events")\n    def run(self):\n        snapshot.read(self.table, cols, keyset)\n\nclass Required(luigi.Task):\n    table = luigi.Parameter()\n    def run(self):\n        snapshot.read(self.table, cols, keyset)\n        transaction.execute_update(f"DELETE FROM {self.table} WHERE TRUE")\n`,
    });
    expect(tasks.WithDefault).toEqual({ writes: [], reads: ['Events'], defaults: ['Events'], unresolved: [] });
    expect(tasks.Required).toEqual({ writes: [], reads: [], defaults: [], unresolved: ['read self.table', 'write self.table'] });
    expect(graph.tables).toEqual([{ name: 'Events', writers: [], readers: ['p.WithDefault'], fromDefault: true }]);
    expect(graph.unresolvedTables).toEqual({ writes: 1, reads: 1 });
  });

  it('f-strings, .format and % in SQL: the table once its parts resolve; a value that does not resolve leaves the table known', () => {
    const { tasks } = tablesOf({
      'q.py': `${HEADER}TABLE = "Orders"\n\nclass Q(luigi.Task):\n    day = luigi.DateParameter()\n    target = "Summary"\n    def run(self):\n        snapshot.execute_sql(f"SELECT * FROM {TABLE} WHERE Day = '{self.day}'")\n        sql = "INSERT INTO {} (Day) SELECT Day FROM {src}".format(self.target, src="Staging")\n        transaction.execute_update(sql)\n        transaction.execute_update("DELETE FROM %s WHERE Day < '%s'" % ("Old" + TABLE, self.day))\n        snapshot.execute_sql(f"SELECT * FROM {self.shard()}")\n        snapshot.execute_sql(query_for(self.day))\n`,
    });
    expect(tasks.Q).toEqual({ writes: ['OldOrders', 'Summary'], reads: ['Orders', 'Staging'], defaults: [], unresolved: ['read self.shard()', 'read query_for(self.day)'] });
  });

  it('locals bound once stand for their value; a local bound twice, a loop variable or a parameter does not', () => {
    const { tasks } = tablesOf({
      'l.py': `${HEADER}class L(luigi.Task):\n    def run(self, other="x"):\n        table = "Once"\n        twice = "A"\n        twice = "B"\n        with db.batch() as batch:\n            batch.insert(table, cols, rows)\n            batch.insert(twice, cols, rows)\n            batch.insert(other, cols, rows)\n            for name in ["C", "D"]:\n                batch.insert(name, cols, rows)\n`,
    });
    expect(tasks.L).toEqual({ writes: ['Once'], reads: [], defaults: [], unresolved: ['write twice', 'write other', 'write name'] });
  });

  it('module-level helper functions the task calls: their writes, reads and SQL, parameters bound to the arguments', () => {
    const { tasks } = tablesOf({
      'helpers.py': [
        'AUDIT = "AuditLog"',
        '',
        'def upsert(transaction, table, rows):',
        '    transaction.insert_or_update(table, columns=COLUMNS, values=rows)',
        '    transaction.insert(AUDIT, columns=("At",), values=[(1,)])',
        '',
        'def read_all(database, table, where="TRUE"):',
        '    with database.snapshot() as snapshot:',
        '        return list(snapshot.execute_sql(f"SELECT Id FROM {table} WHERE {where}"))',
        '',
        'def purge(transaction, table):',
        '    table = table.upper()',
        '    transaction.execute_update(f"DELETE FROM {table} WHERE TRUE")',
        '',
      ].join('\n'),
      'tasks.py': `${HEADER}import helpers\nfrom helpers import upsert, read_all\nCUSTOMERS = "Customers"\n\nclass LoadCustomers(luigi.Task):\n    def run(self):\n        db.run_in_transaction(upsert, CUSTOMERS, rows)\n\nclass LoadOrders(luigi.Task):\n    table = "Orders"\n    def run(self):\n        customers = read_all(db, table=CUSTOMERS)\n        db.run_in_transaction(lambda txn: upsert(txn, self.table, customers))\n        db.run_in_transaction(helpers.purge, "Stale")\n\nclass Unknown(luigi.Task):\n    def run(self, name):\n        upsert(txn, name, rows)\n`,
    });
    expect(tasks.LoadCustomers).toEqual({ writes: ['AuditLog', 'Customers'], reads: [], defaults: [], unresolved: [] });
    // purge() rebinds its parameter: what it deletes is not known, and said so.
    expect(tasks.LoadOrders).toEqual({ writes: ['AuditLog', 'Orders'], reads: ['Customers'], defaults: [], unresolved: ['write table.upper()'] });
    // An argument nothing is known of: the helper's table is unresolved, never guessed.
    expect(tasks.Unknown).toEqual({ writes: ['AuditLog'], reads: [], defaults: [], unresolved: ['write table'] });
  });

  it('python-spanner and luigi patterns (test/fixtures/graph/lineage_names)', async () => {
    const { graph } = await renderGraph([path.join(FIXTURES, 'lineage_names')], { root: FIXTURES, cache: false });
    const byName = Object.fromEntries(graph.tasks.map((t) => [t.name, t]));
    const summary = (name: string) => [byName[name]!.tables, byName[name]!.tableReads, byName[name]!.unresolvedTables?.map((u) => `${u.access}:${u.line} ${u.expression}`)];
    // sd = _sample_data; sd.TABLE in mutations, a read, DML f-strings; sd.SQL as the query.
    expect(summary('BatchInsertThenRead')).toEqual([['contacts'], ['contacts'], undefined]);
    expect(summary('PartitionedDelete')).toEqual([['contacts'], ['contacts'], undefined]);
    // ycsb: the table as a Parameter default, then as a plain argument (self.update(...) is not a batch's update).
    expect(summary('YcsbLoad')).toEqual([['usertable'], undefined, undefined]);
    expect(byName.YcsbLoad!.tablesFromDefaults).toEqual(['usertable']);
    expect(summary('YcsbUpdate')).toEqual([undefined, undefined, ['write:74 table', 'read:78 query']]);
    // luigi rdbms: the abstract property names nothing; each subclass's attribute through the mixin's .format.
    expect(summary('CopyToTable')).toEqual([undefined, undefined, ['write:26 self.table']]);
    expect(summary('UpdateTableA')).toEqual([['tableA'], undefined, undefined]);
    expect(summary('UpdateTableB')).toEqual([['tableB'], undefined, undefined]);
    expect(summary('PrefixedTable')).toEqual([['DailyEvents'], ['DailyEvents'], undefined]);
    expect(graph.unresolvedTables).toEqual({ writes: 2, reads: 1 });
  });
});
