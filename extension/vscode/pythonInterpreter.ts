// The interpreter for runs: the Python extension's selection (public API), else the setting,
// else the managed virtual environment (created with progress on first use).
import * as vscode from 'vscode';
import { ensureManagedVenv, resolvePython } from '../core/python/interpreter';

interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined;
    resolveEnvironment(path: { path: string } | string): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
  };
}

async function fromPythonExtension(resource: vscode.Uri): Promise<string | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
  if (!extension) return undefined;
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    const active = api.environments?.getActiveEnvironmentPath(resource);
    if (!active) return undefined;
    const resolved = await api.environments?.resolveEnvironment(active);
    return resolved?.executable?.uri?.fsPath;
  } catch {
    return undefined;
  }
}

export async function pythonForRun(resource: vscode.Uri, log: (line: string) => void): Promise<string> {
  const setting = vscode.workspace.getConfiguration('luigiSpanner', resource).get<string>('pythonPath') || undefined;
  const chosen = setting ?? (await fromPythonExtension(resource)) ?? resolvePython();
  if (chosen) return chosen;
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Luigi Spanner: creating the Python environment' },
    (progress) =>
      ensureManagedVenv((line) => {
        log(line);
        progress.report({ message: line.slice(0, 80) });
      }),
  );
}
