// Lint runs on every keystroke, so half-typed code is the normal case: it must never throw, and a
// broken statement must not hide findings elsewhere in the file.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkspaceIndex } from '../../../extension/core/analysis/workspace-index';
import { Linter } from '../../../extension/core/lint/engine';

const CORPUS = path.resolve(__dirname, '..', '..', 'fixtures', 'lint', 'corpus');
const FILES = ['markers/pipeline.py', 'values/pipeline.py', 'transactions/pipeline.py', 'mixed/shipments.py'];

describe('half-typed code', () => {
  for (const file of FILES) {
    it(`${file}: cut at 20 points, or with a stray bracket, lints without throwing`, () => {
      const text = readFileSync(path.join(CORPUS, file), 'utf8');
      const index = new WorkspaceIndex();
      const linter = new Linter({ index });
      for (let k = 1; k <= 20; k++) {
        const cut = Math.floor((text.length * k) / 21);
        for (const variant of [text.slice(0, cut), `${text.slice(0, cut)}(\n${text.slice(cut)}`, `${text.slice(0, cut)}"""${text.slice(cut)}`]) {
          index.setFile(file, variant);
          expect(() => linter.lintPythonFile(file, variant)).not.toThrow();
        }
      }
    });
  }

  it('still reports a finding below an unclosed call', () => {
    const index = new WorkspaceIndex();
    const linter = new Linter({ index });
    const text = `import luigi\nfrom luigi_spanner import connect\n\nbroken = dict(\n\n\ndef backfill(rows):\n    with connect().batch() as batch:\n        batch.insert("Events", ["EventId"], rows[:10])\n`;
    index.setFile('etl.py', text);
    // The unclosed call is a syntax error (a finding of its own); the insert below it is still checked.
    expect(linter.lintPythonFile('etl.py', text).map((f) => `${f.code}:${f.line}`)).toEqual(['syntax-error:4', 'LS002:9']);
  });
});
