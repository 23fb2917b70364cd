// Entry of the server bundle (dist/server.js): the VS Code client starts it over Node IPC with
// the extension host's own Node; `luigi-spanner server --stdio` runs the same code from the CLI.
// The bundle doubles as the script of its analysis worker threads (facts-worker.ts serves them
// when loaded in a worker), so nothing here runs outside the main thread.
import { isMainThread } from 'node:worker_threads';
import { startupTraceOn, traceStartup } from '../shared/startupTrace';
import { SERVER_PROFILE_ENV, startCpuProfile } from '../shared/cpuProfile';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startLayoutWorkerFromThisBundle, startWorkerFromThisBundle } from './worker';
import { startServer } from './server';

if (isMainThread) {
  traceStartup('server/loaded');
  startCpuProfile(process.env[SERVER_PROFILE_ENV]);
  // The first lens request as it comes off the IPC channel, before the connection's queue: the
  // bench tells a server too busy to read it from one that read it and ran other messages first.
  if (startupTraceOn && process.send) {
    process.on('message', (message: { method?: unknown }) => {
      if (message?.method === 'textDocument/codeLens') traceStartup('server/codeLensReceived');
    });
  }
  // Transport from the arguments: --stdio, --node-ipc or --socket=<port> (vscode-languageserver reads
  // them; the VS Code client passes --node-ipc).
  const connection = createConnection(ProposedFeatures.all);
  startServer(connection, { startWorker: startWorkerFromThisBundle, startLayoutWorker: startLayoutWorkerFromThisBundle, belowNormalPriority: true });
}
