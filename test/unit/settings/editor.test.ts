// The editor's side of the one resolver (extension/vscode/settings.ts): the luigiSpanner.*
// settings the user set are its flags, over luigi-spanner.json, over the environment. The editor API
// is replaced by the smallest stand-in that answers `getConfiguration(...).inspect(key)` the way VS
// Code does (default, global, workspace and folder values apart); nothing else of it is used.
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { workspaceDatabaseId } from '../../../extension/core/settings';

const userSettings = new Map<string, unknown>();
/** Folder settings (a multi-root window's `.vscode/settings.json` per folder), by folder path. */
const folderSettings = new Map<string, Map<string, unknown>>();
/** The scopes settings were read with. */
const scopes: Array<string | undefined> = [];

/** The folder of a scope as VS Code finds it: the folder itself, or the folder a file is in. */
const folderOf = (scope: { fsPath: string } | undefined) =>
  scope ? [...folderSettings.keys()].find((root) => scope.fsPath === root || scope.fsPath.startsWith(`${root}${path.sep}`)) : undefined;

vi.mock('vscode', () => ({
  workspace: {
    getConfiguration: (section: string, scope?: { fsPath: string }) => {
      scopes.push(scope?.fsPath);
      const folder = folderSettings.get(folderOf(scope) ?? '');
      return {
        inspect: (key: string) => ({ key: `${section}.${key}`, workspaceValue: userSettings.get(key), workspaceFolderValue: folder?.get(key) }),
        get: (key: string, fallback?: unknown) => folder?.get(key) ?? userSettings.get(key) ?? fallback,
      };
    },
  },
}));

const { emulatorSettingsFor, keepEmulatorRunning, runSettingsFor } = await import('../../../extension/vscode/settings');

function folder(config: unknown, files: string[] = []): { fsPath: string } {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'ls-editor-')));
  writeFileSync(path.join(root, 'luigi-spanner.json'), JSON.stringify(config));
  for (const file of files) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), '');
  }
  return { fsPath: root };
}

describe('editor settings through the one resolver', () => {
  const saved = { ...process.env };
  afterEach(() => {
    userSettings.clear();
    folderSettings.clear();
    scopes.length = 0;
    process.env = { ...saved };
  });

  it('luigi-spanner.json reaches the editor, over the environment', () => {
    process.env.SPANNER_DATABASE = 'from-env';
    const root = folder({ databaseId: 'fromjson', markerTable: 'AuditMarkers', backend: 'binary' });
    expect(emulatorSettingsFor(root as never)).toMatchObject({ databaseId: 'fromjson', markerTable: 'AuditMarkers', backend: 'binary', workspace: root.fsPath });
  });

  it("the settings the user set win over the file; unset ones leave it in charge", () => {
    const root = folder({ databaseId: 'fromjson', instanceId: 'file-inst' });
    userSettings.set('spanner.databaseId', 'from-editor');
    userSettings.set('migrationsDir', 'db');
    expect(emulatorSettingsFor(root as never)).toMatchObject({ databaseId: 'from-editor', instanceId: 'file-inst', migrationsDir: path.join(root.fsPath, 'db') });
  });

  it('without a databaseId anywhere, the workspace gets its own; a run takes the migrations nearest its pipeline', () => {
    delete process.env.SPANNER_DATABASE;
    const root = folder({}, ['migrations/0001_a.sql', 'jobs/migrations/0001_b.sql', 'jobs/pipeline.py']);
    const settings = emulatorSettingsFor(root as never, { fsPath: path.join(root.fsPath, 'jobs', 'pipeline.py') } as never);
    expect(settings.databaseId).toBe(workspaceDatabaseId(root.fsPath));
    expect(settings.migrationsDir).toBe(path.join(root.fsPath, 'jobs', 'migrations'));
  });

  it('a multi-root window: each folder gets its own folder settings, for emulator, runs and keepRunning alike', () => {
    const orders = folder({ databaseId: 'orders-db' });
    const billing = folder({ projectId: 'billing-project' }, ['jobs/pipeline.py']);
    userSettings.set('spanner.instanceId', 'shared');
    folderSettings.set(orders.fsPath, new Map<string, unknown>([['run.keepState', true]]));
    folderSettings.set(
      billing.fsPath,
      new Map<string, unknown>([
        ['spanner.databaseId', 'billing-db'],
        ['run.scheduler', '127.0.0.1:8082'],
        ['emulator.keepRunning', true],
      ]),
    );
    // Folder values over the workspace's; luigi-spanner.json where no setting speaks.
    expect(emulatorSettingsFor(orders as never)).toMatchObject({ databaseId: 'orders-db', instanceId: 'shared', workspace: orders.fsPath });
    expect(emulatorSettingsFor(billing as never)).toMatchObject({ databaseId: 'billing-db', projectId: 'billing-project', instanceId: 'shared', workspace: billing.fsPath });
    // A run reads the settings of its file's folder.
    const billingFile = { fsPath: path.join(billing.fsPath, 'jobs', 'pipeline.py') };
    expect(runSettingsFor(billingFile as never)).toEqual({ keepState: false, minimalEnvironment: false, scheduler: '127.0.0.1:8082' });
    expect(runSettingsFor({ fsPath: path.join(orders.fsPath, 'pipeline.py') } as never)).toEqual({ keepState: true, minimalEnvironment: false, scheduler: undefined });
    expect([keepEmulatorRunning(orders as never), keepEmulatorRunning(billing as never)]).toEqual([false, true]);
    // Never read without a scope: a window of several folders would give the first folder's values.
    expect(scopes.filter((s) => s === undefined)).toEqual([]);
  });
});
