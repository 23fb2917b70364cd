// The layout worker (built to dist/webview/layout-worker.js): ELK plus our job logic, so the
// main thread posts only node sizes and edge ends, and gets back compact per-component
// layouts instead of ELK's whole annotated graph (which took ~100 ms to receive at 3,000 nodes).
import ELK from 'elkjs/lib/elk.bundled.js';
import { runLayoutJob } from '../../extension/core/graphLayout/elk';
import type { LayoutWorkerRequest, LayoutWorkerResponse } from './layoutWorkerProtocol';

const elk = new ELK({ algorithms: ['layered'] });
const scope = self as unknown as { onmessage: ((event: MessageEvent<LayoutWorkerRequest>) => void) | null; postMessage(message: LayoutWorkerResponse): void };

// Set after ELK's bundle loaded: in a worker it installs its own onmessage dispatcher.
scope.onmessage = (event) => {
  const { id, job } = event.data;
  runLayoutJob((graph) => elk.layout(graph), job).then(
    (layouts) => scope.postMessage({ id, layouts }),
    (error: unknown) => scope.postMessage({ id, error: error instanceof Error ? error.message : JSON.stringify(error) }),
  );
};
