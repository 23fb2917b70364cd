// ELK in Web Workers, so layout never blocks pan, zoom or typing in the webview.
// VS Code serves webview resources from another origin than the webview document, and a
// Worker must be same-origin: so the script is fetched (CSP connect-src) and started from a
// blob: URL (CSP worker-src blob:). A blob worker runs under the page's CSP; elk-worker uses
// neither eval nor importScripts, so script-src stays nonce-only.
import ELK from 'elkjs/lib/elk-api.js';
import type { ElkNode } from 'elkjs/lib/elk-api';
import type { ElkRunner } from '../../extension/core/graphLayout/layout';

export class ElkWorkerPool implements ElkRunner {
  private blobUrl: Promise<string> | undefined;
  private readonly workers = new Map<number, Promise<InstanceType<typeof ELK>>>();

  constructor(
    private readonly scriptUrl: string,
    private readonly size: number,
  ) {}

  /** Starts fetching and booting the workers before the first graph arrives. */
  warmUp(): void {
    for (let i = 0; i < this.size; i++) void this.worker(i).catch(() => undefined);
  }

  private source(): Promise<string> {
    this.blobUrl ??= fetch(this.scriptUrl).then(async (response) => {
      if (!response.ok) throw new Error(`Could not load the layout worker (${response.status} ${response.statusText}) from ${this.scriptUrl}`);
      const blob = new Blob([await response.text()], { type: 'text/javascript' });
      return URL.createObjectURL(blob);
    });
    const pending = this.blobUrl;
    pending.catch(() => this.blobUrl === pending && (this.blobUrl = undefined));
    return pending;
  }

  private worker(index: number): Promise<InstanceType<typeof ELK>> {
    let worker = this.workers.get(index);
    if (!worker) {
      const created = this.source().then((url) => new ELK({ workerFactory: () => new Worker(url, { name: `elk-layout-${index}` }), algorithms: ['layered'] }));
      this.workers.set(index, created);
      // Let a later call retry (e.g. after a transient fetch failure).
      created.catch(() => this.workers.get(index) === created && this.workers.delete(index));
      worker = created;
    }
    return worker;
  }

  /** Graphs arrive most expensive first; each worker takes the next one when it is free. */
  async layout(graphs: readonly ElkNode[]): Promise<ElkNode[]> {
    const results: ElkNode[] = new Array(graphs.length);
    let next = 0;
    const lanes = Math.max(1, Math.min(this.size, graphs.length));
    await Promise.all(
      Array.from({ length: lanes }, async (_, lane) => {
        const elk = await this.worker(lane);
        while (next < graphs.length) {
          const index = next++;
          results[index] = await elk.layout(graphs[index]!);
        }
      }),
    );
    return results;
  }
}
