// `luigi-spanner graph --tables`: the Spanner tables as nodes between their writers and readers,
// in every drawn format, on the orders sample; JSON lists them whatever the flag.
import { Command } from 'commander';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerGraphCommand } from '../../../extension/cli/commands/graph';
import type { GraphJson } from '../../../extension/core/analysis/types';

const REPO = path.resolve(__dirname, '..', '..', '..');
const SAMPLE = path.join(REPO, 'samples', 'orders');
const id = (name: string) => `samples.orders.pipeline.${name}`;

async function runGraph(args: string[], target: string[] = [SAMPLE, '--root', REPO]): Promise<{ stdout: string; stderr: string }> {
  const program = new Command().exitOverride();
  registerGraphCommand(program);
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    await program.parseAsync(['node', 'luigi-spanner', 'graph', ...target, '--no-cache', ...args]);
  } finally {
    vi.restoreAllMocks();
  }
  return { stdout, stderr };
}

describe('luigi-spanner graph --tables', () => {
  afterEach(() => vi.restoreAllMocks());

  it('lists the tables in JSON, with or without --tables, the other fields unchanged', async () => {
    const plain = JSON.parse((await runGraph(['--format', 'json'])).stdout) as GraphJson;
    const flagged = JSON.parse((await runGraph(['--format', 'json', '--tables'])).stdout) as GraphJson;
    expect(flagged).toEqual(plain);
    expect(Object.keys(plain)).toEqual(['tasks', 'edges', 'diagnostics', 'tables', 'unresolvedTables']);
    expect(plain.unresolvedTables).toEqual({ writes: 0, reads: 0 });
    expect(plain.tables!.map((t) => [t.name, t.writers, t.readers, t.migration?.file])).toEqual([
      ['Customers', [id('LoadCustomers')], [], 'samples/orders/migrations/0001_customers_and_orders.sql'],
      ['DailyRevenue', [id('DailyRevenue')], [], 'samples/orders/migrations/0002_daily_revenue_and_markers.sql'],
      ['Orders', [id('LoadOrders')], [id('DailyRevenue')], 'samples/orders/migrations/0001_customers_and_orders.sql'],
    ]);
  });

  it('draws cylinders in DOT, writer -> table -> reader, only when asked', async () => {
    const without = (await runGraph(['--format', 'dot'])).stdout;
    expect(without).not.toContain('table:');
    const { stdout, stderr } = await runGraph(['--format', 'dot', '--tables']);
    expect(stderr).toBe('');
    expect(stdout).toContain('"table:Orders" [label="Orders", shape=cylinder');
    expect(stdout).toContain(`"${id('LoadOrders')}" -> "table:Orders"`);
    expect(stdout).toContain(`"table:Orders" -> "${id('DailyRevenue')}"`);
    expect(stdout).toContain(`"${id('DailyRevenue')}" -> "table:DailyRevenue"`);
    expect(stdout.trimEnd().endsWith('}')).toBe(true);
  });

  it('draws Mermaid cylinders with their own class', async () => {
    expect((await runGraph(['--format', 'mermaid'])).stdout).not.toContain('[(');
    const { stdout } = await runGraph(['--format', 'mermaid', '--tables']);
    const lines = stdout.split('\n');
    const taskId = (name: string) => lines.find((l) => l.includes(`["${name}"]`))!.trim().split('[')[0];
    const tableId = (name: string) => lines.find((l) => l.includes(`[("${name}")]`))!.trim().split('[')[0];
    expect(tableId('Orders')).toMatch(/^d\d+$/);
    expect(lines).toContain(`  ${taskId('LoadOrders')} --> ${tableId('Orders')}`);
    expect(lines).toContain(`  ${tableId('Orders')} --> ${taskId('DailyRevenue')}`);
    expect(lines.some((l) => l.startsWith('  class ') && l.endsWith(' table'))).toBe(true);
  });

  it('draws table nodes and their edges in the SVG, laid out with the tasks', async () => {
    const without = (await runGraph(['--format', 'svg'])).stdout;
    expect(without).not.toContain('data-id="table:');
    const { stdout } = await runGraph(['--format', 'svg', '--tables']);
    for (const name of ['Customers', 'Orders', 'DailyRevenue']) expect(stdout).toContain(`class="node k-table t-task" data-id="table:${name}"`);
    expect(stdout).toContain(`class="edge writes" data-id="${id('LoadOrders')}-&gt;table:Orders"`);
    expect(stdout).toContain(`class="edge reads" data-id="table:Orders-&gt;${id('DailyRevenue')}"`);
    // Every table node was placed: a translate per node, none at NaN.
    expect(stdout).not.toContain('NaN');
  });

  it('resolves table names that are not literals and counts those it cannot (fixture lineage_names)', async () => {
    const fixtures = path.join(REPO, 'test', 'fixtures', 'graph');
    const { stdout, stderr } = await runGraph(['--format', 'json', '--tables'], [path.join(fixtures, 'lineage_names'), '--root', fixtures]);
    expect(stderr).toBe('');
    const graph = JSON.parse(stdout) as GraphJson;
    const names = (file: string) => `lineage_names.${file}`;
    expect(graph.tables!.map((t) => [t.name, t.writers, t.readers, t.migration?.file ?? null, t.fromDefault ?? false])).toEqual([
      ['contacts', [names('contacts.BatchInsertThenRead'), names('contacts.PartitionedDelete')], [names('contacts.BatchInsertThenRead'), names('contacts.PartitionedDelete')], 'lineage_names/migrations/0001_contacts.sql', false],
      ['DailyEvents', [names('rdbms.PrefixedTable')], [names('rdbms.PrefixedTable')], null, false],
      ['tableA', [names('rdbms.UpdateTableA')], [], null, false],
      ['tableB', [names('rdbms.UpdateTableB')], [], null, false],
      ['usertable', [names('contacts.YcsbLoad')], [], null, true],
    ]);
    expect(graph.unresolvedTables).toEqual({ writes: 2, reads: 1 });
    expect(graph.tasks.find((t) => t.name === 'YcsbUpdate')!.unresolvedTables).toEqual([
      { access: 'write', file: 'lineage_names/contacts.py', line: 74, expression: 'table' },
      { access: 'read', file: 'lineage_names/contacts.py', line: 78, expression: 'query' },
    ]);
  });

  describe('migrations outside a migrations/ folder', () => {
    let root: string;
    const target = () => [path.join(root, 'pipelines'), '--root', root];
    const migrationOf = async () => (JSON.parse((await runGraph(['--format', 'json'], target())).stdout) as GraphJson).tables!.map((t) => [t.name, t.migration?.file ?? null]);

    beforeAll(() => {
      root = mkdtempSync(path.join(os.tmpdir(), 'graph-tables-'));
      cpSync(path.join(SAMPLE, 'pipeline.py'), path.join(root, 'pipelines', 'pipeline.py'));
      cpSync(path.join(SAMPLE, 'migrations'), path.join(root, 'db'), { recursive: true });
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it('finds them through luigi-spanner.json migrationsDir, as the lint does', async () => {
      writeFileSync(path.join(root, 'luigi-spanner.json'), JSON.stringify({ migrationsDir: 'db' }));
      expect(await migrationOf()).toEqual([
        ['Customers', 'db/0001_customers_and_orders.sql'],
        ['DailyRevenue', 'db/0002_daily_revenue_and_markers.sql'],
        ['Orders', 'db/0001_customers_and_orders.sql'],
      ]);
    });

    it('still prints the graph when luigi-spanner.json is broken, saying why the tables lack their migration', async () => {
      writeFileSync(path.join(root, 'luigi-spanner.json'), '{ "migrationsDir": ');
      const { stdout, stderr } = await runGraph(['--format', 'json'], target());
      const graph = JSON.parse(stdout) as GraphJson;
      expect(graph.tasks).toHaveLength(6);
      expect(graph.tables!.map((t) => [t.name, t.migration])).toEqual([
        ['Customers', undefined],
        ['DailyRevenue', undefined],
        ['Orders', undefined],
      ]);
      expect(stderr).toMatch(/^warning: tables are matched to migrations\/ folders only: .*luigi-spanner\.json/m);
    });
  });
});
