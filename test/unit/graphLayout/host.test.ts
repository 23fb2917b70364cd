// The pure parts of the graph view's host side: message validation, the page and its CSP,
// the bundle it inlines, and which task the cursor is in.
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { GraphJson, TaskNode } from '../../../extension/core/analysis/types';
import { taskAtLine } from '../../../extension/vscode/graph/cursor';
import { contentSecurityPolicy, graphHtml, scriptJson, webviewBundle } from '../../../extension/vscode/graph/html';
import { validateWebviewMessage } from '../../../extension/vscode/graph/validate';
import type { OpeningDrawing } from '../../../extension/core/graphLayout/types';
import { GraphLoad, OPENING_ELEMENT_ID, PROTOCOL_VERSION, SNAPSHOT_ELEMENT_ID, type GraphLoadMessage } from '../../../extension/shared/protocol';

const job = { direction: 'RIGHT', components: [{ key: 'b'.repeat(28), nodes: [{ id: 'm.A', width: 72, height: 30 }, { id: 'm.B', width: 90, height: 30 }], edges: [{ id: 'm.A->m.B', from: 'm.A', to: 'm.B' }] }] };
const layout = { key: 'a'.repeat(28), width: 100, height: 50, nodes: { 'm.A': [16, 16, 72, 30] }, edges: { 'm.A->m.B': [0, 0, 10, 0] } };

describe('webview message validation', () => {
  it('accepts every well-formed message', () => {
    const messages = [
      { method: 'graph/ready', protocolVersion: 1 },
      { method: 'graph/revealTask', taskId: 'orders.loads.LoadOrders' },
      { method: 'graph/revealTable', table: 'Orders' },
      { method: 'graph/previewTaskRows', taskId: 'orders.loads.LoadOrders' },
      { method: 'layout/cacheLookup', requestId: 3, keys: ['0123456789abcdef0123456789ab'] },
      { method: 'layout/cacheStore', entries: [layout] },
      { method: 'graph/export', format: 'png', data: 'iVBORw0KGgo=', suggestedName: 'pipeline-graph.png' },
      { method: 'graph/renderStats', nodes: 10, edges: 9, totalMs: 12.5, layoutMs: 3, cachedComponents: 1, computedComponents: 0 },
      { method: 'graph/renderStats', nodes: 10, edges: 9, totalMs: 12.5, firstPaintMs: 4, layoutMs: 3, cachedComponents: 0, computedComponents: 1, layoutSource: 'server' },
      { method: 'layout/run', requestId: 4, jobs: [job] },
      { method: 'graph/error', message: 'boom' },
    ];
    for (const m of messages) expect(validateWebviewMessage(m)).toEqual({ ok: true, message: m });
  });

  it('rejects unknown methods, wrong types and dangerous values with a reason', () => {
    const bad = [
      undefined,
      'graph/ready',
      { method: 'graph/runCode', code: 'rm -rf' },
      { method: 'graph/revealTask', taskId: 42 },
      { method: 'graph/revealTask', taskId: '' },
      { method: 'graph/revealTable', table: '' },
      { method: 'graph/revealTable', table: 'x'.repeat(300) },
      { method: 'graph/revealTable', file: '/etc/passwd', line: 1 },
      { method: 'graph/previewTaskRows', taskId: '' },
      { method: 'graph/previewTaskRows', taskId: 'x'.repeat(2001) },
      { method: 'graph/previewTaskRows' },
      // A path instead of a file name: the host would otherwise save outside the chosen folder.
      { method: 'graph/export', format: 'svg', data: '<svg/>', suggestedName: '../../.bashrc' },
      { method: 'graph/export', format: 'html', data: '<svg/>', suggestedName: 'x.html' },
      // Cache keys become file names: only our hex hashes pass.
      { method: 'layout/cacheLookup', requestId: 1, keys: ['../../etc/passwd'] },
      { method: 'layout/cacheStore', entries: [{ ...layout, width: Number.NaN }] },
      { method: 'layout/cacheStore', entries: [{ ...layout, nodes: { 'm.A': [1, 2, 3] } }] },
      // Jobs go to the language server's ELK: known directions, finite sizes, our keys only.
      { method: 'layout/run', requestId: 5, jobs: [{ ...job, direction: 'SIDEWAYS' }] },
      { method: 'layout/run', requestId: 5, jobs: [{ ...job, components: [{ ...job.components[0], nodes: [{ id: 'm.A', width: Number.POSITIVE_INFINITY, height: 30 }] }] }] },
      { method: 'layout/run', requestId: 5, jobs: [{ ...job, components: [{ ...job.components[0], key: '../x' }] }] },
      { method: 'graph/renderStats', nodes: 10, edges: 9, totalMs: 12.5, layoutMs: 3, cachedComponents: 1, computedComponents: 0, layoutSource: 'elsewhere' },
    ];
    for (const m of bad) {
      const result = validateWebviewMessage(m);
      expect(result.ok, JSON.stringify(m)).toBe(false);
      if (!result.ok) expect(result.error).toMatch(/^rejected graph webview message/);
    }
  });
});

