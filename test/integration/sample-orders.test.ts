// Walking skeleton end to end: the sample's migrations on the real emulator, the sample pipeline
// with real Luigi through the runner shim, the rows read back with @google-cloud/spanner.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Target } from '../../emulator/src';
import { startRun, type RunOutcome } from '../../extension/core/runs/runPipeline';
import { runEnv } from '../../extension/core/runs/runTarget';
import { freshDatabase, query } from '../support/emulator';
import { REPO_ROOT, testPython } from '../support/python';

const SAMPLE = path.join(REPO_ROOT, 'samples', 'orders');

function runAllReports(target: Target): Promise<RunOutcome> {
  return startRun({
    python: testPython(),
    file: path.join(SAMPLE, 'pipeline.py'),
    task: 'AllReports',
    env: runEnv(target),
  }).done;
}

const snapshot = async (target: Target) => ({
  customers: await query(target, 'SELECT CustomerId, Name, Email, Country, CAST(LoadedAt AS STRING) AS LoadedAt FROM Customers ORDER BY CustomerId'),
  orders: await query(target, 'SELECT OrderId, CustomerId, CAST(OrderDate AS STRING) AS OrderDate, CAST(Amount AS STRING) AS Amount, Status, Batch FROM Orders ORDER BY OrderId'),
  revenue: await query(target, 'SELECT CAST(OrderDate AS STRING) AS OrderDate, Batch, CAST(Revenue AS STRING) AS Revenue, OrderCount FROM DailyRevenue ORDER BY OrderDate, Batch'),
  markers: await query(target, 'SELECT TaskFamily, TargetTable, RowCount, CAST(CommittedAt AS STRING) AS CommittedAt FROM LuigiTaskMarkers ORDER BY TaskFamily, TargetTable, RowCount'),
});

describe('the orders sample on the real emulator', () => {
  it('loads exact rows once, and a second run changes nothing', async () => {
    const target = await freshDatabase(path.join(SAMPLE, 'migrations'), 'orders');

    const first = await runAllReports(target);
    expect(first.summary?.status).toBe('SUCCESS');
    expect(first.exitCode).toBe(0);
    const ran = first.events.filter((e) => e.type === 'succeeded').map((e) => (e as { family: string }).family).sort();
    expect(ran).toEqual(['AllReports', 'DailyRevenue', 'DailyRevenue', 'LoadCustomers', 'LoadOrders', 'LoadOrders']);

    const after = await snapshot(target);
    expect(after.customers.map(({ LoadedAt, ...rest }) => rest)).toEqual([
      { CustomerId: 101, Name: 'Ada Lovelace', Email: 'ada@example.com', Country: 'GB' },
      { CustomerId: 102, Name: 'Grace Hopper', Email: 'grace@example.com', Country: 'US' },
      { CustomerId: 103, Name: 'Katherine Johnson', Email: 'katherine@example.com', Country: 'US' },
      { CustomerId: 104, Name: 'Hedy Lamarr', Email: 'hedy@example.com', Country: 'AT' },
      { CustomerId: 105, Name: 'Margaret Hamilton', Email: 'margaret@example.com', Country: 'US' },
      { CustomerId: 106, Name: 'Radia Perlman', Email: 'radia@example.com', Country: 'US' },
    ]);
    expect(after.orders).toHaveLength(15);
    expect(after.orders[0]).toEqual({ OrderId: 5001, CustomerId: 101, OrderDate: '2024-02-29', Amount: '120.5', Status: 'completed', Batch: '2024-03-01' });
    expect(after.orders[14]).toEqual({ OrderId: 5015, CustomerId: 106, OrderDate: '2024-03-02', Amount: '150', Status: 'completed', Batch: '2024-03-02' });
    expect(after.orders.filter((o) => o.Batch === '2024-03-01')).toHaveLength(8);
    expect(after.revenue).toEqual([
      { OrderDate: '2024-02-29', Batch: '2024-03-01', Revenue: '120.5', OrderCount: 1 },
      { OrderDate: '2024-03-01', Batch: '2024-03-01', Revenue: '444.84', OrderCount: 5 },
      { OrderDate: '2024-03-01', Batch: '2024-03-02', Revenue: '42', OrderCount: 1 },
      { OrderDate: '2024-03-02', Batch: '2024-03-02', Revenue: '574.27', OrderCount: 5 },
    ]);
    // One marker per Spanner task, committed with its rows.
    expect(after.markers.map(({ CommittedAt, ...m }) => m)).toEqual([
      { TaskFamily: 'DailyRevenue', TargetTable: 'DailyRevenue', RowCount: 2 },
      { TaskFamily: 'DailyRevenue', TargetTable: 'DailyRevenue', RowCount: 2 },
      { TaskFamily: 'LoadCustomers', TargetTable: 'Customers', RowCount: 6 },
      { TaskFamily: 'LoadOrders', TargetTable: 'Orders', RowCount: 7 },
      { TaskFamily: 'LoadOrders', TargetTable: 'Orders', RowCount: 8 },
    ]);

    const second = await runAllReports(target);
    expect(second.summary?.status).toBe('SUCCESS');
    expect(second.events.filter((e) => e.type === 'started')).toEqual([]);
    expect(second.summary?.tasks.every((t) => t.status === 'complete')).toBe(true);
    // Same rows, same commit timestamps: nothing was written again.
    expect(await snapshot(target)).toEqual(after);
  });
});
