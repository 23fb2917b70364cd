// ELK in Web Workers, so layout never blocks pan, zoom or typing in the webview.
// VS Code serves webview resources from another origin than the webview document, and a
// Worker must be same-origin: so the script is fetched (CSP connect-src) and started from a
// blob: URL (CSP worker-src blob:). A blob worker runs under the page's CSP; the worker
// bundle uses neither eval nor importScripts, so script-src stays nonce-only.
import type { LayoutJobSpec } from '../../extension/core/graphLayout/elk';
import type { LayoutRunner } from '../../extension/core/graphLayout/layout';
import type { ComponentLayout } from '../../extension/core/graphLayout/types';
import type { LayoutWorkerRequest, LayoutWorkerResponse } from './layoutWorkerProtocol';

class LayoutWorker {
  private readonly pending = new Map<number, { resolve: (layouts: ComponentLayout[]) => void; reject: (error: Error) => void }>();
  private nextId = 0;

  constructor(private readonly worker: Worker) {
    worker.onmessage = (event: MessageEvent<LayoutWorkerResponse>) => {
      const response = event.data;
      const waiter = this.pending.get(response.id);
      this.pending.delete(response.id);
      if (!waiter) return;
      if ('error' in response) waiter.reject(new Error(`Layout failed: ${response.error}`));
      else waiter.resolve(response.layouts);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      for (const waiter of this.pending.values()) waiter.reject(new Error(`The layout worker crashed: ${event.message}`));
      this.pending.clear();
    };
  }

  /** Resolves once the worker has loaded its script and answers. */
  ping(): Promise<ComponentLayout[]> {
    return this.run({ direction: 'RIGHT', components: [] });
  }

  run(job: LayoutJobSpec): Promise<ComponentLayout[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, job } satisfies LayoutWorkerRequest);
    });
  }
}

export class LayoutWorkerPool implements LayoutRunner {
  private blobUrl: Promise<string> | undefined;
  private readonly workers = new Map<number, Promise<LayoutWorker>>();

  constructor(
    private readonly scriptUrl: string,
    private readonly size: number,
  ) {}

  /**
   * Boots the workers before the first graph arrives, one after the other: compiling the ELK
   * bundle takes a core for a moment, and the first worker should get it alone.
   */
  warmUp(): void {
    let booted: Promise<unknown> = Promise.resolve();
    for (let i = 0; i < this.size; i++) booted = booted.then(() => this.worker(i).then((w) => w.ping())).catch(() => undefined);
  }

  private source(): Promise<string> {
    this.blobUrl ??= fetch(this.scriptUrl).then(async (response) => {
      if (!response.ok) throw new Error(`Could not load the layout worker (${response.status} ${response.statusText}) from ${this.scriptUrl}`);
      // Bytes, not text: decoding and re-encoding the 2-3 MB script would cost the UI thread.
      const blob = new Blob([await response.arrayBuffer()], { type: 'text/javascript' });
      return URL.createObjectURL(blob);
    });
    const pending = this.blobUrl;
    pending.catch(() => this.blobUrl === pending && (this.blobUrl = undefined));
    return pending;
  }

  private worker(index: number): Promise<LayoutWorker> {
    let worker = this.workers.get(index);
    if (!worker) {
      const created = this.source().then((url) => new LayoutWorker(new Worker(url, { name: `graph-layout-${index}` })));
      this.workers.set(index, created);
      // Let a later call retry (e.g. after a transient fetch failure).
      created.catch(() => this.workers.get(index) === created && this.workers.delete(index));
      worker = created;
    }
    return worker;
  }

  /** Jobs arrive most expensive first; each worker takes the next one when it is free. */
  async run(jobs: readonly LayoutJobSpec[]): Promise<ComponentLayout[][]> {
    const results: ComponentLayout[][] = new Array(jobs.length);
    let next = 0;
    const lanes = Math.max(1, Math.min(this.size, jobs.length));
    await Promise.all(
      Array.from({ length: lanes }, async (_, lane) => {
        const worker = await this.worker(lane);
        while (next < jobs.length) {
          const index = next++;
          results[index] = await worker.run(jobs[index]!);
        }
      }),
    );
    return results;
  }
}
