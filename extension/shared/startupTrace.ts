// A measuring aid for bench/code-server-scenario.mjs, off unless LUIGI_SPANNER_STARTUP_TRACE names a
// file: the milestones from the extension host loading dist/extension.js to the first CodeLens answer,
// one JSON line each ({ at: epoch ms, process, event }), written by the extension host and by the
// language server (which inherits the variable), so the bench can split the first lens's wait.
// Node only, no `vscode`: both processes use it.
import { appendFileSync } from 'node:fs';

export const STARTUP_TRACE_ENV = 'LUIGI_SPANNER_STARTUP_TRACE';

/** Milestones of the first CodeLens, in the order they happen. */
export type StartupEvent =
  | 'host/bundleLoading'
  | 'host/codeLensRegistered'
  | 'host/bundleEvaluated'
  | 'host/bundleLoaded'
  | 'host/activated'
  | 'host/serverStarting'
  | 'server/loaded'
  | 'server/initialize'
  | 'server/didOpen'
  | 'host/serverReady'
  | 'host/codeLensAsked'
  | 'host/codeLensSent'
  | 'server/codeLensReceived'
  | 'server/codeLensAsked'
  | 'server/codeLensAnswered'
  | 'host/codeLensReceived'
  | 'host/codeLensAnswered'
  | 'server/indexed'
  | 'server/codeLensRefresh'
  | 'host/featuresLoaded';

const file = process.env[STARTUP_TRACE_ENV];
const counts = new Map<string, number>();

/** Records an event: once per process, or with `detail` (e.g. how many lenses) up to 20 times. */
export function traceStartup(event: StartupEvent, detail?: Record<string, number | string>): void {
  if (!file) return;
  const seen = counts.get(event) ?? 0;
  if (seen >= (detail ? 20 : 1)) return;
  counts.set(event, seen + 1);
  try {
    appendFileSync(file, `${JSON.stringify({ at: Date.now(), process: event.slice(0, event.indexOf('/')), event, ...detail })}\n`);
  } catch {
    // A measuring aid: a file that cannot be written stops nothing.
  }
}

/** Whether tracing is on (callers skip building what only the trace needs). */
export const startupTraceOn = Boolean(file);
