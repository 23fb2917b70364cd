// Starts the language server (extension/server, dist/server.js) for this window: one server for
// every workspace folder, forked over Node IPC with the Node that runs the extension host. The
// editor's diagnostics, quick fixes and CodeLenses come from it as plain LSP; the graph through
// the custom messages of extension/shared/protocol.ts (analysisService.ts).
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { ruleDocPath } from '../core/lint/docPath';
import type { LspGraphLayoutsInit } from '../shared/protocol';
import type { RuleCode } from '../core/lint/types';
import { startupTraceOn, traceStartup } from '../shared/startupTrace';

/** Filled in once the runtime findings' owner exists (extension.ts): it merges them into the server's diagnostics. */
export interface DiagnosticsHook {
  merge?: (uri: vscode.Uri, diagnostics: vscode.Diagnostic[]) => vscode.Diagnostic[];
}

export interface ClientEvents {
  /** The first CodeLens answer with lenses is on its way to the editor (extension.ts then loads the rest). */
  onFirstLenses?: () => void;
}

export function createLanguageClient(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, hook: DiagnosticsHook = {}, events: ClientEvents = {}): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  // Node 22 and later keep the server bundle's compiled code here between starts (older Nodes ignore
  // the variable): from the second window on, the server skips compiling its 1 MB before initialize.
  const env = { NODE_COMPILE_CACHE: vscode.Uri.joinPath(context.globalStorageUri, 'compile-cache').fsPath };
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { env } },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
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
    documentSelector: [
      { scheme: 'file', language: 'python' },
      { scheme: 'file', language: 'sql' },
    ],
    synchronize: { configurationSection: 'luigiSpanner' },
    diagnosticCollectionName: 'luigi-spanner',
    // The server lays out the graph view's graphs ahead of time, into the cache the panel reads too.
    initializationOptions: { graphLayouts: { cacheDirectory: vscode.Uri.joinPath(context.globalStorageUri, 'graph-layouts').fsPath } satisfies LspGraphLayoutsInit },
    outputChannel: log,
    middleware: {
      async provideCodeLenses(document, token, next) {
        if (!startupTraceOn && !events.onFirstLenses) return next(document, token);
        traceStartup('host/codeLensAsked', { file: document.uri.path });
        const lenses = await next(document, token);
        traceStartup('host/codeLensAnswered', { file: document.uri.path, lenses: lenses?.length ?? 0 });
        if (lenses?.length && events.onFirstLenses) {
          const first = events.onFirstLenses;
          events.onFirstLenses = undefined;
          first();
        }
        return lenses;
      },
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
