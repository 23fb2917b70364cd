// The task CodeLenses (Run, Show graph above each task class) come from the language server through
// a provider of ours, not the one the LSP library registers once the server has answered initialize:
// the editor asks a new provider only after a debounce (at start-up 0.8-2 s after the registration,
// code-server bench), so the earlier the provider is registered, the earlier the first request.
// extension.ts registers it while dist/extension.js is evaluated, before the extension host has
// prepared activate()'s context (0.1-0.6 s at start-up, round trips to the window for the extension's
// storage) and before the server process exists; the request waits here for the server. The server
// leaves codeLensProvider out of its capabilities for this client (LspCodeLensInit): no second provider.
//
// The editor cancels a lens request whenever any extension registers a CodeLens provider (at start-up
// the built-in merge-conflict one does on onStartupFinished, typescript-language-features on its
// languages) and asks again after its debounce; lenses that reached the window before that stay drawn
// (the editor's lens cache). So the server's answer for a document version is kept, and a request
// already on its way is shared: the request asked again is answered at once, not after another round trip.
//
// The lenses of the files in view are asked for as soon as the server runs, before the editor asks
// (that debounce): its request then finds them in
// and is answered in the same task, like a provider that computes lenses on the host. An answer that
// waits for a round trip to the server is held back by whatever else the extension host runs at
// start-up (other extensions' activation: 0.2-0.3 s tasks), and the editor drops it when another
// extension registers a CodeLens provider meanwhile (code-server bench, startup trace).
import * as vscode from 'vscode';
import { CodeLensRefreshRequest, CodeLensRequest, type CodeLens as LspCodeLens, type FeatureState, type LanguageClient, type StaticFeature } from 'vscode-languageclient/node';
import { traceStartup } from '../shared/startupTrace';

/** The language server behind the provider, once activate() has created its client. */
export interface CodeLensServer {
  client: LanguageClient;
  /** Resolves once the client runs (initialize answered, open documents sent). */
  started: () => Promise<void>;
}

export interface EarlyCodeLenses extends vscode.Disposable {
  /** Hands the provider its server (activate()); `undefined`: there is none (no folder), requests answer nothing. */
  attach(server: CodeLensServer | undefined): void;
}

/** Registers the provider now; its requests wait until `attach` gives it the server. */
export function registerCodeLenses(selector: vscode.DocumentSelector): EarlyCodeLenses {
  let attach!: (server: CodeLensServer | undefined) => void;
  const attached = new Promise<CodeLensServer | undefined>((resolve) => (attach = resolve));
  let connection: vscode.Disposable | undefined;
  const provider = new LazyProvider(attached);
  const registration = vscode.languages.registerCodeLensProvider(selector, provider);
  traceStartup('host/codeLensRegistered');
  return {
    attach(server) {
      if (server && !connection) {
        connection = connect(server.client, server.started, provider, selector);
      }
      attach(server);
    },
    dispose() {
      registration.dispose();
      provider.dispose();
      connection?.dispose();
    },
  };
}

