// ELK in a worker thread of the language server, kept warm for the whole session: the graph
// view's layouts are computed here (layoutService.ts), so a new panel never waits for a cold
// ELK (loading it costs ~0.1 s and its first layouts run 2-3x slower than later ones). Like the
// analysis workers (worker.ts), the worker is the running bundle itself, started with
// LAYOUT_WORKER_DATA; ELK's code is only evaluated inside the worker, from its own file beside the
// bundle (dist/elk.bundled.js, copied by scripts/build.mjs): inlined, its 3.4 MB would be parsed by
// every process and thread that loads the server bundle.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { runLayoutJob, type LayoutJobSpec } from '../core/graphLayout/elk';
import type { LayoutRunner } from '../core/graphLayout/layout';
import type { ComponentLayout } from '../core/graphLayout/types';

/**
 * The worker's heap cap. Without one, V8 sized the worker's heap from the machine's memory and ELK
 * filled it: on the standard library plus the 1,000-task bench pipeline (bench/lsp.mjs
 * --graph-layouts) the server's RSS peaked at 2.9 GB and settled at 2.4 GB. The cause was ELK's
 * dummy nodes (one per layer an edge spans, ~13 KB each): that pipeline's 1,001 layers and edges
 * across half of them gave ~250,000. Such components are now laid out in bands, no ELK level over
 * ELK_ELEMENT_BUDGET (core/graphLayout/bands.ts), which this cap holds. The cap stays the safety
 * net: a job that still exceeds it fails here (LayoutMemoryError), is not tried again
 * (layoutService.ts), and the graph view lays it out itself.
 */
export const LAYOUT_WORKER_LIMITS = { maxOldGenerationSizeMb: 384, maxYoungGenerationSizeMb: 32 } as const;

/** A job ran the worker out of its heap cap (LAYOUT_WORKER_LIMITS); the worker ended with it. */
export class LayoutMemoryError extends Error {}

/** Pass as `workerData` to make a worker of this bundle serve layout jobs. */
export const LAYOUT_WORKER_DATA = { luigiSpannerLayoutWorker: true } as const;

interface Request {
  id: number;
  job: LayoutJobSpec;
}
type Response = { id: number; layouts: ComponentLayout[] } | { id: number; error: string };

/** A small pipeline-shaped job: ELK's first calls compile and optimise its code. */
function warmUpJob(): LayoutJobSpec {
  const nodes = Array.from({ length: 60 }, (_, i) => ({ id: `n${i}`, width: 90 + (i % 5) * 10, height: 30 }));
  const edges = nodes.slice(1).flatMap((node, i) => [{ id: `e${i}`, from: `n${Math.floor(i / 2)}`, to: node.id }, ...(i % 3 === 0 && i > 3 ? [{ id: `x${i}`, from: `n${i - 3}`, to: node.id }] : [])]);
  return { direction: 'RIGHT', components: [{ key: '0'.repeat(28), nodes, edges }] };
}

/**
 * One warm ELK worker; jobs run one after the other (the server shares the machine's cores).
 * ELK is memory-hungry: measured on a 1,000-task pipeline, the server's RSS went from 139 MB to
 * 245 MB with the warm worker and to ~390 MB while it laid the graph out. So the worker ends after
 * `idleMs` without work (its layouts stay cached) and starts again with the next job.
 */
export class WorkerLayoutRunner implements LayoutRunner {
  private worker: Worker | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (layouts: ComponentLayout[]) => void; reject: (error: Error) => void }>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly start: () => Worker,
    private readonly log: (message: string) => void = () => undefined,
    private readonly idleMs = 5 * 60_000,
  ) {}

  /** Starts the worker and runs a small layout so the first real one finds ELK optimised. */
  warmUp(): Promise<void> {
    const started = performance.now();
    return this.run([warmUpJob(), warmUpJob(), warmUpJob()]).then(
      () => this.log(`layout worker warm in ${(performance.now() - started).toFixed(0)} ms`),
      (error: unknown) => this.log(`layout worker did not start: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const worker = this.start();
    // The server exits when the client asks; a busy layout must not keep it alive.
    worker.unref();
    worker.on('message', (response: Response) => {
      const waiter = this.pending.get(response.id);
      this.pending.delete(response.id);
      if (!waiter) return;
      if ('error' in response) waiter.reject(new Error(`ELK failed: ${response.error}`));
      else waiter.resolve(response.layouts);
    });
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    };
    worker.on('error', (error: Error & { code?: string }) =>
      fail(
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new LayoutMemoryError(`the graph is too large to lay out within the layout worker's ${LAYOUT_WORKER_LIMITS.maxOldGenerationSizeMb} MB heap`)
          : new Error(`the layout worker crashed: ${error.message}`),
      ),
    );
    worker.on('exit', (code) => fail(new Error(`the layout worker exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private runOne(job: LayoutJobSpec): Promise<ComponentLayout[]> {
    const worker = this.ensure();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, job } satisfies Request);
    });
  }

  /** Jobs of concurrent callers are queued, not interleaved: the first caller's graph finishes first. */
  run(jobs: readonly LayoutJobSpec[]): Promise<ComponentLayout[][]> {
    clearTimeout(this.idleTimer);
    const result = this.queue.then(async () => {
      const out: ComponentLayout[][] = [];
      for (const job of jobs) out.push(await this.runOne(job));
      return out;
    });
    const done = result.catch(() => undefined);
    this.queue = done;
    void done.then(() => {
      if (this.queue !== done) return;
      clearTimeout(this.idleTimer);
      this.idleTimer = setTimeout(() => {
        if (this.queue !== done || !this.worker) return;
        this.log(`layout worker idle for ${Math.round(this.idleMs / 1000)} s: ended (its layouts stay cached)`);
        this.dispose();
      }, this.idleMs);
      this.idleTimer.unref?.();
    });
    return result;
  }

  dispose(): void {
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
  }
}

/** ELK's constructor: from beside the bundle (dist/ or dist/commands/), else from node_modules (development). */
function loadElk(): new () => { layout(graph: unknown): Promise<unknown> } {
  const load = createRequire(__filename);
  const beside = [path.join(__dirname, ELK_FILE), path.join(__dirname, '..', ELK_FILE)].find((file) => existsSync(file));
  return load(beside ?? 'elkjs/lib/elk.bundled.js') as new () => { layout(graph: unknown): Promise<unknown> };
}

/** The file scripts/build.mjs copies next to the bundles. */
export const ELK_FILE = 'elk.bundled.js';

/** Serves layout jobs when this bundle was started as a layout worker. */
function serve(): void {
  const elk = new (loadElk())();
  parentPort!.on('message', (request: Request) => {
    runLayoutJob((graph) => elk.layout(graph) as never, request.job).then(
      (layouts) => parentPort!.postMessage({ id: request.id, layouts } satisfies Response),
      (error: unknown) => parentPort!.postMessage({ id: request.id, error: error instanceof Error ? error.message : JSON.stringify(error) } satisfies Response),
    );
  });
}

if (!isMainThread && (workerData as typeof LAYOUT_WORKER_DATA | undefined)?.luigiSpannerLayoutWorker === true) serve();
