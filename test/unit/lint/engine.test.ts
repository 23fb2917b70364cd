// The incremental engine: facts from other files (base classes, task kinds) reach a file's
// findings, and edits re-analyse only what they can change.
import { describe, expect, it } from 'vitest';
import { WorkspaceIndex } from '../../../extension/core/analysis/workspace-index';
import { Linter } from '../../../extension/core/lint/engine';

const BASE = 'import luigi\n\n\nclass Base(luigi.Task):\n    pass\n';
const LOAD = `import luigi
from luigi_spanner import connect

from pipelines.base import Base


class Load(Base):
    def run(self):
        with connect().batch() as batch:
            batch.insert_or_update("Orders", ["OrderId"], [[1]])
`;

function setup() {
  const index = new WorkspaceIndex();
  const linter = new Linter({ index });
  const texts = new Map([
    ['pipelines/__init__.py', ''],
    ['pipelines/base.py', BASE],
    ['pipelines/load.py', LOAD],
  ]);
  for (const [file, text] of texts) index.setFile(file, text);
  const lint = (file: string) => linter.lintPythonFile(file, texts.get(file)!).map((f) => `${f.code}:${f.line}`);
  const edit = (file: string, text: string) => {
    texts.set(file, text);
    index.setFile(file, text);
  };
  return { linter, lint, edit };
}

describe('lint engine', () => {
  it('knows a class is a task through a base class in another file, and follows edits there', () => {
    const { linter, lint, edit } = setup();
    lint('pipelines/base.py');
    expect(lint('pipelines/load.py')).toEqual(['LS009:7']);
    // The base gains an output(): Load is no longer missing a completion check.
    edit('pipelines/base.py', `${BASE}\n    def output(self):\n        return luigi.LocalTarget("x")\n`);
    lint('pipelines/base.py');
    expect(linter.affectsOtherFiles('pipelines/base.py')).toBe(true);
    expect(lint('pipelines/load.py')).toEqual([]);
    // Base stops being a task: Load is not a task either, so nothing is reported.
    edit('pipelines/base.py', 'class Base:\n    pass\n');
    lint('pipelines/base.py');
    expect(lint('pipelines/load.py')).toEqual([]);
  });

  it('an edit inside a function body does not touch other files', () => {
    const { linter, lint, edit } = setup();
    lint('pipelines/base.py');
    lint('pipelines/load.py');
    edit('pipelines/load.py', LOAD.replace('[[1]]', '[[2]]'));
    expect(lint('pipelines/load.py')).toEqual(['LS009:7']);
    expect(linter.affectsOtherFiles('pipelines/load.py')).toBe(false);
  });

  it('re-reads the schema when a migration changes', () => {
    const { linter, edit, lint } = setup();
    edit('pipelines/load.py', LOAD.replace('batch.insert_or_update("Orders", ["OrderId"], [[1]])', 'batch.insert_or_update("Orders", ["OrderId", "At"], [[1, spanner.COMMIT_TIMESTAMP]])').replace('import luigi\n', 'import luigi\nfrom google.cloud import spanner\n'));
    linter.setMigration('pipelines/migrations/0001_orders.sql', 'CREATE TABLE Orders (OrderId INT64 NOT NULL, At TIMESTAMP) PRIMARY KEY (OrderId);');
    expect(lint('pipelines/load.py')).toEqual(['LS009:8', 'LS102:11']);
    linter.setMigration('pipelines/migrations/0002_allow.sql', 'ALTER TABLE Orders ALTER COLUMN At SET OPTIONS (allow_commit_timestamp = true);');
    expect(lint('pipelines/load.py')).toEqual(['LS009:8']);
    linter.removeMigration('pipelines/migrations/0002_allow.sql');
    expect(lint('pipelines/load.py')).toEqual(['LS009:8', 'LS102:11']);
  });

  it('resolves a table name as the graph does (one resolver): an imported constant, followed when that file changes', () => {
    const { linter, edit, lint } = setup();
    edit('pipelines/tables.py', 'ORDERS = "Orders"\n');
    edit(
      'pipelines/load.py',
      LOAD.replace('import luigi\n', 'import luigi\nfrom google.cloud import spanner\nfrom pipelines import tables\n').replace(
        'batch.insert_or_update("Orders", ["OrderId"], [[1]])',
        'batch.insert_or_update(tables.ORDERS, ["OrderId", "At"], [[1, spanner.COMMIT_TIMESTAMP]])',
      ),
    );
    linter.setMigration('pipelines/migrations/0001_orders.sql', 'CREATE TABLE Orders (OrderId INT64 NOT NULL, At TIMESTAMP) PRIMARY KEY (OrderId);');
    // LS102 reads the column of the table the write names: Orders, through the constant in tables.py.
    expect(lint('pipelines/load.py')).toEqual(['LS009:9', 'LS102:12']);
    // Only tables.py changes: load.py's text is the same, its findings follow the constant.
    edit('pipelines/tables.py', 'ORDERS = "Archive"\n');
    expect(lint('pipelines/load.py')).toEqual(['LS009:9']);
    edit('pipelines/tables.py', 'ORDERS = "Orders"\n');
    expect(lint('pipelines/load.py')).toEqual(['LS009:9', 'LS102:12']);
  });

  it('reports syntax errors once: as findings for the CLI, not at all where the editor shows them already', () => {
    const broken = LOAD.replace('    def run(self):', '    def run(self:');
    const index = new WorkspaceIndex();
    index.setFile('pipelines/load.py', broken);
    const graphErrors = index.diagnosticsFor('pipelines/load.py').filter((d) => d.code === 'syntax-error');
    expect(graphErrors.length).toBe(1);
    const cli = new Linter({ index }).lintPythonFile('pipelines/load.py', broken).filter((f) => f.code === 'syntax-error');
    // The same error the graph reports (its column is 0-based, the lint's 1-based).
    expect(cli.map((f) => `${f.line}:${f.column - 1}:${f.severity}:${f.message}`)).toEqual(graphErrors.map((d) => `${d.line}:${d.column}:error:${d.message}`));
    const editor = new Linter({ index, syntaxErrors: false }).lintPythonFile('pipelines/load.py', broken);
    expect(editor.filter((f) => f.code === 'syntax-error')).toEqual([]);
    // A text the index has not seen is parsed by the lint itself, with the same result.
    const other = new Linter({ index: new WorkspaceIndex() }).lintPythonFile('pipelines/load.py', broken).filter((f) => f.code === 'syntax-error');
    expect(other.map((f) => `${f.line}:${f.column}`)).toEqual(cli.map((f) => `${f.line}:${f.column}`));
  });
});
