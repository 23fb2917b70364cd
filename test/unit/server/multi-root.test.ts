// The language server with two workspace folders, as a multi-root VS Code window starts it: each
// folder is indexed and linted with its own settings (workspace/configuration per folder), and
// the graph request answers per folder. Both folders hold the same pipeline, so the same
// relative path and task ids: only the folder tells them apart.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  CodeLensRequest,
  ConfigurationRequest,
  createProtocolConnection,
  DidOpenTextDocumentNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { readFileSync } from 'node:fs';
import { LspGraphRequest, type LspGraphResult } from '../../../extension/shared/protocol';
import { buildCli } from '../../support/cli';

const REPO = path.resolve(__dirname, '..', '..', '..');
let work: string;
let server: ChildProcess;
let connection: ProtocolConnection;
let stderr = '';
const published = new Map<string, PublishDiagnosticsParams>();
const folder = (name: string) => path.join(work, name);
const uriOf = (name: string, file = '') => pathToFileURL(path.join(folder(name), file)).toString().replace(/\/$/, '');

/** Resolves once `accept` holds for the diagnostics last published for `uri`. */
function until(uri: string, accept: (codes: string[]) => boolean): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      const codes = (published.get(uri)?.diagnostics ?? []).map((d) => String(d.code)).sort();
      if (published.has(uri) && accept(codes)) return resolve(codes);
      if (Date.now() - started > 30_000) return reject(new Error(`diagnostics of ${uri}: ${JSON.stringify(codes)}; stderr: ${stderr}`));
      setTimeout(check, 50);
    };
    check();
  });
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'lsp-multi-root-'));
  const cli = await buildCli(path.join(work, 'dist'));
  for (const name of ['orders', 'billing']) cpSync(path.join(REPO, 'samples/broken/plain_insert_replay'), folder(name), { recursive: true });
  server = spawn(process.execPath, [cli, 'server', '--stdio'], { cwd: work, stdio: ['pipe', 'pipe', 'pipe'] });
  server.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  connection = createProtocolConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!));
  connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
    published.set(params.uri, params);
  });
  // Folder settings: "orders" turns LS002 off, "billing" keeps the defaults.
  connection.onRequest(ConfigurationRequest.type, (params) =>
    params.items.map((item) => (item.scopeUri === uriOf('orders') ? { lint: { disabled: ['LS002'] } } : {})),
  );
  connection.listen();
  await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: null,
    workspaceFolders: [
      { uri: uriOf('orders'), name: 'orders' },
      { uri: uriOf('billing'), name: 'billing' },
    ],
    capabilities: { workspace: { configuration: true, workspaceFolders: true } },
  });
  await connection.sendNotification(InitializedNotification.type, {});
}, 90_000);

afterAll(() => {
  connection?.dispose();
  server?.kill();
  rmSync(work, { recursive: true, force: true });
});

test('each folder is linted with its own settings', async () => {
  expect(await until(uriOf('billing', 'pipeline.py'), (codes) => codes.includes('LS002'))).toEqual(['LS001', 'LS002', 'LS003']);
  expect(await until(uriOf('orders', 'pipeline.py'), (codes) => codes.length > 0)).toEqual(['LS001', 'LS003']);
});

test('the graph request answers per folder, each with its own files', async () => {
  for (const name of ['orders', 'billing']) {
    const result = (await connection.sendRequest(LspGraphRequest, { folder: uriOf(name) })) as LspGraphResult;
    expect(result.folder).toBe(uriOf(name));
    expect(result.graph.tasks.map((t) => t.name).sort()).toEqual(['AllBatches', 'LoadOrders', 'OrdersExport']);
  }
});

test('a document of the second folder is served from that folder', async () => {
  const uri = uriOf('billing', 'pipeline.py');
  const text = readFileSync(path.join(folder('billing'), 'pipeline.py'), 'utf8').replace('class LoadOrders(', 'class LoadBillingOrders(');
  await connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'python', version: 1, text } });
  const lenses = await connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } });
  expect(new Set(lenses!.map((l) => (l.command!.arguments![0] as { task: string }).task))).toContain('LoadBillingOrders');
  expect(lenses!.every((l) => (l.command!.arguments![0] as { file: string }).file === path.join(folder('billing'), 'pipeline.py'))).toBe(true);
  const billing = (await connection.sendRequest(LspGraphRequest, { folder: uriOf('billing') })) as LspGraphResult;
  const orders = (await connection.sendRequest(LspGraphRequest, { folder: uriOf('orders') })) as LspGraphResult;
  expect(billing.graph.tasks.map((t) => t.name)).toContain('LoadBillingOrders');
  expect(orders.graph.tasks.map((t) => t.name)).not.toContain('LoadBillingOrders');
  expect(stderr).toBe('');
});
