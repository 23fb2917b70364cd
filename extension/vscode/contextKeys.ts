// Sets the context keys named in commands.ts (`ContextKeys`).
import * as vscode from 'vscode';
import type { ContextKeys } from './commands';

export function setContext(key: (typeof ContextKeys)[keyof typeof ContextKeys], value: boolean): void {
  void vscode.commands.executeCommand('setContext', key, value);
}
