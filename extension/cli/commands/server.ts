import type { Command } from 'commander';
import { isMainThread } from 'node:worker_threads';
import { UserFacingError } from '../../core/errors';

export function registerServerCommand(program: Command): void {
  program
    .command('server')
    .description('run the language server (LSP): diagnostics, quick fixes, CodeLenses, hover and the task graph for any editor (docs/editors.md)')
    .option('--stdio', 'talk LSP over stdin and stdout (what editors start)')
    .option('--node-ipc', 'talk LSP over a Node IPC channel (a Node parent process that forked this one)')
    .option('--debounce <ms>', 'quiet time after a keystroke before a document is re-analysed', '150')
    .option('--workers <n>', 'worker threads for the first index of a large folder (default 0: least memory; more can be faster on idle cores)', '0')
    .action(async (options: { stdio?: boolean; nodeIpc?: boolean; debounce: string; workers: string }) => {
      if (!options.stdio && !options.nodeIpc) {
        throw new UserFacingError('luigi-spanner server needs a transport.', 'Start it as `luigi-spanner server --stdio` from your editor (docs/editors.md).');
      }
      const debounceMs = Number(options.debounce);
      if (!Number.isFinite(debounceMs) || debounceMs < 0) throw new UserFacingError(`--debounce ${options.debounce} is not a number of milliseconds.`, 'Example: --debounce 150.');
      const workers = Number(options.workers);
      if (!Number.isInteger(workers) || workers < 0) throw new UserFacingError(`--workers ${options.workers} is not a whole number.`, 'Example: --workers 0.');
      // Loaded only when the command runs: the other commands stay light.
      const { createConnection, IPCMessageReader, IPCMessageWriter, ProposedFeatures } = await import('vscode-languageserver/node');
      const { startServer } = await import('../../server/server');
      const { startLayoutWorkerFromThisBundle, startWorkerFromThisBundle } = await import('../../server/worker');
      const connection = options.stdio
        ? createConnection(ProposedFeatures.all, process.stdin, process.stdout)
        : createConnection(ProposedFeatures.all, new IPCMessageReader(process), new IPCMessageWriter(process));
      startServer(connection, { startWorker: startWorkerFromThisBundle, startLayoutWorker: startLayoutWorkerFromThisBundle, workers, debounceMs, belowNormalPriority: true });
      // The connection ends the process on `exit`; until then the CLI must not exit on its own.
      await new Promise<never>(() => undefined);
    });
}

// Loaded in a worker thread, this bundle only serves facts requests (facts-worker.ts) or layout jobs (layoutWorker.ts).
if (!isMainThread) {
  void import('../../core/analysis/facts-worker');
  void import('../../server/layoutWorker');
}
