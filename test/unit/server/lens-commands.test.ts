// The server's CodeLenses name commands by id; the VS Code client runs them only if its command
// table registers the same ids.
import { describe, expect, test } from 'vitest';
import { TaskLensCommands } from '../../../extension/shared/protocol';
import { Commands } from '../../../extension/vscode/commands';

describe('CodeLens commands of the language server', () => {
  test('are the extension’s Run, Force rerun and Show graph commands', () => {
    expect(TaskLensCommands).toEqual({ run: Commands.runTask, forceRerun: Commands.forceRerun, showGraph: Commands.showGraph });
  });
});
