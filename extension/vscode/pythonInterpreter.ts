// The interpreter for runs: the Python extension's selection (public API), else the setting,
// else the managed virtual environment (created with progress on first use).
import * as vscode from 'vscode';
import { ensureManagedVenv, resolvePython } from '../core/python/interpreter';
import { pythonPathSetting } from './settings';

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

/**
 * The interpreter chosen for runs of `resource` (a folder or a file in one): the setting, else the
 * Python extension's selection for that folder; undefined leaves it to resolvePython() (the
 * environment, then the managed venv). The Doctor checks this one.
 */
export async function chosenPython(resource: vscode.Uri): Promise<string | undefined> {
  return pythonPathSetting(resource) ?? (await fromPythonExtension(resource));
}

export async function pythonForRun(resource: vscode.Uri, log: (line: string) => void): Promise<string> {
  const chosen = (await chosenPython(resource)) ?? resolvePython();
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
