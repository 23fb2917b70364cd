// The results webview's page. Its script is this file's `resultsMain`, serialised into the page
// with a nonce: it is small, needs no bundle of its own, and stays type-checked here.
// Data arrives by postMessage only and is written with textContent, never as HTML.
import { ResultsMessages, type HostToWebview, type ResultSection } from './protocol';

declare function acquireVsCodeApi(): { postMessage(message: unknown): void };

/** Runs inside the webview. Must not refer to anything outside itself (it is sent as text). */
export function resultsMain(messages: { ready: string; show: string }): void {
  const vscode = acquireVsCodeApi();
  const root = document.getElementById('root')!;
  const cell = (value: unknown): string => (value === null || value === undefined ? 'NULL' : typeof value === 'object' ? JSON.stringify(value) : String(value));
  const render = (heading: string, sections: ResultSection[]) => {
    root.replaceChildren();
    const h1 = document.createElement('h1');
    h1.textContent = heading;
    root.append(h1);
    for (const section of sections) {
      const h2 = document.createElement('h2');
      h2.textContent = section.title;
      root.append(h2);
      if (section.columns.length > 0) {
        const table = document.createElement('table');
        const head = table.createTHead().insertRow();
        section.columns.forEach((name, i) => {
          const th = document.createElement('th');
          th.textContent = name;
          const type = section.types?.[i];
          if (type) th.title = type;
          head.append(th);
        });
        const body = table.createTBody();
        for (const row of section.rows) {
          const tr = body.insertRow();
          for (const value of row) {
            const td = tr.insertCell();
            td.textContent = cell(value);
            if (value === null || value === undefined) td.className = 'null';
            else if (typeof value === 'number') td.className = 'number';
          }
        }
        root.append(table);
      }
      if (section.note) {
        const p = document.createElement('p');
        p.className = 'note';
        p.textContent = section.note;
        root.append(p);
      }
    }
  };
  window.addEventListener('message', (event: MessageEvent) => {
    const message = event.data as HostToWebview;
    if (message?.type === messages.show) render(message.heading, message.sections);
  });
  vscode.postMessage({ type: messages.ready });
}

export function resultsHtml(options: { nonce: string; cspSource: string }): string {
  const { nonce, cspSource } = options;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Spanner results</title>
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); }
  h1 { font-size: 1.2em; } h2 { font-size: 1.05em; margin-top: 1.4em; }
  table { border-collapse: collapse; font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }
  th, td { border: 1px solid var(--vscode-panel-border); padding: 2px 8px; text-align: left; vertical-align: top; white-space: pre; }
  th { background: var(--vscode-editorWidget-background); position: sticky; top: 0; }
  tr:nth-child(even) td { background: var(--vscode-list-hoverBackground); }
  td.number { text-align: right; } td.null { color: var(--vscode-disabledForeground); font-style: italic; }
  .note { color: var(--vscode-descriptionForeground); }
</style>
</head>
<body>
<div id="root"><p class="note">Waiting for results…</p></div>
<script nonce="${nonce}">(${resultsMain.toString()})(${JSON.stringify(ResultsMessages)});</script>
</body>
</html>`;
}
