// VS Code settings mapped onto the core's emulator settings (env and defaults fill the rest).
import * as vscode from 'vscode';
import { resolveSettings, type BackendChoice, type EmulatorSettings } from '../../emulator/src/settings';

export function emulatorSettings(resource?: vscode.Uri): EmulatorSettings {
  const config = vscode.workspace.getConfiguration('luigiSpanner', resource);
  return resolveSettings({
    backend: config.get<BackendChoice>('emulator.backend') || undefined,
    image: config.get<string>('emulator.image') || undefined,
    projectId: config.get<string>('spanner.projectId') || undefined,
    instanceId: config.get<string>('spanner.instanceId') || undefined,
    databaseId: config.get<string>('spanner.databaseId') || undefined,
  });
}