/** The registered provider: asks the connected server, once there is one. */
class LazyProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  /** Set by connect(). */
  answer?: (document: vscode.TextDocument, token: vscode.CancellationToken) => Promise<vscode.CodeLens[] | null | undefined>;
  /** Set by connect(): the lenses of this version of the document when the server's answer is in. */
  known?: (document: vscode.TextDocument) => vscode.CodeLens[] | undefined;

  constructor(private readonly attached: Promise<CodeLensServer | undefined>) {}

  provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): vscode.ProviderResult<vscode.CodeLens[]> {
    traceStartup('host/codeLensAsked', { file: document.uri.path });
    const known = this.known?.(document);
    if (known) {
      traceStartup('host/codeLensAnswered', { file: document.uri.path, lenses: known.length });
      return known;
    }
    return this.ask(document, token);
  }

  private async ask(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[] | null | undefined> {
    if (!(await this.attached) || !this.answer) return null;
    return this.answer(document, token);
  }

  fire(): void {
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** The server's lenses for one version of a document: the request, and its result once in. */
interface Answer {
  version: number;
  answer: Promise<LspCodeLens[] | null>;
  result?: LspCodeLens[] | null;
}

function connect(client: LanguageClient, started: () => Promise<void>, provider: LazyProvider, selector: vscode.DocumentSelector): vscode.Disposable {
  /** The server's answer (or the request on its way) per document, for one version of it; `result` once it is in. */
  const answers = new Map<string, Answer>();
  const ask = (document: vscode.TextDocument): Promise<LspCodeLens[] | null> => {
    const key = document.uri.toString();
    const known = answers.get(key);
    if (known && known.version === document.version) return known.answer;
    // Not cancelled with the editor's request: the editor's next request for this version takes it.
    traceStartup('host/codeLensSent', { file: document.uri.path });
    const answer = client.sendRequest(CodeLensRequest.type, client.code2ProtocolConverter.asCodeLensParams(document));
    const entry: Answer = { version: document.version, answer };
    answers.set(key, entry);
    answer.then(
      (result) => (entry.result = result),
      // A failed request is not kept: the next one asks again.
      () => answers.get(key) === entry && answers.delete(key),
    );
    return answer;
  };
  const toLenses = (result: LspCodeLens[] | null): vscode.CodeLens[] => {
    // Converted here in one go, not with the library's asCodeLenses: that one hands the rest of a
    // list to a later task (setImmediate) once a batch has taken 15 ms, a GC pause is enough, and
    // at start-up the extension host's next tasks (other extensions activating) held the answer
    // back 0.6 s (startup trace, code-server bench). A few dozen lenses take well under a millisecond.
    const { asRange, asCommand } = client.protocol2CodeConverter;
    return (result ?? []).map((item) => {
      const lens = new vscode.CodeLens(asRange(item.range));
      if (item.command) lens.command = asCommand(item.command);
      return lens;
    });
  };
  provider.known = (document) => {
    const known = answers.get(document.uri.toString());
    return known && known.version === document.version && known.result !== undefined ? toLenses(known.result) : undefined;
  };
  /** Asks for the lenses of the files in view once the server runs, ahead of the editor. */
  const prefetch = (editors: readonly vscode.TextEditor[]) => {
    // From a microtask: connect() runs inside activate(), before the caller's `started` can answer.
    Promise.resolve()
      .then(started)
      .then(
        () => {
          for (const { document } of editors) if (vscode.languages.match(selector, document) > 0) ask(document).catch(() => undefined);
        },
        () => undefined, // the server did not start: the client logged why
      );
  };
  prefetch(vscode.window.visibleTextEditors);
  provider.answer = async (document, token) => {
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
      lenses = toLenses(result);
    } catch (error) {
      return client.handleFailedRequest(CodeLensRequest.type, token, error, null);
    }
    traceStartup('host/codeLensAnswered', { file: document.uri.path, lenses: lenses?.length ?? 0 });
    return lenses;
  };
  // The server asks for fresh lenses when its index or a file changed. The library's own handler of
  // that request refreshes only its providers; a feature registered after the built-in ones sets this
  // handler after theirs, on every (re)start of the server.
  const refresh: StaticFeature = {
    fillClientCapabilities() {},
    initialize() {
      client.onRequest(CodeLensRefreshRequest.type, () => {
        answers.clear();
        provider.fire();
      });
    },
    getState: (): FeatureState => ({ kind: 'static' }),
    clear() {
      answers.clear();
    },
  };
  client.registerFeature(refresh);
  return vscode.Disposable.from(
    vscode.window.onDidChangeVisibleTextEditors(prefetch),
    vscode.workspace.onDidCloseTextDocument((document) => answers.delete(document.uri.toString())),
    { dispose: () => answers.clear() },
  );
}
