// Quick fixes are pure text edits: applied to the file (and the migrations), the finding is gone.
import { describe, expect, it } from 'vitest';
import { WorkspaceIndex } from '../../../extension/core/analysis/workspace-index';
import { applyTextEdits } from '../../../extension/core/lint/edits';
import { Linter } from '../../../extension/core/lint/engine';
import type { Finding, QuickFix } from '../../../extension/core/lint/types';

const SCHEMA = `CREATE TABLE Events (
  EventId STRING(64) NOT NULL,
  Kind STRING(32),
  SeenAt TIMESTAMP,
  LoadedAt TIMESTAMP NOT NULL OPTIONS (allow_commit_timestamp = true),
) PRIMARY KEY (EventId);
`;

/** A workspace in memory: pipeline/etl.py and pipeline/migrations/0001_events.sql. */
function workspace(python: string, files: Record<string, string> = { 'pipeline/migrations/0001_events.sql': SCHEMA }) {
  const index = new WorkspaceIndex();
  const linter = new Linter({ index });
  const texts = new Map<string, string>(Object.entries(files));
  texts.set('pipeline/etl.py', python);
  const lint = () => {
    for (const [file, text] of texts) if (file.endsWith('.sql')) linter.setMigration(file, text);
    index.setFile('pipeline/etl.py', texts.get('pipeline/etl.py')!);
    return [...linter.lintPythonFile('pipeline/etl.py', texts.get('pipeline/etl.py')!), ...linter.migrationDirs().flatMap((d) => linter.lintMigrationDir(d))];
  };
  const apply = (fix: QuickFix) => {
    for (const file of new Set(fix.edits.map((e) => e.file))) texts.set(file, applyTextEdits(texts.get(file) ?? '', fix.edits.filter((e) => e.file === file)));
  };
  return { lint, apply, texts };
}

const only = (findings: Finding[], code: string) => {
  const found = findings.filter((f) => f.code === code);
  expect(found, JSON.stringify(findings.map((f) => `${f.code}:${f.line}`))).toHaveLength(1);
  return found[0]!;
};

const HEADER = 'import datetime\n\nimport luigi\nfrom luigi_spanner import Mutation, SpannerTask, connect\n\n\n';

