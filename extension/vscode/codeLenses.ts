// The task CodeLenses (Run, Show graph above each task class) come from the language server through
// a provider registered at activation, not the one the LSP library registers once the server has
// answered initialize: the editor asks a new provider only after a debounce, so with the library's
// provider the first request came up to a second after the server was up; this one is asked while the
// server process is still starting, and the request waits here for it. The server leaves
// codeLensProvider out of its capabilities for this client (LspCodeLensInit): no second provider.
//
// The editor cancels a lens request whenever any extension registers a CodeLens provider (at start-up
// the built-in merge-conflict one does, seconds into the window) and asks again after its debounce.
// So the server's answer for a document version is kept, and a request already on its way is shared:
// the request asked again is answered at once, not after another round trip behind the first index.
import * as vscode from 'vscode';
import { CodeLensRefreshRequest, CodeLensRequest, type CodeLens as LspCodeLens, type FeatureState, type LanguageClient, type StaticFeature } from 'vscode-languageclient/node';
import { traceStartup } from '../shared/startupTrace';

export function registerCodeLenses(
  client: LanguageClient,
  /** Resolves once the client runs (initialize answered, open documents sent). */
  started: () => Promise<void>,
  selector: vscode.DocumentSelector,
): vscode.Disposable {
  const changed = new vscode.EventEmitter<void>();
  /** The server's answer (or the request on its way) per document, for one version of it. */
  const answers = new Map<string, { version: number; answer: Promise<LspCodeLens[] | null> }>();
  const ask = (document: vscode.TextDocument): Promise<LspCodeLens[] | null> => {
    const key = document.uri.toString();
    const known = answers.get(key);
    if (known && known.version === document.version) return known.answer;
    // Not cancelled with the editor's request: the editor's next request for this version takes it.
    const answer = client.sendRequest(CodeLensRequest.type, client.code2ProtocolConverter.asCodeLensParams(document));
    const entry = { version: document.version, answer };
    answers.set(key, entry);
    // A failed request is not kept: the next one asks again.
    answer.catch(() => answers.get(key) === entry && answers.delete(key));
    return answer;
  };
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
        const result = await ask(document);
        traceStartup('host/codeLensReceived', { file: document.uri.path, lenses: result?.length ?? 0 });
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
      client.onRequest(CodeLensRefreshRequest.type, () => {
        answers.clear();
        changed.fire();
      });
    },
    getState: (): FeatureState => ({ kind: 'static' }),
    clear() {
      answers.clear();
    },
  };
  client.registerFeature(refresh);
  return vscode.Disposable.from(
    changed,
    vscode.languages.registerCodeLensProvider(selector, provider),
    vscode.workspace.onDidCloseTextDocument((document) => answers.delete(document.uri.toString())),
    { dispose: () => answers.clear() },
  );
}
