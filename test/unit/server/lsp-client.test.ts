// The language server driven as any editor would drive it, with no editor: `luigi-spanner server
// --stdio` spawned from a fresh CLI build, spoken to with vscode-languageserver-protocol's client
// side over its stdin and stdout. A copy of samples/broken/plain_insert_replay is the workspace.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  CodeActionRequest,
  CodeLensRequest,
  createProtocolConnection,
  DefinitionRequest,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  WorkDoneProgressCreateRequest,
  WorkspaceSymbolRequest,
  type CodeAction,
  type Diagnostic,
  type Location,
  type MarkupContent,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { LspGraphRequest, TaskLensCommands, type LspGraphResult } from '../../../extension/shared/protocol';
import { buildCli } from '../../support/cli';

const REPO = path.resolve(__dirname, '..', '..', '..');
let work: string;
let workspace: string;
let server: ChildProcess;
let connection: ProtocolConnection;
let stderr = '';
const diagnostics = new Map<string, PublishDiagnosticsParams[]>();
const waiters: Array<() => void> = [];
/** Work-done progress the server reported: create requests and the $/progress values, in order. */
const progress: Array<{ kind: string; message?: string }> = [];
let progressEnded: () => void;
const progressEnd = new Promise<void>((resolve) => (progressEnded = resolve));

const uriOf = (file: string) => pathToFileURL(path.join(workspace, file)).toString();

