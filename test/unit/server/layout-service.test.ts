// The language server's layout service (server/layoutService.ts): `luigi-spanner server --stdio`
// from a fresh CLI build, with its real ELK worker thread, over a generated Luigi pipeline. Right
// after the index settles it lays out the workspace graph as a new graph panel shows it, so the
// panel's component keys are answered with positions; other views' components go as jobs.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createProtocolConnection,
  DidOpenTextDocumentNotification,
  InitializedNotification,
  InitializeRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { splitComponents } from '../../../extension/core/graphLayout/components';
import { buildVisibleGraph, indexGraph } from '../../../extension/core/graphLayout/viewModel';
import { LspGraphLayoutRequest, LspGraphRequest, type LspGraphLayoutParams, type LspGraphLayoutResult, type LspGraphResult } from '../../../extension/shared/protocol';
import { buildCli } from '../../support/cli';
import { generateLuigiPipeline } from '../../support/luigiPipeline';

let work: string;
let workspace: string;
let cacheDirectory: string;
let server: ChildProcess;
let connection: ProtocolConnection;
let stderr = '';
const logs: string[] = [];
let pipeline: ReturnType<typeof generateLuigiPipeline>;

/** A file whose scope (its task and that task's upstream) is no component of the workspace view. */
const smallSource = () => `import luigi\nfrom pipeline import ${pipeline.names[20]}\n\n\nclass Extra(luigi.Task):\n    def requires(self):\n        return ${pipeline.names[20]}()\n`;

const layouts = (params: LspGraphLayoutParams) => connection.sendRequest<LspGraphLayoutResult>(LspGraphLayoutRequest, params);

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'layout-service-'));
  const cli = await buildCli(path.join(work, 'dist'));
  workspace = path.join(work, 'workspace');
  cacheDirectory = path.join(work, 'layouts');
  mkdirSync(path.join(workspace, 'more'), { recursive: true });
  pipeline = generateLuigiPipeline(300, 3);
  writeFileSync(path.join(workspace, 'pipeline.py'), pipeline.source);
  writeFileSync(path.join(workspace, 'more', '__init__.py'), '');
  writeFileSync(path.join(workspace, 'more', 'small.py'), smallSource());
  server = spawn(process.execPath, [cli, 'server', '--stdio'], { cwd: workspace, stdio: ['pipe', 'pipe', 'pipe'] });
  server.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  connection = createProtocolConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!));
  connection.onNotification('window/logMessage', (params: { message: string }) => void logs.push(params.message));
  connection.listen();
  const uri = pathToFileURL(workspace).toString();
  await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: uri,
    workspaceFolders: [{ uri, name: 'workspace' }],
    capabilities: {},
    initializationOptions: { graphLayouts: { cacheDirectory } },
  });
  await connection.sendNotification(InitializedNotification.type, {});
}, 90_000);

afterAll(() => {
  connection?.dispose();
  server?.kill();
  rmSync(work, { recursive: true, force: true });
});

