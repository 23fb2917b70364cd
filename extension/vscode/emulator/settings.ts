// Emulator settings for a workspace folder, through the one resolver (core/settings.ts): the VS Code
// settings the user set explicitly are its flags, over luigi-spanner.json, the environment, defaults.
import path from 'node:path';
import * as vscode from 'vscode';
import type { BackendChoice } from '../../../emulator/src/settings';
import { resolveWorkspaceSettings, type WorkspaceSettings } from '../../core/settings';

/** A value only when the user set it somewhere (defaults leave luigi-spanner.json in charge). */
function explicit<T>(config: vscode.WorkspaceConfiguration, key: string): T | undefined {
  const inspected = config.inspect<T>(key);
  const value = inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
  return value === '' ? undefined : value;
}

/**
 * `pipelineFile`: the file a run starts from; without a configured migrations folder, the nearest
 * `migrations/` above it is the one. Without a folder, the current directory stands for it.
 */
export function emulatorSettingsFor(folder: vscode.Uri | undefined, pipelineFile?: vscode.Uri): WorkspaceSettings {
  const config = vscode.workspace.getConfiguration('luigiSpanner', folder);
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

export function keepEmulatorRunning(folder: vscode.Uri | undefined): boolean {
  return vscode.workspace.getConfiguration('luigiSpanner', folder).get<boolean>('emulator.keepRunning', false);
}
