// The layout worker's heap cap (server/layoutWorker.ts LAYOUT_WORKER_LIMITS): the graph that once
// needed 2.5 GB of ELK heap (bench/graph.mjs's shape, long edges over 1,001 layers) fits it, laid
// out in bands (core/graphLayout/bands.ts); a job that runs the
// real ELK worker out of its heap fails with LayoutMemoryError instead of growing the server, and
// the layout service (server/layoutService.ts) refuses that graph's components at once afterwards,
// without starting another worker, so the graph view lays them out itself. The worker here is the
// CLI bundle's own, as the server starts it, with a cap small enough for a generated graph to hit.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LayoutJobSpec } from '../../../extension/core/graphLayout/elk';
import { planBands } from '../../../extension/core/graphLayout/bands';
import { splitComponents } from '../../../extension/core/graphLayout/components';
import { layoutGraph } from '../../../extension/core/graphLayout/layout';
import { buildVisibleGraph, indexGraph } from '../../../extension/core/graphLayout/viewModel';
import { LayoutService } from '../../../extension/server/layoutService';
import { LAYOUT_WORKER_DATA, LAYOUT_WORKER_LIMITS, LayoutMemoryError, WorkerLayoutRunner } from '../../../extension/server/layoutWorker';
import { buildCli } from '../../support/cli';
import { moduleChainGraph } from '../../support/moduleChainGraph';

let work: string;
let bundle: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'layout-memory-'));
  await buildCli(path.join(work, 'dist'));
  bundle = path.join(work, 'dist', 'commands', 'server.js');
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** One component of `n` nodes, each with edges to a few earlier ones (a dense pipeline). */
function bigJob(n: number): LayoutJobSpec {
  const nodes = Array.from({ length: n }, (_, i) => ({ id: `n${i}`, width: 120, height: 30 }));
  const edges = nodes.slice(1).flatMap((node, i) => [1, 7, 31].filter((d) => i + 1 - d >= 0).map((d) => ({ id: `e${i}-${d}`, from: `n${i + 1 - d}`, to: node.id })));
  return { direction: 'RIGHT', components: [{ key: 'f'.repeat(28), nodes, edges }] };
}

describe('the layout worker heap cap', () => {
  test('the server caps its layout worker', () => {
    expect(LAYOUT_WORKER_LIMITS.maxOldGenerationSizeMb).toBeGreaterThan(0);
    expect(LAYOUT_WORKER_LIMITS.maxOldGenerationSizeMb).toBeLessThanOrEqual(512);
  });

  test('the 1,001-task bench pipeline (ELK: ~250,000 dummy nodes flat, 2.5 GB) is laid out within the cap, in bands', async () => {
    const runner = new WorkerLayoutRunner(() => new Worker(bundle, { workerData: LAYOUT_WORKER_DATA, resourceLimits: LAYOUT_WORKER_LIMITS }));
    const visible = buildVisibleGraph(indexGraph(moduleChainGraph(100)), { scope: { kind: 'workspace' } });
    expect(planBands(splitComponents(visible, 'RIGHT')[0]!)).toBeDefined();
    const { layout, stats } = await layoutGraph(visible, 'RIGHT', { runner });
    expect(stats.computedComponents).toBe(1);
    expect(layout.nodes.size).toBe(1001);
    expect(layout.edges.size).toBe(visible.edges.length);
    runner.dispose();
  }, 120_000);

  test('a job beyond the cap fails as LayoutMemoryError and is then refused without a new worker', async () => {
    let started = 0;
    const runner = new WorkerLayoutRunner(() => {
      started++;
      return new Worker(bundle, { workerData: LAYOUT_WORKER_DATA, resourceLimits: { maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 4 } });
    });
    const service = new LayoutService({ runner });
    const job = bigJob(3000);
    const first = await service.lookup([], [job]).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(first).toBeInstanceOf(LayoutMemoryError);
    expect(String((first as Error).message)).toMatch(/too large/);
    expect(started).toBe(1);

    const again = await service.lookup([], [job]).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(again).toBeInstanceOf(LayoutMemoryError);
    expect(started).toBe(1);
    runner.dispose();
    service.dispose();
  }, 120_000);
});