describe('quick fixes', () => {
  it('turns a batch insert into insert_or_update', () => {
    const ws = workspace(`${HEADER}def backfill(rows):\n    with connect().batch() as batch:\n        batch.insert("Events", ["EventId", "Kind"], rows[:100])\n`);
    const finding = only(ws.lint(), 'LS002');
    const fix = finding.fixes!.find((f) => f.isPreferred)!;
    expect(fix.title).toBe('Use insert_or_update');
    ws.apply(fix);
    expect(ws.texts.get('pipeline/etl.py')).toContain('batch.insert_or_update("Events", ["EventId", "Kind"], rows[:100])');
    expect(ws.lint().filter((f) => f.code === 'LS002')).toEqual([]);
  });

  it('turns INSERT into INSERT OR UPDATE inside implicitly concatenated SQL', () => {
    const ws = workspace(`${HEADER}class Load(luigi.Task):\n    def output(self):\n        return luigi.LocalTarget("state/load.done")\n\n    def run(self):\n        connect().run_in_transaction(lambda t: t.execute_update(\n            "INSERT INTO Events (EventId, Kind) "\n            "VALUES ('a', 'b')"\n        ))\n`);
    const finding = only(ws.lint(), 'LS002');
    expect(finding.line).toBe(12);
    ws.apply(finding.fixes![0]!);
    expect(ws.texts.get('pipeline/etl.py')).toContain('"INSERT OR UPDATE INTO Events (EventId, Kind) "');
    expect(ws.lint().filter((f) => f.code === 'LS002')).toEqual([]);
  });

  it('fixes a plain insert in a mutation group', () => {
    const ws = workspace(`${HEADER}def replay():\n    groups = connect().mutation_groups()\n    groups.group().insert("Events", ["EventId"], [["x"]])\n    groups.batch_write()\n`);
    const finding = only(ws.lint(), 'LS002');
    ws.apply(finding.fixes![0]!);
    expect(ws.texts.get('pipeline/etl.py')).toContain('groups.group().insert_or_update("Events"');
  });

  it('makes a clock-defaulted parameter required', () => {
    const ws = workspace(`${HEADER}class Load(SpannerTask):\n    day = luigi.DateParameter(default=datetime.date.today(), description="the day")\n    target_table = "Events"\n\n    def mutations(self):\n        yield Mutation.insert_or_update("Events", ["EventId"], [[str(self.day)]])\n`);
    const finding = only(ws.lint(), 'LS004');
    ws.apply(finding.fixes!.find((f) => f.isPreferred)!);
    expect(ws.texts.get('pipeline/etl.py')).toContain('day = luigi.DateParameter(description="the day")');
    expect(ws.lint().filter((f) => f.code === 'LS004')).toEqual([]);
  });

  it('replaces a client clock with spanner.COMMIT_TIMESTAMP, imports spanner and adds the migration', () => {
    const ws = workspace(`"""Doc."""\nfrom __future__ import annotations\n\n${HEADER}class Load(SpannerTask):\n    batch = luigi.Parameter()\n    target_table = "Events"\n\n    def mutations(self):\n        seen = datetime.datetime.now()\n        yield Mutation.insert_or_update("Events", ["EventId", "SeenAt"], [[self.batch, seen]])\n`);
    const finding = only(ws.lint(), 'LS005');
    const fix = finding.fixes!.find((f) => f.isPreferred)!;
    expect(fix.edits.map((e) => e.file).sort()).toEqual(['pipeline/etl.py', 'pipeline/etl.py', 'pipeline/migrations/0002_allow_commit_timestamp_events_seenat.sql']);
    ws.apply(fix);
    const text = ws.texts.get('pipeline/etl.py')!;
    expect(text).toContain('seen = spanner.COMMIT_TIMESTAMP');
    expect(text).toMatch(/from __future__ import annotations\n\nfrom google\.cloud import spanner\nimport datetime\n/);
    expect(ws.texts.get('pipeline/migrations/0002_allow_commit_timestamp_events_seenat.sql')).toContain('ALTER TABLE Events ALTER COLUMN SeenAt SET OPTIONS (allow_commit_timestamp = true);');
    expect(ws.lint()).toEqual([]);
  });

  it('adds allow_commit_timestamp for a commit timestamp written to a plain TIMESTAMP column', () => {
    const python = `${HEADER}from google.cloud import spanner\n\n\nclass Load(SpannerTask):\n    target_table = "Events"\n\n    def mutations(self):\n        yield Mutation.insert_or_update("Events", ["EventId", "SeenAt"], [["a", spanner.COMMIT_TIMESTAMP]])\n`;
    const ws = workspace(python);
    const finding = only(ws.lint(), 'LS102');
    expect(finding.fixes!.map((f) => f.title)).toEqual([
      'Allow commit timestamps on Events.SeenAt in a new migration',
      'Add allow_commit_timestamp = true to Events.SeenAt in pipeline/migrations/0001_events.sql (only if that migration is not applied anywhere yet)',
      'Suppress LS102 on this line',
    ]);
    const inPlace = workspace(python);
    inPlace.apply(finding.fixes![1]!);
    expect(inPlace.texts.get('pipeline/migrations/0001_events.sql')).toContain('SeenAt TIMESTAMP OPTIONS (allow_commit_timestamp = true),');
    expect(inPlace.lint()).toEqual([]);
    ws.apply(finding.fixes![0]!);
    expect(ws.lint()).toEqual([]);
  });

  it('suppresses with a comment on the line, and extends an existing one', () => {
    const ws = workspace(`${HEADER}def backfill(rows):\n    with connect().batch() as batch:\n        batch.insert("Events", ["EventId"], rows[:10])  # luigi-spanner: ignore[LS006]\n`);
    const finding = only(ws.lint(), 'LS002');
    const suppress = finding.fixes!.find((f) => f.title === 'Suppress LS002 on this line')!;
    ws.apply(suppress);
    expect(ws.texts.get('pipeline/etl.py')).toContain('# luigi-spanner: ignore[LS006, LS002]');
    expect(ws.lint()).toEqual([]);
  });
});
