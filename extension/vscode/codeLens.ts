// "▶ Run" and "Show graph" above each Luigi task class.
import * as vscode from 'vscode';
import type { AnalysisService } from './analysisService';
import { Commands } from './commands';

export class TaskCodeLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly analysis: AnalysisService) {
    analysis.onDidChange(() => this.changed.fire());
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    await this.analysis.ready;
    return this.analysis.tasksIn(document.uri).flatMap((task) => {
      const range = new vscode.Range(task.line - 1, 0, task.line - 1, 0);
      const args = [{ file: document.uri.fsPath, task: task.name, taskId: task.id }];
      const lenses = [new vscode.CodeLens(range, { title: 'Show graph', command: Commands.showGraph, arguments: args, tooltip: `Show ${task.name} in the pipeline graph` })];
      if (task.kind !== 'external') {
        lenses.unshift(
          new vscode.CodeLens(range, { title: '▶ Run', command: Commands.runTask, arguments: args, tooltip: `Run ${task.name} and its upstream against the local emulator` }),
          new vscode.CodeLens(range, {
            title: 'Force rerun',
            command: Commands.forceRerun,
            arguments: args,
            tooltip: `Delete ${task.name}'s completion marker in the emulator's workspace database and run it again`,
          }),
        );
      }
      return lenses;
    });
  }
}
