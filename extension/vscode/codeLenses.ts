// The task CodeLenses (Run, Show graph above each task class) come from the language server through
// a provider registered at activation, not the one the LSP library registers once the server has
// answered initialize: the editor asks a new provider only after a debounce, so with the library's
// provider the first request came up to a second after the server was up; this one is asked while the
// server process is still starting, and the request waits here for it. The server leaves
// codeLensProvider out of its capabilities for this client (LspCodeLensInit): no second provider.
import * as vscode from 'vscode';
import { CodeLensRefreshRequest, CodeLensRequest, type FeatureState, type LanguageClient, type StaticFeature } from 'vscode-languageclient/node';
import { traceStartup } from '../shared/startupTrace';

export function registerCodeLenses(
  client: LanguageClient,
  /** Resolves once the client runs (initialize answered, open documents sent). */
  started: () => Promise<void>,
  selector: vscode.DocumentSelector,
): vscode.Disposable {
  const changed = new vscode.EventEmitter<void>();
  const provider: vscode.CodeLensProvider = {
    onDidChangeCodeLenses: changed.event,
    async provideCodeLenses(document, token) {
      traceStartup('host/codeLensAsked', { file: document.uri.path });
      try {
        await started();
      } catch {
        return null; // the server did not start: the client logged why
      }
      if (token.isCancellationRequested) return null;
      let lenses: vscode.CodeLens[] | undefined;
      try {
        const result = await client.sendRequest(CodeLensRequest.type, client.code2ProtocolConverter.asCodeLensParams(document), token);
        if (token.isCancellationRequested) return null;
        lenses = await client.protocol2CodeConverter.asCodeLenses(result, token);
      } catch (error) {
        return client.handleFailedRequest(CodeLensRequest.type, token, error, null);
      }
      traceStartup('host/codeLensAnswered', { file: document.uri.path, lenses: lenses?.length ?? 0 });
      return lenses;
    },
  };
  // The server asks for fresh lenses when its index or a file changed. The library's own handler of
  // that request refreshes only its providers; a feature registered after the built-in ones sets this
  // handler after theirs, on every (re)start of the server.
  const refresh: StaticFeature = {
    fillClientCapabilities() {},
    initialize() {
      client.onRequest(CodeLensRefreshRequest.type, () => changed.fire());
    },
    getState: (): FeatureState => ({ kind: 'static' }),
    clear() {},
  };
  client.registerFeature(refresh);
  return vscode.Disposable.from(changed, vscode.languages.registerCodeLensProvider(selector, provider));
}
