// LS002's scope (docs/rules/LS002.md): a plain insert in a replayable commit is reported anywhere,
// since the client replays it whether or not Luigi runs the code; the advice fits the place. In
// code a task runs it names the marker; in plain Spanner code (here an excerpt of
// googleapis/python-spanner's samples) it does not.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkspaceIndex } from '../../../extension/core/analysis/workspace-index';
import { Linter } from '../../../extension/core/lint/engine';
import { lintWorkspace } from '../../../extension/core/lint/workspace';

const NO_TASK = path.resolve(__dirname, '..', '..', 'fixtures', 'lint', 'corpus', 'no_task');

const BATCH = `    with database.batch() as batch:
        batch.insert("Singers", ("SingerId", "FirstName"), [(1, "Marc")])
`;

function lintText(text: string) {
  const index = new WorkspaceIndex();
  index.setFile('etl.py', text);
  return new Linter({ index }).lintPythonFile('etl.py', text).filter((f) => f.code === 'LS002');
}

describe('LS002 scope', () => {
  it('flags the batch inserts of the python-spanner samples without mentioning markers', () => {
    const findings = lintWorkspace(NO_TASK).findings.filter((f) => f.code === 'LS002');
    expect(findings.map((f) => `${f.file}:${f.line}`)).toEqual(['snippets.py:14', 'snippets.py:23']);
    for (const f of findings) {
      expect(f.message).not.toMatch(/marker/i);
      expect(f.message).toMatch(/database\.batch\(\).*ALREADY_EXISTS.*insert_or_update/);
      expect(f.taskId).toBeUndefined();
      expect(f.fixes?.[0]?.title).toBe('Use insert_or_update');
    }
  });

  it('names the marker where a task runs the insert', () => {
    const task = `import luigi\nfrom luigi_spanner import connect\n\n\nclass Load(luigi.Task):\n    def run(self):\n        database = connect()\n    ${BATCH.replace(/\n {4}/g, '\n        ')}`;
    const [inTask] = lintText(task);
    expect(inTask?.message).toMatch(/marker/);
    const helper = `from luigi_spanner import connect\n\n\ndef load():\n    database = connect()\n${BATCH}`;
    const [outside] = lintText(helper);
    expect(outside?.line).toBe(7);
    expect(outside?.message).not.toMatch(/marker/i);
  });
});

describe('LS002 range', () => {
  it("covers the call's name on its first line, not the rows of a multi-line call", () => {
    const text = `from luigi_spanner import connect\n\n\ndef load():\n    database = connect()\n    with database.batch() as batch:\n        batch.insert(\n            "Singers",\n            ("SingerId", "FirstName"),\n            [(1, "Marc")],\n        )\n`;
    const [finding] = lintText(text);
    expect(finding).toMatchObject({ line: 7, column: 9, endLine: 7 });
    expect(text.split('\n')[6]!.slice(finding!.column - 1, finding!.endColumn - 1)).toBe('batch.insert');
  });
});
