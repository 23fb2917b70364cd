// A client that provides CodeLenses itself (the VS Code extension: extension/vscode/codeLenses.ts,
// registered before the server is up) says so in initializationOptions.codeLensByClient: the server
// then announces no codeLensProvider (the client's LSP library registers no second provider), still
// answers textDocument/codeLens, and asks for a refresh once its first index is in.
// `luigi-spanner server --stdio` from a fresh CLI build; a copy of samples/orders is the workspace.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  CodeLensRefreshRequest,
  CodeLensRequest,
  createProtocolConnection,
  DidOpenTextDocumentNotification,
  InitializedNotification,
  InitializeRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { TaskLensCommands, type LspCodeLensInit } from '../../../extension/shared/protocol';
import { buildCli } from '../../support/cli';

const REPO = path.resolve(__dirname, '..', '..', '..');
let work: string;
let workspace: string;
let cli: string;
const started: Array<{ server: ChildProcess; connection: ProtocolConnection }> = [];

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'client-code-lens-'));
  cli = await buildCli(path.join(work, 'dist'));
  workspace = path.join(work, 'workspace');
  cpSync(path.join(REPO, 'samples/orders'), workspace, { recursive: true });
}, 90_000);

afterAll(() => {
  for (const { server, connection } of started) {
    connection.dispose();
    server.kill();
  }
  rmSync(work, { recursive: true, force: true });
});

/** A server and a connection to it, with the refresh requests it sent counted. */
function startServer() {
  const server = spawn(process.execPath, [cli, 'server', '--stdio'], { cwd: workspace, stdio: ['pipe', 'pipe', 'pipe'] });
  const connection = createProtocolConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!));
  const refreshes = { count: 0 };
  connection.onRequest(CodeLensRefreshRequest.type, () => {
    refreshes.count++;
  });
  connection.listen();
  started.push({ server, connection });
  return { connection, refreshes };
}

const initialize = (connection: ProtocolConnection, initializationOptions?: LspCodeLensInit) =>
  connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: pathToFileURL(workspace).toString(),
    workspaceFolders: [{ uri: pathToFileURL(workspace).toString(), name: 'workspace' }],
    capabilities: { workspace: { codeLens: { refreshSupport: true } } },
    ...(initializationOptions ? { initializationOptions } : {}),
  });

describe('CodeLenses for a client that provides them itself', () => {
  test('no codeLensProvider announced; lenses answered; a refresh once the index is in', async () => {
    const { connection, refreshes } = startServer();
    const result = await initialize(connection, { codeLensByClient: true });
    expect(result.capabilities.codeLensProvider).toBeUndefined();
    expect(result.capabilities).toMatchObject({ hoverProvider: true, definitionProvider: true });
    await connection.sendNotification(InitializedNotification.type, {});
    const file = path.join(workspace, 'pipeline.py');
    const text = readFileSync(file, 'utf8');
    await connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: pathToFileURL(file).toString(), languageId: 'python', version: 1, text } });
    const lenses = await connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: pathToFileURL(file).toString() } });
    const line = text.split('\n').findIndex((l) => l.startsWith('class LoadOrders('));
    expect(lenses!.filter((l) => l.range.start.line === line).map((l) => l.command!.command)).toEqual([TaskLensCommands.run, TaskLensCommands.forceRerun, TaskLensCommands.showGraph]);
    await expect.poll(() => refreshes.count, { timeout: 30_000 }).toBeGreaterThan(0);
  }, 60_000);

  test('other clients get the codeLensProvider as before', async () => {
    const { connection } = startServer();
    const result = await initialize(connection);
    expect(result.capabilities.codeLensProvider).toEqual({ resolveProvider: false });
  }, 60_000);
});
