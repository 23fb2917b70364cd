// One reusable webview panel that shows query results and inspections as tables.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { isWebviewToHost, ResultsMessages, type HostToWebview, type ResultSection } from './protocol';
import { resultsHtml } from './resultsWebview';

export class ResultsPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private pending: HostToWebview | undefined;
  private readonly panelDisposables: vscode.Disposable[] = [];

  constructor(private readonly log: vscode.LogOutputChannel) {}

  show(heading: string, sections: ResultSection[]): void {
    const message: HostToWebview = { type: ResultsMessages.show, heading, sections };
    if (!this.panel) this.open();
    this.panel!.reveal(vscode.ViewColumn.Beside, true);
    this.pending = message;
    this.flush();
  }

  private open(): void {
    this.ready = false;
    // No local resources at all: the page is self-contained (styles and script inline with a nonce).
    const panel = vscode.window.createWebviewPanel('luigiSpanner.results', 'Spanner Results', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [],
      retainContextWhenHidden: false,
    });
    panel.webview.html = resultsHtml({ nonce: randomBytes(16).toString('base64'), cspSource: panel.webview.cspSource });
    this.panelDisposables.push(
      panel.webview.onDidReceiveMessage((message: unknown) => {
        if (!isWebviewToHost(message)) return this.log.warn(`Results view sent an unknown message: ${JSON.stringify(message)}`);
        this.ready = true;
        this.flush();
      }),
      // Hidden and shown again, the page reloads: wait for its handshake once more.
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false;
      }),
      panel.onDidDispose(() => {
        this.panel = undefined;
        this.ready = false;
        for (const d of this.panelDisposables.splice(0)) d.dispose();
      }),
    );
    this.panel = panel;
    setTimeout(() => {
      if (this.panel === panel && !this.ready) this.log.error('The results view did not report ready within 10 s; results are not shown.');
    }, 10_000);
  }

  private flush(): void {
    if (this.ready && this.pending && this.panel) {
      void this.panel.webview.postMessage(this.pending);
    }
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