describe('graph page', () => {
  const page = (extra: Partial<Parameters<typeof graphHtml>[0]> = {}) =>
    graphHtml({
      cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
      nonce: 'bm9uY2U=',
      script: { inline: 'console.log("graph")' },
      style: { inline: 'body{margin:0}' },
      layoutWorkerUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/layout-worker.js',
      ...extra,
    });
  const html = page();

  it('has a strict CSP: nothing remote, scripts only by nonce, workers only from blobs', () => {
    const csp = contentSecurityPolicy('https://file+.vscode-resource.vscode-cdn.net', 'bm9uY2U=');
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'nonce-bm9uY2U='");
    expect(csp).toContain('worker-src blob:');
    expect(csp).not.toMatch(/unsafe-(inline|eval)|\*|https?:\/\/(?!file\+\.vscode-resource)/);
    expect(html).toContain(`content="${csp.replaceAll("'", '&#39;')}"`);
  });

  it('inlines the bundle and its stylesheet under the nonce, and carries no data unless given an opening', () => {
    const scripts = html.match(/<script[^>]*>/g) ?? [];
    // The early channel (it says ready before the bundle is parsed), then the bundle.
    expect(scripts).toEqual(['<script nonce="bm9uY2U=">', '<script nonce="bm9uY2U=">']);
    expect(html.indexOf('acquireVsCodeApi()')).toBeGreaterThan(html.indexOf('http-equiv="Content-Security-Policy"'));
    expect(html.indexOf('acquireVsCodeApi()')).toBeLessThan(html.indexOf('console.log("graph")'));
    expect(html).toContain(`postMessage({"method":"graph/ready","protocolVersion":${PROTOCOL_VERSION}})`);
    expect(html).toContain('<script nonce="bm9uY2U=">console.log("graph")</script>');
    expect(html.match(/<style[^>]*>/g)).toEqual(['<style nonce="bm9uY2U=">', '<style nonce="bm9uY2U=">']);
    expect(html).toContain('<style nonce="bm9uY2U=">body{margin:0}</style>');
    expect(html).not.toContain('<link');
    expect(html).toContain('data-layout-worker="https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/layout-worker.js"');
    expect(html).not.toContain(OPENING_ELEMENT_ID);
  });

  it("carries a new panel's first graph as inert JSON before the bundle, which no task name can break out of", () => {
    const hostile = '</script><script>alert(1)</script><!--';
    const opening: GraphLoadMessage = {
      method: GraphLoad,
      graph: { version: 1, root: '/w', tasks: [{ id: hostile, name: hostile, module: 'm', file: 'm.py', line: 1, kind: 'task', params: [] }], edges: [], diagnostics: [] } as unknown as GraphJson,
      reason: 'open',
      layoutService: true,
    };
    const withOpening = page({ opening });
    // Not a script the CSP would have to allow: a data block, read by the bundle (webview/src/host.ts).
    expect(withOpening.match(/<script[^>]*>/g)).toEqual(['<script nonce="bm9uY2U=">', `<script type="application/json" id="${OPENING_ELEMENT_ID}">`, '<script nonce="bm9uY2U=">']);
    const block = withOpening.slice(withOpening.indexOf(`id="${OPENING_ELEMENT_ID}">`) + `id="${OPENING_ELEMENT_ID}">`.length, withOpening.indexOf('</script>\n<script nonce'));
    expect(block).not.toMatch(/<\/script|<!--/i);
    expect(JSON.parse(block)).toEqual(opening);
    expect(withOpening.indexOf(OPENING_ELEMENT_ID)).toBeLessThan(withOpening.indexOf('console.log("graph")'));
    expect(scriptJson('a</b>')).toBe('"a\\u003c/b>"');
    // A big graph's first drawing goes in a block of its own, first (read before the rest is parsed).
    const snapshot = { bounds: { x: 0, y: 0, width: 10, height: 10 }, nodes: [], edges: [] };
    const withSnapshot = page({ opening: { ...opening, snapshot } });
    expect(withSnapshot.indexOf(`id="${SNAPSHOT_ELEMENT_ID}">${JSON.stringify(snapshot)}</script>`)).toBeGreaterThan(0);
    expect(withSnapshot.indexOf(SNAPSHOT_ELEMENT_ID)).toBeLessThan(withSnapshot.indexOf(`id="${OPENING_ELEMENT_ID}"`));
    expect(withSnapshot).toContain(`id="${OPENING_ELEMENT_ID}">${block}</script>`);
    // A small graph's whole drawing goes with the rest, escaped the same way (labels are task names).
    const drawing: OpeningDrawing = {
      scope: { kind: 'workspace' },
      direction: 'RIGHT',
      visible: { nodes: [{ id: hostile, kind: 'task', taskKind: 'task', label: hostile, width: 100, height: 30, members: [hostile], module: 'm' }], edges: [] },
      bounds: { x: 0, y: 0, width: 100, height: 30 },
      places: [0, 0, 0, 100, 30],
      routes: [],
      components: [],
    };
    const withDrawing = page({ opening: { ...opening, drawing } });
    const drawn = withDrawing.slice(withDrawing.indexOf(`id="${OPENING_ELEMENT_ID}">`) + `id="${OPENING_ELEMENT_ID}">`.length, withDrawing.indexOf('</script>\n<script nonce'));
    expect(drawn).not.toMatch(/<\/script|<!--/i);
    expect(JSON.parse(drawn)).toEqual({ ...opening, drawing });
  });
});