describe('the layout service of luigi-spanner server', () => {
  test('lays out the workspace graph ahead: a new panel\'s component keys come back as positions for every node', async () => {
    const { graph } = await connection.sendRequest<LspGraphResult>(LspGraphRequest, {});
    expect(graph.tasks).toHaveLength(302);
    // What a new graph panel computes (webview/src/view.ts): the default view of the workspace.
    const visible = buildVisibleGraph(indexGraph(graph), { scope: { kind: 'workspace' } });
    const components = splitComponents(visible, 'RIGHT');
    // Once the work ahead is done, as the editor's prefetch waits for it: a lookup waits only 10 s
    // for keys being laid out, and on two busy cores (pytest beside these tests in CI) warming ELK
    // alone once took 7.6 s.
    await layouts({ keys: [], afterAhead: true });
    const started = performance.now();
    const { entries } = await layouts({ keys: components.map((c) => c.key) });
    expect(entries.map((e) => e.key).sort(), `server log: ${logs.join('\n')}\n${stderr}`).toEqual(components.map((c) => c.key).sort());
    for (const component of components) {
      const entry = entries.find((e) => e.key === component.key)!;
      expect(Object.keys(entry.nodes).sort()).toEqual(component.nodes.map((n) => n.id).sort());
      expect(Object.keys(entry.edges).sort()).toEqual(component.edges.map((e) => e.id).sort());
    }
    // Laid out by ELK (orthogonal routes with bends), not the approximation.
    expect(Object.values(entries[0]!.edges).some((points) => points.length > 4)).toBe(true);
    expect(logs.some((l) => /layout worker warm in \d+ ms/.test(l))).toBe(true);
    expect(logs.some((l) => /laid out \d+ graph components ahead of the graph view/.test(l))).toBe(true);
    // Asked again, it is memory: quick.
    const again = performance.now();
    await layouts({ keys: components.map((c) => c.key) });
    expect(performance.now() - again).toBeLessThan(Math.max(2000, performance.now() - started));
  }, 120_000);

  test('writes what it laid out into the shared cache folder', async () => {
    await expect.poll(() => readdirSync(cacheDirectory).filter((n) => n.endsWith('.json')).length, { timeout: 10_000 }).toBeGreaterThan(0);
  });

  test('an opened file\'s scope is laid out ahead too, and a request after the layouts ahead gets it at once', async () => {
    const file = path.join(workspace, 'more', 'small.py');
    await connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri: pathToFileURL(file).toString(), languageId: 'python', version: 1, text: smallSource() },
    });
    const { graph } = await connection.sendRequest<LspGraphResult>(LspGraphRequest, {});
    const visible = buildVisibleGraph(indexGraph(graph), { scope: { kind: 'file', file: 'more/small.py' } });
    expect(visible.nodes.length).toBeGreaterThan(2);
    expect(visible.nodes.length).toBeLessThan(100);
    const [component] = splitComponents(visible, 'RIGHT');
    const workspaceKeys = splitComponents(buildVisibleGraph(indexGraph(graph), { scope: { kind: 'workspace' } }), 'RIGHT').map((c) => c.key);
    expect(workspaceKeys).not.toContain(component!.key);
    // The client's prefetch (vscode/graph/index.ts) asks once, answered when what the server lays
    // out ahead now is done: the new scope's component is in the one answer.
    expect((await layouts({ keys: [component!.key], afterAhead: true })).entries).toHaveLength(1);
  }, 30_000);

  test('lays out jobs it does not hold on its warm ELK, in order, and unknown keys are left out', async () => {
    const { graph } = await connection.sendRequest<LspGraphResult>(LspGraphRequest, {});
    const modules = new Set(graph.tasks.map((t) => t.module));
    // A view no panel asked for before: every module but one collapsed, laid out DOWN.
    const visible = buildVisibleGraph(indexGraph(graph), { scope: { kind: 'workspace' }, expandedFamilies: new Set(), collapsedModules: new Set([...modules].filter((m) => m !== 'pipeline')) });
    const components = splitComponents(visible, 'DOWN');
    const held = await layouts({ keys: components.map((c) => c.key) });
    expect(held.entries).toEqual([]);
    const jobs = components.map((c) => ({ direction: 'DOWN' as const, components: [{ key: c.key, nodes: c.nodes.map(({ id, width, height }) => ({ id, width, height })), edges: c.edges.map(({ id, from, to }) => ({ id, from, to })) }] }));
    const result = await layouts({ keys: [], jobs });
    expect(result.layouts).toHaveLength(jobs.length);
    expect(result.layouts!.map((l) => l[0]!.key)).toEqual(components.map((c) => c.key));
    // Now held.
    expect((await layouts({ keys: components.map((c) => c.key) })).entries).toHaveLength(components.length);
  }, 60_000);
});
