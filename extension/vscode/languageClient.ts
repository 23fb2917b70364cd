// Starts the language server (extension/server, dist/server.js) for this window: one server for
// every workspace folder, forked over Node IPC with the Node that runs the extension host. The
// editor's diagnostics, quick fixes and CodeLenses come from it as plain LSP (the lenses through a
// provider of ours, codeLenses.ts); the graph through
// the custom messages of extension/shared/protocol.ts (analysisService.ts).
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { IPCMessageReader, IPCMessageWriter, LanguageClient, TransportKind, type LanguageClientOptions, type MessageTransports, type ServerOptions } from 'vscode-languageclient/node';
import { ruleDocPath } from '../core/lint/docPath';
import type { LspCodeLensInit, LspGraphLayoutsInit } from '../shared/protocol';
import type { RuleCode } from '../core/lint/types';
import { defaultCacheFolder } from '../shared/cacheFolder';

/** Filled in once the runtime findings' owner exists (extension.ts): it merges them into the server's diagnostics. */
export interface DiagnosticsHook {
  merge?: (uri: vscode.Uri, diagnostics: vscode.Diagnostic[]) => vscode.Diagnostic[];
}

/** The documents the server serves (CodeLenses included: codeLenses.ts). */
export const DOCUMENT_SELECTOR = [
  { scheme: 'file', language: 'python' },
  { scheme: 'file', language: 'sql' },
];

/** The server bundle, beside this one (dist/extension.js). */
const serverModule = path.join(__dirname, 'server.js');
// Node 22 and later keep the server bundle's compiled code here between starts (older Nodes ignore
// the variable): from the second window on, the server skips compiling its 1 MB before initialize.
// In the user's cache folder, not the shared temporary one (compiled code read back must be the
// user's own), and not the extension's storage: the server may start before its folders are known
// (forkServerEarly). Entries are keyed by the source's hash.
const serverEnv = { NODE_COMPILE_CACHE: path.join(defaultCacheFolder(), 'node-compile-cache') };

/** The extension host runs under a debugger (as the LSP library tells it): the server gets one too, and is not forked early. */
export const hostDebugged = process.execArgv.some((arg) => /^--(inspect|debug)(-brk)?(=|$)/.test(arg));

let earlyServer: ChildProcess | undefined;

/** Forks the server as the LSP library does for TransportKind.ipc. */
function forkServer(cwd: string): ChildProcess {
  return fork(serverModule, ['--node-ipc', `--clientProcessId=${process.pid}`], {
    cwd,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', ELECTRON_NO_ASAR: '1', ...serverEnv },
    execArgv: [],
    silent: true,
  });
}

/**
 * Forks the language server while dist/extension.js is evaluated (extension.ts), so that its process
 * starts and compiles while the extension host prepares activate()'s context (0.1-0.6 s at start-up);
 * the client's first start takes it. The server exits on the client's exit notification, or when the
 * extension host's process is gone (--clientProcessId).
 */
export function forkServerEarly(cwd: string): void {
  if (!hostDebugged && !earlyServer) earlyServer = forkServer(cwd);
}

export function createLanguageClient(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, hook: DiagnosticsHook = {}): LanguageClient {
  const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
  // The first start takes the server forked early, a restart (after a crash) forks one the same way;
  // under a debugger the library forks it with an inspector port.
  const serverOptions: ServerOptions = hostDebugged
    ? {
        run: { module: serverModule, transport: TransportKind.ipc, options: { env: serverEnv } },
        debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
      }
    : async (): Promise<MessageTransports> => {
        const early = earlyServer;
        earlyServer = undefined;
        const server = early && early.exitCode === null && early.signalCode === null ? early : forkServer(cwd);
        // Its output goes to the log, as the library's own fork's does.
        server.stderr?.on('data', (data: Buffer) => log.append(data.toString()));
        server.stdout?.on('data', (data: Buffer) => log.append(data.toString()));
        return { reader: new IPCMessageReader(server), writer: new IPCMessageWriter(server) };
      };
  // The rule pages ship with the extension (docs/rules in the vsix): open the local copy, else the web
  // one. Looked up once per code: the first index publishes diagnostics for thousands of files.
  const localDocs = new Map<string, vscode.Uri | undefined>();
  const localDoc = (code: string) => {
    if (!localDocs.has(code)) {
      const local = vscode.Uri.joinPath(context.extensionUri, ruleDocPath(code as RuleCode));
      localDocs.set(code, existsSync(local.fsPath) ? local : undefined);
    }
    return localDocs.get(code);
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    synchronize: { configurationSection: 'luigiSpanner' },
    diagnosticCollectionName: 'luigi-spanner',
    initializationOptions: {
      // The server lays out the graph view's graphs ahead of time, into the cache the panel reads too.
      graphLayouts: { cacheDirectory: vscode.Uri.joinPath(context.globalStorageUri, 'graph-layouts').fsPath } satisfies LspGraphLayoutsInit,
      // CodeLenses go through the provider extension.ts registers at activation (codeLenses.ts).
      codeLensByClient: true,
    } satisfies { graphLayouts: LspGraphLayoutsInit } & LspCodeLensInit,
    outputChannel: log,
    middleware: {
      handleDiagnostics(uri, diagnostics, next) {
        for (const d of diagnostics) {
          if (typeof d.code === 'object' && d.code.target) {
            const local = localDoc(String(d.code.value));
            if (local) d.code = { value: d.code.value, target: local };
          }
        }
        // One diagnostic per bug: runtime findings on these lines become their evidence (debugger/merged.ts).
        next(uri, hook.merge ? hook.merge(uri, diagnostics) : diagnostics);
      },
    },
  };
  return new LanguageClient('luigiSpanner', 'Luigi Spanner', serverOptions, clientOptions);
}