/** Resolves with the first diagnostics published for `file` (after `since` earlier ones) that satisfy `accept`. */
function diagnosticsFor(file: string, accept: (list: Diagnostic[]) => boolean, since = 0): Promise<Diagnostic[]> {
  const uri = uriOf(file);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching diagnostics for ${file}; got ${JSON.stringify(diagnostics.get(uri)?.map((p) => p.diagnostics.map((d) => d.code)))}; stderr: ${stderr}`)), 30_000);
    const check = () => {
      const found = (diagnostics.get(uri) ?? []).slice(since).find((p) => accept(p.diagnostics));
      if (!found) return false;
      clearTimeout(timer);
      resolve(found.diagnostics);
      return true;
    };
    if (!check()) waiters.push(() => void check());
  });
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'lsp-client-'));
  const cli = await buildCli(path.join(work, 'dist'));
  workspace = path.join(work, 'workspace');
  cpSync(path.join(REPO, 'samples/broken/plain_insert_replay'), workspace, { recursive: true });
  server = spawn(process.execPath, [cli, 'server', '--stdio'], { cwd: workspace, stdio: ['pipe', 'pipe', 'pipe'] });
  server.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  connection = createProtocolConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!));
  connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
    diagnostics.set(params.uri, [...(diagnostics.get(params.uri) ?? []), params]);
    for (const waiter of waiters.splice(0)) waiter();
  });
  connection.onRequest(WorkDoneProgressCreateRequest.type, () => {
    progress.push({ kind: 'create' });
  });
  connection.onNotification('$/progress', (params: { value: { kind: string; message?: string } }) => {
    progress.push({ kind: params.value.kind, ...(params.value.message ? { message: params.value.message } : {}) });
    if (params.value.kind === 'end') progressEnded();
  });
  connection.listen();
}, 90_000);

afterAll(() => {
  connection?.dispose();
  server?.kill();
  rmSync(work, { recursive: true, force: true });
});

describe('luigi-spanner server --stdio', () => {
  const text = () => readFileSync(path.join(workspace, 'pipeline.py'), 'utf8');

  test('initialize announces what it serves', async () => {
    const result = await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(workspace).toString(),
      workspaceFolders: [{ uri: pathToFileURL(workspace).toString(), name: 'workspace' }],
      capabilities: { window: { workDoneProgress: true } },
    });
    expect(result.serverInfo?.name).toBe('luigi-spanner');
    expect(result.capabilities).toMatchObject({ codeLensProvider: {}, hoverProvider: true, definitionProvider: true, workspaceSymbolProvider: true });
    await connection.sendNotification(InitializedNotification.type, {});
  });

  test('didOpen: diagnostics with the rule codes and links to the rule pages', async () => {
    await connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: uriOf('pipeline.py'), languageId: 'python', version: 1, text: text() } });
    const list = await diagnosticsFor('pipeline.py', (l) => l.some((d) => d.code === 'LS002'));
    expect(list.map((d) => d.code).sort()).toEqual(['LS001', 'LS002', 'LS003']);
    const ls002 = list.find((d) => d.code === 'LS002')!;
    expect(ls002.range.start).toEqual({ line: 63, character: expect.any(Number) });
    expect(ls002.source).toBe('luigi-spanner');
    expect(ls002.codeDescription?.href).toMatch(/\/docs\/rules\/LS002\.md$/);
  });

  test('codeAction: the quick fix of LS002 as an edit, and the suppression', async () => {
    const list = await diagnosticsFor('pipeline.py', (l) => l.some((d) => d.code === 'LS002'));
    const ls002 = list.find((d) => d.code === 'LS002')!;
    const actions = (await connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: uriOf('pipeline.py') },
      range: ls002.range,
      context: { diagnostics: [ls002] },
    })) as CodeAction[];
    expect(actions.map((a) => a.title)).toEqual(['Use insert_or_update', 'Suppress LS002 on this line']);
    const edits = actions[0]!.edit!.changes![uriOf('pipeline.py')]!;
    expect(edits).toHaveLength(1);
    expect(edits[0]!.newText).toBe('insert_or_update');
    expect(edits[0]!.range.start.line).toBe(63);
    expect(actions[1]!.edit!.changes![uriOf('pipeline.py')]![0]!.newText).toContain('luigi-spanner: ignore[LS002]');
  });

  test('codeLens: Run, Force rerun and Show graph above tasks; only Show graph above an external task', async () => {
    const lenses = await connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: uriOf('pipeline.py') } });
    const at = (line: number) => lenses!.filter((l) => l.range.start.line === line).map((l) => l.command!.command);
    const lineOf = (name: string) => text().split('\n').findIndex((l) => l.startsWith(`class ${name}(`));
    expect(at(lineOf('LoadOrders'))).toEqual([TaskLensCommands.run, TaskLensCommands.forceRerun, TaskLensCommands.showGraph]);
    expect(at(lineOf('OrdersExport'))).toEqual([TaskLensCommands.showGraph]);
    expect(lenses!.find((l) => l.range.start.line === lineOf('LoadOrders'))!.command!.arguments![0]).toMatchObject({
      task: 'LoadOrders',
      file: path.join(workspace, 'pipeline.py'),
    });
  });

  test('hover, definition, workspace symbols and the graph request', async () => {
    const lines = text().split('\n');
    const loadOrders = lines.findIndex((l) => l.startsWith('class LoadOrders('));
    const hover = await connection.sendRequest(HoverRequest.type, { textDocument: { uri: uriOf('pipeline.py') }, position: { line: loadOrders, character: 8 } });
    const markdown = (hover!.contents as MarkupContent).value;
    expect(markdown).toContain('**LoadOrders**');
    expect(markdown).toMatch(/Upstream: OrdersExport/);
    expect(markdown).toMatch(/Downstream: AllBatches/);
    expect(markdown).toContain('`batch`');

    // `return OrdersExport(...)` inside requires() goes to the class.
    const reference = lines.findIndex((l, i) => i > loadOrders && /OrdersExport\(/.test(l));
    const definition = (await connection.sendRequest(DefinitionRequest.type, {
      textDocument: { uri: uriOf('pipeline.py') },
      position: { line: reference, character: lines[reference]!.indexOf('OrdersExport') + 2 },
    })) as Location;
    expect(definition.uri).toBe(uriOf('pipeline.py'));
    expect(definition.range.start.line).toBe(lines.findIndex((l) => l.startsWith('class OrdersExport(')));

    const symbols = await connection.sendRequest(WorkspaceSymbolRequest.type, { query: 'load' });
    expect(symbols!.map((s) => s.name)).toEqual(['LoadOrders']);

    const graph = (await connection.sendRequest(LspGraphRequest, {})) as LspGraphResult;
    expect(graph.graph.tasks.map((t) => t.name).sort()).toEqual(['AllBatches', 'LoadOrders', 'OrdersExport']);
    expect(graph.graph.edges).toHaveLength(2);
    // The lineage section: each table with its writers and the CREATE TABLE the server's migrations hold.
    expect(graph.graph.tables!.find((t) => t.name === 'Orders')).toMatchObject({
      writers: [graph.graph.tasks.find((t) => t.name === 'LoadOrders')!.id],
      migration: { file: 'migrations/0001_orders.sql', line: 2 },
    });
  });

  test('didChange: the fixed line loses its LS002; a broken line gets a syntax error', async () => {
    const published = diagnostics.get(uriOf('pipeline.py'))?.length ?? 0;
    const line = text().split('\n')[63]!;
    const column = line.indexOf('insert(');
    await connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: uriOf('pipeline.py'), version: 2 },
      contentChanges: [{ range: { start: { line: 63, character: column }, end: { line: 63, character: column + 'insert'.length } }, text: 'insert_or_update' }],
    });
    const fixed = await diagnosticsFor('pipeline.py', (l) => !l.some((d) => d.code === 'LS002'), published);
    expect(fixed.map((d) => d.code).sort()).toEqual(['LS001', 'LS003']);

    const again = diagnostics.get(uriOf('pipeline.py'))!.length;
    await connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: uriOf('pipeline.py'), version: 3 },
      contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'def broken(:\n' }],
    });
    const broken = await diagnosticsFor('pipeline.py', (l) => l.some((d) => d.code === 'syntax-error'), again);
    const syntax = broken.find((d) => d.code === 'syntax-error')!;
    expect(syntax.range.start.line).toBe(0);
    expect(syntax.codeDescription?.href).toMatch(/\/docs\/rules\/syntax-error\.md$/);
  });

  test('the first index and lint report work-done progress, counted in files', async () => {
    await progressEnd;
    expect(progress[0]).toEqual({ kind: 'create' });
    expect(progress[1]).toMatchObject({ kind: 'begin', message: expect.stringMatching(/^Indexing \d+\/\d+ files$/) });
    expect(progress.some((p) => /^Linting \d+\/\d+ files$/.test(p.message ?? ''))).toBe(true);
    expect(progress.at(-1)).toEqual({ kind: 'end' });
  });

  test('shutdown and exit end the process', async () => {
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    await connection.sendRequest(ShutdownRequest.type);
    await connection.sendNotification(ExitNotification.type);
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
  });
});