describe('webviewBundle', () => {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'lsg-webview-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  const write = (script: string, style = 'body{margin:0}') => {
    writeFileSync(path.join(directory, 'main.js'), script);
    writeFileSync(path.join(directory, 'graph.css'), style);
    // A new stamp for each version (mtime granularity).
    const later = new Date(Date.now() + Math.random() * 1e6);
    utimesSync(path.join(directory, 'main.js'), later, later);
  };

  it('reads the bundle once per build, its source map pointing where the bundle is served from', () => {
    write('(() => {})();\n//# sourceMappingURL=main.js.map\n');
    const bundle = webviewBundle(directory, 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/main.js');
    expect(bundle.script).toBe('(() => {})();\n//# sourceMappingURL=https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/main.js.map\n');
    expect(bundle.style).toBe('body{margin:0}');
    expect(webviewBundle(directory, 'https://x/main.js')).toBe(bundle);
    write('(() => { "rebuilt"; })();');
    expect(webviewBundle(directory, 'https://x/main.js').script).toBe('(() => { "rebuilt"; })();');
  });

  it('refuses a bundle that would end its element early', () => {
    write('const s = "</script><script>alert(1)";');
    expect(() => webviewBundle(directory, 'https://x/main.js')).toThrow(/contains "<\/script", so it cannot be inlined/);
    write('1;', 'a{}</style><script>');
    expect(() => webviewBundle(directory, 'https://x/main.js')).toThrow(/graph.css contains "<\/style"/);
  });

  it('is what the built page inlines: the real bundle has no "</script"', () => {
    const dist = path.resolve(__dirname, '../../../dist/webview');
    if (!existsSync(path.join(dist, 'main.js'))) throw new Error('dist/webview/main.js is missing: run `node scripts/build.mjs` first.');
    expect(webviewBundle(dist, 'https://x/main.js').script.length).toBeGreaterThan(10_000);
  });
});

describe('taskAtLine', () => {
  const task = (id: string, line: number, endLine: number, file = 'p.py'): TaskNode => ({ id, name: id, kind: 'task', file, line, endLine, params: [], outputs: [], module: 'p' });
  const tasks = [task('Outer', 10, 40), task('Inner', 20, 25), task('Other', 50, 60), task('Elsewhere', 10, 40, 'q.py')];

  it('finds the innermost class around the line, in that file only', () => {
    expect(taskAtLine(tasks, 'p.py', 10)?.id).toBe('Outer');
    expect(taskAtLine(tasks, 'p.py', 22)?.id).toBe('Inner');
    expect(taskAtLine(tasks, 'p.py', 40)?.id).toBe('Outer');
    expect(taskAtLine(tasks, 'p.py', 45)).toBeUndefined();
    expect(taskAtLine(tasks, 'q.py', 22)?.id).toBe('Elsewhere');
    expect(taskAtLine(tasks, 'r.py', 22)).toBeUndefined();
  });
});
