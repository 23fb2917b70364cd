// Emulator settings for a workspace folder: VS Code settings the user set explicitly, over
// luigi-spanner.json at the folder's root, over environment variables and defaults.
import path from 'node:path';
import * as vscode from 'vscode';
import { resolveSettings, type BackendChoice, type EmulatorSettings } from '../../../emulator/src/settings';
import { readWorkspaceConfig } from '../../core/workspaceConfig';

/** A value only when the user set it somewhere (defaults leave luigi-spanner.json in charge). */
function explicit<T>(config: vscode.WorkspaceConfiguration, key: string): T | undefined {
  const inspected = config.inspect<T>(key);
  const value = inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
  return value === '' ? undefined : value;
}

export function emulatorSettingsFor(folder: vscode.Uri | undefined): EmulatorSettings {
  const config = vscode.workspace.getConfiguration('luigiSpanner', folder);
  const root = folder?.fsPath;
  const file = root ? readWorkspaceConfig(root) : {};
  const dir = (value: string | undefined) => (value === undefined ? undefined : root ? path.resolve(root, value) : path.resolve(value));
  return resolveSettings({
    backend: explicit<BackendChoice>(config, 'emulator.backend') ?? file.backend,
    image: explicit<string>(config, 'emulator.image') ?? file.image,
    projectId: explicit<string>(config, 'spanner.projectId') ?? file.projectId,
    instanceId: explicit<string>(config, 'spanner.instanceId') ?? file.instanceId,
    databaseId: explicit<string>(config, 'spanner.databaseId') ?? file.databaseId,
    faultInjection: explicit<boolean>(config, 'emulator.faultInjection') ?? file.faultInjection,
    name: file.name,
    grpcPort: file.grpcPort,
    migrationsDir: dir(explicit<string>(config, 'migrationsDir')) ?? file.migrationsDir,
    seedsDir: dir(explicit<string>(config, 'seedsDir')) ?? file.seedsDir,
  });
}

export function keepEmulatorRunning(folder: vscode.Uri | undefined): boolean {
  return vscode.workspace.getConfiguration('luigiSpanner', folder).get<boolean>('emulator.keepRunning', false);
}
