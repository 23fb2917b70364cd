// Every `luigiSpanner.*` setting the extension host reads or writes, in one place, each read with
// its scope: a workspace folder (or a file in one, which VS Code maps to its folder) for the
// settings that differ per folder, so a multi-root window gives every folder its own. Emulator and
// run settings go on through the one resolver (core/settings.ts): the VS Code settings the user set
// explicitly are its flags, over luigi-spanner.json, the environment, defaults. The language server
// reads the lint settings itself (`workspace/configuration` with the file's folder as scopeUri), and
// the graph view (graph/graphPanel.ts) `graph.direction`, a window setting read without a scope.
import path from 'node:path';
import * as vscode from 'vscode';
import type { BackendChoice } from '../../emulator/src/settings';
import { resolveWorkspaceSettings, type WorkspaceSettings } from '../core/settings';

const SECTION = 'luigiSpanner';

/** The section as seen from `scope` (a folder or a file in one): folder values over workspace, user, default. */
function section(scope: vscode.Uri | undefined): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION, scope);
}

/** A value only when the user set it somewhere (defaults leave luigi-spanner.json in charge). */
function explicit<T>(config: vscode.WorkspaceConfiguration, key: string): T | undefined {
  const inspected = config.inspect<T>(key);
  const value = inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
  return value === '' ? undefined : value;
}

/**
 * The emulator settings of a workspace folder. `pipelineFile`: the file a run starts from; without a
 * configured migrations folder, the nearest `migrations/` above it is the one. Without a folder, the
 * current directory stands for it.
 */
export function emulatorSettingsFor(folder: vscode.Uri | undefined, pipelineFile?: vscode.Uri): WorkspaceSettings {
  const config = section(folder);
  const root = folder?.fsPath ?? process.cwd();
  const dir = (value: string | undefined) => (value === undefined ? undefined : path.resolve(root, value));
  return resolveWorkspaceSettings(
    root,
    {
      backend: explicit<BackendChoice>(config, 'emulator.backend'),
      image: explicit<string>(config, 'emulator.image'),
      projectId: explicit<string>(config, 'spanner.projectId'),
      instanceId: explicit<string>(config, 'spanner.instanceId'),
      databaseId: explicit<string>(config, 'spanner.databaseId'),
      faultInjection: explicit<boolean>(config, 'emulator.faultInjection'),
      migrationsDir: dir(explicit<string>(config, 'migrationsDir')),
      seedsDir: dir(explicit<string>(config, 'seedsDir')),
    },
    { pipelineFile: pipelineFile?.fsPath },
  );
}

/** Whether the emulator a folder's controller started outlives the window. */
export function keepEmulatorRunning(folder: vscode.Uri | undefined): boolean {
  return section(folder).get<boolean>('emulator.keepRunning', false);
}

export interface RunSettings {
  keepState: boolean;
  minimalEnvironment: boolean;
  /** `host:port` of a central luigid, as written (launch.ts parses it). */
  scheduler: string | undefined;
}

/** How runs of a pipeline file go: the settings of its folder. */
export function runSettingsFor(file: vscode.Uri): RunSettings {
  const config = section(file);
  return {
    keepState: config.get<boolean>('run.keepState') ?? false,
    minimalEnvironment: config.get<boolean>('run.minimalEnvironment') ?? false,
    scheduler: config.get<string>('run.scheduler') || undefined,
  };
}

/** `luigiSpanner.pythonPath`: a machine setting (no workspace or folder value is ever read); empty means unset. */
export function pythonPathSetting(resource: vscode.Uri | undefined): string | undefined {
  return section(resource).get<string>('pythonPath') || undefined;
}

/** The emulator image a folder asked for, when it did. */
export function emulatorImageSetting(folder: vscode.Uri | undefined): string | undefined {
  return section(folder).get<string>('emulator.image') || undefined;
}

/**
 * Writes an emulator setting where it applies to `folder` only (its folder settings), or for the
 * user without a folder. `undefined` removes it.
 */
export async function updateEmulatorSetting(folder: vscode.Uri | undefined, key: 'emulator.backend' | 'emulator.image', value: string | undefined): Promise<void> {
  await section(folder).update(key, value, folder ? vscode.ConfigurationTarget.WorkspaceFolder : vscode.ConfigurationTarget.Global);
}
