// The editor's side of the one resolver (extension/vscode/emulator/settings.ts): the luigiSpanner.*
// settings the user set are its flags, over luigi-spanner.json, over the environment. The editor API
// is replaced by the smallest stand-in that answers `getConfiguration(...).inspect(key)` the way VS
// Code does (default, global, workspace and folder values apart); nothing else of it is used.
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { workspaceDatabaseId } from '../../../extension/core/settings';

const userSettings = new Map<string, unknown>();

vi.mock('vscode', () => ({
  workspace: {
    getConfiguration: (section: string) => ({
      inspect: (key: string) => ({ key: `${section}.${key}`, workspaceValue: userSettings.get(key) }),
      get: (key: string, fallback?: unknown) => userSettings.get(key) ?? fallback,
    }),
  },
}));

const { emulatorSettingsFor } = await import('../../../extension/vscode/emulator/settings');

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
});
