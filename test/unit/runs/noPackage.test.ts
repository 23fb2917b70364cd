// A run on an interpreter the user chose that lacks the luigi-spanner package: a clear error
// naming the pip command, never a silent copy of the package on its path.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startRun } from '../../../extension/core/runs/runPipeline';

describe('a run on an interpreter without luigi-spanner', () => {
  it('stops with NO_PACKAGE and the pip command that fixes it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'no-package-'));
    // A fresh venv without pip: nothing installed, whatever the machine's Python has.
    execFileSync('python3', ['-m', 'venv', '--without-pip', path.join(dir, 'venv')]);
    const python = path.join(dir, 'venv', 'bin', 'python');
    writeFileSync(path.join(dir, 'pipeline.py'), 'import luigi\n');
    const handle = startRun({ python, file: path.join(dir, 'pipeline.py'), task: 'Anything', env: {} });
    const error = await handle.done.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'NO_PACKAGE', message: expect.stringContaining(`${python} has no luigi-spanner package`) });
    expect((error as { fix: string }).fix).toContain(`${python} -m pip install`);
  }, 30_000);
});
