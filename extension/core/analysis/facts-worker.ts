// Reading and parsing in a worker thread: on a 2-core machine, parsing half of a large
// workspace off the main thread nearly halves a cold index. Any bundle that contains this
// module can serve as the worker script: started with `workerData: FACTS_WORKER_DATA`, it
// answers one request (files to read) with their facts, as plain cloneable data.
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { isolated } from './analysis-failure';
import { extractModuleFacts, type ModuleFacts } from './module-facts';
import { readPythonSource } from './source-files';

/** Pass as `workerData` to make a worker serve facts requests. */
export const FACTS_WORKER_DATA = { luigiSpannerFactsWorker: true } as const;

export interface FactsRequest {
  files: Array<{ key: string; absolute: string }>;
}

/** A file's facts, why it was not read (binary, too large, not UTF-8), or why its analysis failed. */
export type FileFacts = { key: string; facts: ModuleFacts } | { key: string; skipped: string } | { key: string; failed: string };

export interface FactsResponse {
  results: FileFacts[];
}

/** Reads and parses `files` (the work a worker does, also done on the main thread), each on its own. */
export function factsOfFiles(files: FactsRequest['files']): FileFacts[] {
  return files.map(({ key, absolute }): FileFacts => {
    const analysed = isolated(() => {
      const source = readPythonSource(absolute);
      return 'skipped' in source ? { key, skipped: source.skipped } : { key, facts: extractModuleFacts(source.text) };
    });
    return 'failed' in analysed ? { key, failed: analysed.failed } : analysed.value;
  });
}

type Port = Pick<MessagePort, 'on' | 'postMessage'>;

export function serveFactsRequests(port: Port): void {
  port.on('message', (request: FactsRequest) => {
    const response: FactsResponse = { results: factsOfFiles(request.files) };
    port.postMessage(response);
  });
}

if (!isMainThread && parentPort && (workerData as typeof FACTS_WORKER_DATA | undefined)?.luigiSpannerFactsWorker) {
  serveFactsRequests(parentPort);
}
