// Analysis worker threads started from the running bundle itself: every bundle that contains
// the server also contains core/analysis/facts-worker.ts, which serves facts requests when its
// bundle is loaded in a worker with FACTS_WORKER_DATA.
import { Worker } from 'node:worker_threads';
import { FACTS_WORKER_DATA } from '../core/analysis/facts-worker';
import { LAYOUT_WORKER_DATA, LAYOUT_WORKER_LIMITS } from './layoutWorker';

export function startWorkerFromThisBundle(): Worker {
  return new Worker(__filename, { workerData: FACTS_WORKER_DATA });
}

/** The warm ELK worker of the layout service (layoutWorker.ts), from the same bundle. */
export function startLayoutWorkerFromThisBundle(): Worker {
  return new Worker(__filename, { workerData: LAYOUT_WORKER_DATA, resourceLimits: LAYOUT_WORKER_LIMITS });
}
