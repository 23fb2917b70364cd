// The one settings resolver (extension/core/settings.ts) and every CLI command that goes through it.
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerChaosCommand } from '../../../extension/cli/commands/chaos';
import { registerDemoCommand } from '../../../extension/cli/commands/demo';
import { registerDoctorCommand } from '../../../extension/cli/commands/doctor';
import { registerEmulatorCommand } from '../../../extension/cli/commands/emulator';
import { registerReproduceCommand } from '../../../extension/cli/commands/reproduce';
import { registerRunCommand } from '../../../extension/cli/commands/run';
import { runEnv } from '../../../extension/core/runs/runTarget';
import { findMigrationsDir, luigiCfgMarkerTable, resolveWorkspaceSettings, workspaceDatabaseId } from '../../../extension/core/settings';

const REPO = path.resolve(__dirname, '..', '..', '..');
const SPANNER_ID = /^[a-z][a-z0-9_-]{0,28}[a-z0-9]$/;

function workspace(config?: unknown, files: Record<string, string> = {}, name = 'proj'): string {
  const root = path.join(realpathSync(mkdtempSync(path.join(os.tmpdir(), 'ls-settings-'))), name);
  mkdirSync(root, { recursive: true });
  if (config !== undefined) writeFileSync(path.join(root, 'luigi-spanner.json'), JSON.stringify(config));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

describe('resolveWorkspaceSettings', () => {
  it('takes flags over luigi-spanner.json over the environment over the workspace defaults', () => {
    const root = workspace({ databaseId: 'file-db', instanceId: 'file-inst', markerTable: 'FileMarkers', image: 'file/image:1' });
    const env = { SPANNER_DATABASE: 'env-db', SPANNER_INSTANCE: 'env-inst', GOOGLE_CLOUD_PROJECT: 'env-project', LUIGI_SPANNER_MARKER_TABLE: 'EnvMarkers', LUIGI_SPANNER_EMULATOR_IMAGE: 'env/image:2' };
    expect(resolveWorkspaceSettings(root, { databaseId: 'flag-db' }, { env })).toMatchObject({
      databaseId: 'flag-db',
      instanceId: 'file-inst',
      projectId: 'env-project',
      markerTable: 'FileMarkers',
      image: 'file/image:1',
      workspace: root,
      configFile: path.join(root, 'luigi-spanner.json'),
    });
    expect(resolveWorkspaceSettings(root, {}, { env })).toMatchObject({ databaseId: 'file-db', markerTable: 'FileMarkers' });
    const bare = workspace();
    expect(resolveWorkspaceSettings(bare, {}, { env })).toMatchObject({ databaseId: 'env-db', instanceId: 'env-inst', markerTable: 'EnvMarkers' });
    expect(resolveWorkspaceSettings(bare, {}, { env: {} })).toMatchObject({
      databaseId: workspaceDatabaseId(bare),
      instanceId: 'local',
      projectId: 'luigi-spanner-local',
      markerTable: 'LuigiTaskMarkers',
      name: 'default',
      backend: 'auto',
    });
  });

  it("reads the marker table from luigi.cfg [spanner] marker_table, below the environment and luigi-spanner.json", () => {
    const cfg = '[core]\nlog_level = INFO\n\n[spanner]\n# custom marker table\nproject = p\nmarker_table = CfgMarkers\n';
    const root = workspace(undefined, { 'luigi.cfg': cfg });
    expect(luigiCfgMarkerTable(root, {})).toBe('CfgMarkers');
    expect(resolveWorkspaceSettings(root, {}, { env: {} }).markerTable).toBe('CfgMarkers');
    expect(resolveWorkspaceSettings(root, {}, { env: { LUIGI_SPANNER_MARKER_TABLE: 'EnvMarkers' } }).markerTable).toBe('EnvMarkers');
    const both = workspace({ markerTable: 'JsonMarkers' }, { 'luigi.cfg': cfg });
    expect(resolveWorkspaceSettings(both, {}, { env: {} }).markerTable).toBe('JsonMarkers');
    const elsewhere = workspace(undefined, { 'conf/prod.cfg': '[spanner]\nmarker_table: PathMarkers\n' });
    expect(luigiCfgMarkerTable(elsewhere, { LUIGI_CONFIG_PATH: 'conf/prod.cfg' })).toBe('PathMarkers');
  });

  it('refuses a marker table name luigi_spanner would refuse, naming it', () => {
    const root = workspace({ markerTable: 'drop table; --' });
    expect(() => resolveWorkspaceSettings(root, {}, { env: {} })).toThrow(/Invalid marker table name "drop table; --"/);
  });

  it('takes the migrations folder from the flag, then the file, then the nearest one above the pipeline, then <root>/migrations', () => {
    const root = workspace(undefined, { 'migrations/0001_a.sql': '', 'jobs/nightly/migrations/0001_b.sql': '', 'jobs/nightly/pipeline.py': '', 'db/0001_c.sql': '' });
    const pipelineFile = path.join(root, 'jobs/nightly/pipeline.py');
    expect(resolveWorkspaceSettings(root, {}, { env: {}, pipelineFile }).migrationsDir).toBe(path.join(root, 'jobs/nightly/migrations'));
    expect(resolveWorkspaceSettings(root, {}, { env: {} }).migrationsDir).toBe(path.join(root, 'migrations'));
    expect(resolveWorkspaceSettings(root, { migrationsDir: path.join(root, 'db') }, { env: {}, pipelineFile }).migrationsDir).toBe(path.join(root, 'db'));
    writeFileSync(path.join(root, 'luigi-spanner.json'), JSON.stringify({ migrationsDir: 'db' }));
    expect(resolveWorkspaceSettings(root, {}, { env: {}, pipelineFile }).migrationsDir).toBe(path.join(root, 'db'));
    expect(findMigrationsDir(path.join(root, 'jobs/other.py'), root)).toBe(path.join(root, 'migrations'));
  });

  it('passes a custom marker table on to runs, and leaves the default to the pipeline', () => {
    const target = { host: '127.0.0.1:9010', projectId: 'p-local', instanceId: 'i', databaseId: 'd1' };
    expect(runEnv({ ...target, markerTable: 'Custom' }).LUIGI_SPANNER_MARKER_TABLE).toBe('Custom');
    expect(runEnv({ ...target, markerTable: 'LuigiTaskMarkers' })).not.toHaveProperty('LUIGI_SPANNER_MARKER_TABLE');
  });
});

describe('workspaceDatabaseId', () => {
  it('is stable, readable, at most 30 characters and a valid Spanner database id', () => {
    const root = workspace(undefined, {}, 'orders');
    const id = workspaceDatabaseId(root);
    expect(id).toMatch(/^orders-[0-9a-f]{6}$/);
    expect(workspaceDatabaseId(root)).toBe(id);
    expect(workspaceDatabaseId(`${root}/`)).toBe(id);
  });

  it('differs for two folders of the same name', () => {
    expect(workspaceDatabaseId(workspace(undefined, {}, 'orders'))).not.toBe(workspaceDatabaseId(workspace(undefined, {}, 'orders')));
  });

  it('turns any folder name into a valid id', () => {
    for (const name of ['My Project (copy)', '2024-reports', '___', 'Überdaten', 'a'.repeat(80), 'x', 'data_pipeline.v2', '-']) {
      const id = workspaceDatabaseId(path.join('/srv', name));
      expect(id, name).toMatch(SPANNER_ID);
      expect(id.length, name).toBeLessThanOrEqual(30);
    }
    expect(workspaceDatabaseId('/srv/My Project (copy)')).toMatch(/^my-project-copy-[0-9a-f]{6}$/);
    expect(workspaceDatabaseId('/srv/2024-reports')).toMatch(/^ws-2024-reports-[0-9a-f]{6}$/);
    expect(workspaceDatabaseId('/')).toMatch(/^ws-[0-9a-f]{6}$/);
  });
});

/**
 * Each command, run in-process as the CLI runs it, with a luigi-spanner.json that says
 * `"backend": "external"` and no SPANNER_EMULATOR_HOST: only a command that read the file reaches
 * the external backend's own error.
 */
describe('every CLI command reads luigi-spanner.json', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    delete process.env.SPANNER_EMULATOR_HOST;
    delete process.env.LUIGI_SPANNER_BACKEND;
    // Set by the integration suite's global setup, which every project's workers inherit.
    delete process.env.LUIGI_SPANNER_EMULATOR_NAME;
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    process.env = { ...saved };
    process.exitCode = undefined;
  });

  const cli = (register: (program: Command) => void, args: string[]) => {
    const program = new Command().exitOverride();
    register(program);
    return program.parseAsync(['node', 'luigi-spanner', ...args]);
  };
  const NEEDS_HOST = /Backend "external" needs SPANNER_EMULATOR_HOST/;
  const pipeline = path.join(REPO, 'samples/orders/pipeline.py');

  it.each([
    ['run', registerRunCommand, (root: string) => ['run', pipeline, 'AllReports', '--root', root, '--python', '/nonexistent/python']],
    ['run --keep-state', registerRunCommand, (root: string) => ['run', pipeline, 'AllReports', '--keep-state', '--root', root, '--python', '/nonexistent/python']],
    ['reproduce', registerReproduceCommand, (root: string) => ['reproduce', pipeline, 'LoadOrders', '--root', root, '--python', '/nonexistent/python']],
    ['chaos', registerChaosCommand, (root: string) => ['chaos', pipeline, 'AllReports', '--runs', '1', '--root', root, '--python', '/nonexistent/python']],
    ['demo', registerDemoCommand, (root: string) => ['demo', '--sample', path.join(REPO, 'samples/orders'), '--root', root, '--python', '/nonexistent/python']],
    ['emulator start', registerEmulatorCommand, (root: string) => ['emulator', 'start', '--root', root]],
    ['emulator reset', registerEmulatorCommand, (root: string) => ['emulator', 'reset', '--root', root]],
    ['emulator migrate', registerEmulatorCommand, (root: string) => ['emulator', 'migrate', '--root', root]],
    ['emulator query', registerEmulatorCommand, (root: string) => ['emulator', 'query', 'SELECT 1', '--root', root]],
    ['emulator inspect', registerEmulatorCommand, (root: string) => ['emulator', 'inspect', '--root', root]],
  ])('%s', async (_name, register, args) => {
    const root = workspace({ backend: 'external', databaseId: 'fromjson' }, { 'migrations/0001_t.sql': 'CREATE TABLE T (Id INT64) PRIMARY KEY (Id)' });
    await expect(cli(register, args(root))).rejects.toThrow(NEEDS_HOST);
  });

  it('doctor', async () => {
    const root = workspace({ image: 'example.invalid/from-json:1' });
    const out: string[] = [];
    vi.mocked(console.log).mockImplementation((line: string) => void out.push(line));
    await cli(registerDoctorCommand, ['doctor', '--root', root, '--python', '/nonexistent/python']);
    expect(out.join('\n')).toMatch(/Emulator image +.*example\.invalid\/from-json:1/);
    // The report names the workspace whose settings it checked: its folder, database and emulator.
    expect(out.join('\n')).toContain(`Workspace settings     ${root}: database ${workspaceDatabaseId(root)} in luigi-spanner-local/local; emulator "default" (auto, a free port); luigi-spanner.json`);
    const broken = workspace({ databaseId: 'Bad_DB' });
    out.length = 0;
    await cli(registerDoctorCommand, ['doctor', '--root', broken, '--python', '/nonexistent/python']);
    expect(out.join('\n')).toMatch(/MISSING +Workspace settings +Invalid database id "Bad_DB"/);
  });
});
