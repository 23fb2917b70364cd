// Starts the language server (extension/server, dist/server.js) for this window: one server for
// every workspace folder, forked over Node IPC with the Node that runs the extension host. The
// editor's diagnostics, quick fixes and CodeLenses come from it as plain LSP (the lenses through a
// provider of ours, codeLenses.ts); the graph through
// the custom messages of extension/shared/protocol.ts (analysisService.ts).
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { ruleDocPath } from '../core/lint/docPath';
import type { LspCodeLensInit, LspGraphLayoutsInit } from '../shared/protocol';
import type { RuleCode } from '../core/lint/types';

/** Filled in once the runtime findings' owner exists (extension.ts): it merges them into the server's diagnostics. */
export interface DiagnosticsHook {
  merge?: (uri: vscode.Uri, diagnostics: vscode.Diagnostic[]) => vscode.Diagnostic[];
}

/** The documents the server serves (CodeLenses included: codeLenses.ts). */
export const DOCUMENT_SELECTOR = [
  { scheme: 'file', language: 'python' },
  { scheme: 'file', language: 'sql' },
];

export function createLanguageClient(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, hook: DiagnosticsHook = {}): LanguageClient {
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
