// Runs through the runner shim against the real emulator: failures located in user code,
// cancellation leaves no process, several workers survive the emulator's aborts, and a run
// killed half-way then rerun leaves exactly the rows of a clean run.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { processGroupAlive } from '../../extension/core/processGroup';
import type { Target } from '../../emulator/src';
import { startRun, type RunRequest } from '../../extension/core/runs/runPipeline';
import { runEnv } from '../../extension/core/runs/runTarget';
import { freshDatabase, query } from '../support/emulator';
import { REPO_ROOT, testPython } from '../support/python';

const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'runs');
const SAMPLE = path.join(REPO_ROOT, 'samples', 'orders');

const run = (t: Target, request: Omit<RunRequest, 'python' | 'env'>) => startRun({ python: testPython(), env: runEnv(t), ...request });


const sampleRows = async (t: Target) => ({
  orders: await query(t, 'SELECT OrderId, Batch, CAST(Amount AS STRING) AS Amount FROM Orders ORDER BY OrderId'),
  revenue: await query(t, 'SELECT CAST(OrderDate AS STRING) AS OrderDate, Batch, CAST(Revenue AS STRING) AS Revenue, OrderCount FROM DailyRevenue ORDER BY OrderDate, Batch'),
  markers: await query(t, 'SELECT UpdateId, RowCount FROM LuigiTaskMarkers ORDER BY UpdateId'),
});

describe('runs against the real emulator', () => {
  it('reports a failing task with its exception and the user-code file and line', async () => {
    const t = await freshDatabase(path.join(FIXTURE, 'migrations'), 'boom');
    const outcome = await run(t, { file: path.join(FIXTURE, 'pipelines.py'), task: 'Boom' }).done;
    expect(outcome.exitCode).toBe(1);
    expect(outcome.summary?.success).toBe(false);
    const failed = outcome.events.find((e) => e.type === 'failed');
    const boomLine = readFileSync(path.join(FIXTURE, 'pipelines.py'), 'utf8').split('\n').findIndex((l) => l.includes('# BOOM_LINE')) + 1;
    expect(failed).toMatchObject({ family: 'Boom', exception: 'ValueError', message: 'boom: on purpose', line: boomLine });
    expect(path.resolve(String(failed?.file))).toBe(path.join(FIXTURE, 'pipelines.py'));
    // The upstream task committed its row and marker before Boom failed.
    expect(await query(t, 'SELECT NoteId, Text FROM Notes')).toEqual([{ NoteId: 1, Text: 'note 1' }]);
  });

  it('cancel kills the whole process tree', async () => {
    const t = await freshDatabase(path.join(FIXTURE, 'migrations'), 'cancel');
    const handle = run(t, { file: path.join(FIXTURE, 'pipelines.py'), task: 'Sleepy', workers: 2 });
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        // Cancel once the task runs (in a forked worker process with workers > 1).
        if (handle.pid && processGroupAlive(handle.pid)) {
          clearInterval(check);
          resolve();
        }
      }, 50);
    });
    await new Promise((r) => setTimeout(r, 1_500));
    handle.cancel();
    const outcome = await handle.done;
    expect(outcome.cancelled).toBe(true);
    expect(processGroupAlive(handle.pid!)).toBe(false);
  });

  it('completes with 4 workers despite the emulator aborting concurrent transactions, with exact rows', async () => {
    const clean = await freshDatabase(path.join(SAMPLE, 'migrations'), 'w1');
    expect((await run(clean, { file: path.join(SAMPLE, 'pipeline.py'), task: 'AllReports' }).done).summary?.status).toBe('SUCCESS');
    const t = await freshDatabase(path.join(SAMPLE, 'migrations'), 'w4');
    const outcome = await run(t, { file: path.join(SAMPLE, 'pipeline.py'), task: 'AllReports', workers: 4 }).done;
    expect(outcome.summary?.success).toBe(true);
    expect(await sampleRows(t)).toEqual(await sampleRows(clean));
  });

  it('a run killed after its first commit, then rerun, leaves no duplicate and no partial rows', async () => {
    const clean = await freshDatabase(path.join(SAMPLE, 'migrations'), 'k1');
    await run(clean, { file: path.join(SAMPLE, 'pipeline.py'), task: 'AllReports' }).done;

    const t = await freshDatabase(path.join(SAMPLE, 'migrations'), 'k2');
    let handle: ReturnType<typeof run> | undefined;
    handle = run(t, {
      file: path.join(SAMPLE, 'pipeline.py'),
      task: 'AllReports',
      onEvent: (event) => {
        // Kill as soon as the first Spanner task committed: later tasks never get their turn.
        if (event.type === 'succeeded' && event.family === 'LoadOrders') handle?.cancel();
      },
    });
    const killed = await handle.done;
    expect(killed.cancelled).toBe(true);
    const partial = await sampleRows(t);
    expect(partial.markers.length).toBeGreaterThan(0);
    expect(partial.markers.length).toBeLessThan(5);

    const rerun = await run(t, { file: path.join(SAMPLE, 'pipeline.py'), task: 'AllReports' }).done;
    expect(rerun.summary?.success).toBe(true);
    const rows = await sampleRows(t);
    const cleanRows = await sampleRows(clean);
    expect(rows.orders).toEqual(cleanRows.orders);
    expect(rows.revenue).toEqual(cleanRows.revenue);
    expect(rows.markers).toEqual(cleanRows.markers);
  });
});
