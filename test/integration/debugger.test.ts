// The duplicate-insert debugger on the real emulator with real Luigi: the broken samples' runtime
// findings land on the right file and line, reproduce tells unsafe samples from rerun-safe ones,
// and each finding carries the rows and writers the database holds.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dropDatabase, type Target } from '../../emulator/src';
import { runEnv } from '../../extension/core/runs/runTarget';
import { findingsOfRun, reproduceRerun, type DuplicateInsertDetails, type PartialResultsDetails, type RuntimeFinding } from '../../extension/core/debugger';
import { startRun } from '../../extension/core/runs/runPipeline';
import { freshDatabase as createDatabase, query } from '../support/emulator';
import { REPO_ROOT, testPython } from '../support/python';

const SAMPLES = path.join(REPO_ROOT, 'samples');
const PLAIN_INSERT = path.join(SAMPLES, 'broken', 'plain_insert_replay');
const MARKER_OUTSIDE = path.join(SAMPLES, 'broken', 'marker_outside_txn');

function lineOf(file: string, needle: string): number {
  const index = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(needle));
  if (index < 0) throw new Error(`"${needle}" not in ${file}`);
  return index + 1;
}

const rel = (file: string) => path.relative(REPO_ROOT, file);

// The shared emulator holds at most 100 databases per instance: leave none behind.
const created: Target[] = [];
async function freshDatabase(migrationsDir: string, prefix: string): Promise<Target> {
  const target = await createDatabase(migrationsDir, prefix);
  created.push(target);
  return target;
}
afterAll(async () => {
  for (const target of created) await dropDatabase(target).catch(() => undefined);
});
const only = (findings: RuntimeFinding[], code: string) => {
  const found = findings.filter((f) => f.code === code);
  expect(found, `${code} in ${JSON.stringify(findings.map((f) => f.code))}`).toHaveLength(1);
  return found[0]!;
};

async function reproduce(sample: string, file: string, task: string, params: Record<string, string> = {}, env?: Record<string, string>) {
  const target = await freshDatabase(path.join(sample, 'migrations'), 'repro');
  return reproduceRerun({ python: testPython(), file: path.join(sample, file), task, params, root: REPO_ROOT, migrationsDir: path.join(sample, 'migrations'), target, env });
}

async function runOnce(target: Target, file: string, task: string, root: string, migrationsDir: string, workers?: number) {
  const outcome = await startRun({ python: testPython(), file, task, workers, env: runEnv(target) }).done;
  return { outcome, findings: await findingsOfRun(outcome, target, { root, migrationsDir }) };
}

function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ls-debugger-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return root;
}

describe('reproduce on the broken samples', () => {
  it('plain_insert_replay: LS204 at the chunk commit, LS201 at the insert, with the row and who wrote it', async () => {
    const started = performance.now();
    const result = await reproduce(PLAIN_INSERT, 'pipeline.py', 'LoadOrders', { batch: '2024-03-01' }, { PIPELINE_STATE_DIR: '{scratch}' });
    const pipeline = path.join(PLAIN_INSERT, 'pipeline.py');
    expect(result.verdict).toBe('unsafe');
    expect(result.runs.map((r) => r.status)).toEqual(['KILLED (SIGKILL)', 'FAILED']);

    const partial = only(result.findings, 'LS204');
    expect([partial.file, partial.line]).toEqual([rel(pipeline), lineOf(pipeline, 'with database.batch() as batch')]);
    expect(partial.staticRules).toEqual(['LS001', 'LS003']);
    const orphaned = partial.runtime as PartialResultsDetails;
    expect(orphaned).toMatchObject({ ended: 'killed', tables: { Orders: 3 }, evidence: 'rerun-started-task', runId: result.runs[0]!.runId, rerunId: result.runs[1]!.runId });
    // The orphaned rows themselves, from the commit trace.
    expect(orphaned.commits[0]!.sampleRows!.Orders).toMatchObject({ source: 'database', columns: ['OrderId', 'CustomerId', 'OrderDate', 'Amount', 'Status', 'Batch'] });
    expect(orphaned.commits[0]!.sampleRows!.Orders!.rows.map((r) => r[0])).toEqual(
      (await query<{ OrderId: number }>(result.database, 'SELECT OrderId FROM Orders ORDER BY OrderId')).map((r) => r.OrderId),
    );

    const duplicate = only(result.findings, 'LS201');
    expect([duplicate.file, duplicate.line]).toEqual([rel(pipeline), lineOf(pipeline, 'batch.insert(')]);
    expect(duplicate.column).toBe(readFileSync(pipeline, 'utf8').split('\n')[duplicate.line - 1]!.indexOf('batch.insert(') + 1);
    const details = duplicate.runtime as DuplicateInsertDetails;
    const firstOrder = readFileSync(path.join(PLAIN_INSERT, 'data', 'orders_2024-03-01.csv'), 'utf8').split('\n')[1]!.split(',');
    expect(details).toMatchObject({ table: 'Orders', key: { OrderId: Number(firstOrder[0]) }, keySource: 'mutation', conflictingRows: 3, grpcCode: 6 });
    expect(details.existingRow).toMatchObject({ OrderId: Number(firstOrder[0]), CustomerId: Number(firstOrder[1]), Batch: '2024-03-01' });
    expect(details.writers).toEqual([
      expect.objectContaining({ source: 'trace', exact: true, runId: result.runs[0]!.runId, markerMissing: true, location: { file: rel(pipeline), line: lineOf(pipeline, 'batch.insert(') } }),
    ]);
    expect(duplicate.related[0]).toMatchObject({ file: rel(pipeline), line: lineOf(pipeline, 'batch.insert(') });
    // The rows the finding names are the ones in the database: the first chunk, nothing more.
    expect(await query(result.database, 'SELECT COUNT(*) AS n FROM Orders')).toEqual([{ n: 3 }]);
    console.info(`reproduce plain_insert_replay: ${((performance.now() - started) / 1000).toFixed(1)}s`);
  });

  it('marker_outside_txn: LS204 at the data transaction, the rerun commits the same rows again', async () => {
    const result = await reproduce(MARKER_OUTSIDE, 'pipeline.py', 'AllBatches');
    const pipeline = path.join(MARKER_OUTSIDE, 'pipeline.py');
    expect(result.verdict).toBe('unsafe');
    expect(result.runs[1]!.status).toBe('SUCCESS');
    const partial = only(result.findings, 'LS204');
    expect([partial.file, partial.line]).toEqual([rel(pipeline), lineOf(pipeline, 'connect().run_in_transaction(load)')]);
    const details = partial.runtime as PartialResultsDetails;
    expect(Object.keys(details.tables).sort()).toEqual(['DailyRevenue', 'Orders']);
    // The timeline shows the killed task's commit, and the rerun committing to the same tables again.
    const commits = result.timeline.filter((e) => e.kind === 'commit' && e.task === details.taskLabel);
    expect(commits.map((e) => e.run)).toEqual([1, 2, 2]);
  });
});

describe('reproduce on the atomic samples', () => {
  it('orders: rerun-safe, the killed task found complete', async () => {
    const result = await reproduce(path.join(SAMPLES, 'orders'), 'pipeline.py', 'AllReports');
    expect(result.verdict).toBe('rerun-safe');
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const killed = result.runs[0]!.fault!;
    expect(killed).toMatchObject({ family: 'LoadCustomers', commit: 1, point: 'after-commit' });
    expect(result.timeline.some((e) => e.run === 2 && e.kind === 'complete' && e.task?.startsWith('LoadCustomers'))).toBe(true);
  });

  it('time_window IngestOrders: rerun-safe (its commits are atomic; its keys are the LS004 problem)', async () => {
    const result = await reproduce(path.join(SAMPLES, 'broken', 'time_window'), 'pipeline.py', 'IngestOrders', { batch: '2024-03-01' });
    expect(result.verdict).toBe('rerun-safe');
    expect(result.runs.map((r) => r.status)).toEqual(['KILLED (SIGKILL)', 'SUCCESS']);
  });
});

describe('findings of single runs', () => {
  it('LS201 names the writer through the row commit timestamp and its marker', async () => {
    const root = workspace({
      'migrations/0001_items.sql': [
        'CREATE TABLE Items (ItemId INT64 NOT NULL, Name STRING(MAX), LoadedAt TIMESTAMP NOT NULL OPTIONS (allow_commit_timestamp = true)) PRIMARY KEY (ItemId);',
        'CREATE TABLE LuigiTaskMarkers (UpdateId STRING(MAX) NOT NULL, TaskId STRING(MAX) NOT NULL, TaskFamily STRING(MAX) NOT NULL, TaskParams JSON, TargetTable STRING(MAX), RowCount INT64, RunId STRING(64) NOT NULL, RunUser STRING(MAX), RunHost STRING(MAX), CommittedAt TIMESTAMP NOT NULL OPTIONS (allow_commit_timestamp = true)) PRIMARY KEY (UpdateId);',
      ].join('\n'),
      'items.py': [
        'from google.cloud import spanner',
        'from luigi_spanner import Mutation, SpannerTask',
        '',
        'class LoadItems(SpannerTask):',
        '    target_table = "Items"',
        '',
        '    def mutations(self):',
        '        yield Mutation.insert("Items", ["ItemId", "Name", "LoadedAt"], [(1, "one", spanner.COMMIT_TIMESTAMP)])',
        '',
        '',
        'class LoadItemsAgain(SpannerTask):',
        '    target_table = "Items"',
        '',
        '    def write(self, transaction):',
        '        transaction.insert("Items", ["ItemId", "Name", "LoadedAt"], [(1, "uno", spanner.COMMIT_TIMESTAMP)])',
        '        return 1',
        '',
      ].join('\n'),
    });
    const target = await freshDatabase(path.join(root, 'migrations'), 'writer');
    const first = await runOnce(target, path.join(root, 'items.py'), 'LoadItems', root, path.join(root, 'migrations'));
    expect(first.outcome.summary?.success).toBe(true);
    const second = await runOnce(target, path.join(root, 'items.py'), 'LoadItemsAgain', root, path.join(root, 'migrations'));
    const duplicate = only(second.findings, 'LS201');
    expect([duplicate.file, duplicate.line]).toEqual(['items.py', 15]);
    const details = duplicate.runtime as DuplicateInsertDetails;
    const [marker] = await query<{ UpdateId: string; RunId: string }>(target, "SELECT UpdateId, RunId FROM LuigiTaskMarkers WHERE TaskFamily = 'LoadItems'");
    expect(details.writers).toEqual([
      expect.objectContaining({ source: 'commit-timestamp', exact: true, taskFamily: 'LoadItems', updateId: marker!.UpdateId, runId: marker!.RunId, location: { file: 'items.py', line: 4 } }),
    ]);
    expect(details.writers[0]!.committedAt).toBe(details.existingRow!.LoadedAt);
    expect(duplicate.message).toContain(`in run ${marker!.RunId}`);
  });

  it('LS201 from an INSERT statement: the key is parsed from the error only because no mutation carries it', async () => {
    const root = workspace({
      'migrations/0001_notes.sql': 'CREATE TABLE Notes (NoteId INT64 NOT NULL, Text STRING(MAX)) PRIMARY KEY (NoteId);\n',
      'dml.py': [
        'import luigi',
        'from luigi_spanner import connect',
        '',
        'class InsertNote(luigi.Task):',
        '    def complete(self):',
        '        return False',
        '',
        '    def run(self):',
        '        def insert(transaction):',
        '            transaction.execute_update("INSERT INTO Notes (NoteId, Text) VALUES (7, \'seven\')")',
        '        connect().run_in_transaction(insert)',
        '',
      ].join('\n'),
    });
    const target = await freshDatabase(path.join(root, 'migrations'), 'dml');
    expect((await runOnce(target, path.join(root, 'dml.py'), 'InsertNote', root, path.join(root, 'migrations'))).outcome.summary?.success).toBe(true);
    const { findings } = await runOnce(target, path.join(root, 'dml.py'), 'InsertNote', root, path.join(root, 'migrations'));
    const duplicate = only(findings, 'LS201');
    expect([duplicate.file, duplicate.line]).toEqual(['dml.py', 10]);
    expect(duplicate.runtime).toMatchObject({ table: 'Notes', key: { NoteId: 7 }, keySource: 'error-message', existingRow: { NoteId: 7, Text: 'seven' }, writers: [] });
    expect(duplicate.message).toContain('No marker or trace says who wrote it');
  });

  it('LS203 names the column and the migration that defines it', async () => {
    const root = workspace({
      'migrations/0001_events.sql': 'CREATE TABLE Events (\n  EventId INT64 NOT NULL,\n  HappenedAt TIMESTAMP,\n) PRIMARY KEY (EventId);\n',
      'events.py': [
        'import luigi',
        'from google.cloud import spanner',
        'from luigi_spanner import connect',
        '',
        'class Stamp(luigi.Task):',
        '    def run(self):',
        '        with connect().batch() as batch:',
        '            batch.insert("Events", ["EventId", "HappenedAt"], [[1, spanner.COMMIT_TIMESTAMP]])',
        '',
      ].join('\n'),
    });
    const target = await freshDatabase(path.join(root, 'migrations'), 'ts');
    const { findings } = await runOnce(target, path.join(root, 'events.py'), 'Stamp', root, path.join(root, 'migrations'));
    const finding = only(findings, 'LS203');
    expect([finding.file, finding.line]).toEqual(['events.py', 8]);
    expect(finding.runtime).toMatchObject({
      table: 'Events',
      column: 'HappenedAt',
      migration: { file: 'migrations/0001_events.sql', line: 3, statement: 'CREATE TABLE Events (' },
      fixDdl: 'ALTER TABLE Events ALTER COLUMN HappenedAt SET OPTIONS (allow_commit_timestamp = true)',
      suggestedMigrationFile: '0002_allow_commit_timestamp_events_happenedat.sql',
    });
    expect(finding.related).toEqual([expect.objectContaining({ file: 'migrations/0001_events.sql', line: 3 })]);
  });

  it('LS202 reports the emulator aborting concurrent workers, at the transaction call', async () => {
    const root = workspace({
      'migrations/0001_counters.sql': 'CREATE TABLE Counters (Name STRING(64) NOT NULL, Value INT64) PRIMARY KEY (Name);\n',
      'contended.py': [
        'import time',
        'import luigi',
        'from luigi_spanner import connect',
        '',
        'class Bump(luigi.Task):',
        '    name = luigi.Parameter()',
        '',
        '    def complete(self):',
        '        return False',
        '',
        '    def run(self):',
        '        def bump(transaction):',
        '            list(transaction.execute_sql("SELECT COUNT(*) FROM Counters"))',
        '            time.sleep(0.4)',
        '            transaction.insert_or_update("Counters", ["Name", "Value"], [[self.name, 1]])',
        '        connect().run_in_transaction(bump)',
        '',
        'class All(luigi.WrapperTask):',
        '    def requires(self):',
        '        return [Bump(name=n) for n in "abc"]',
        '',
        '    def complete(self):',
        '        return False',
        '',
      ].join('\n'),
    });
    const target = await freshDatabase(path.join(root, 'migrations'), 'aborts');
    const { findings } = await runOnce(target, path.join(root, 'contended.py'), 'All', root, path.join(root, 'migrations'), 3);
    const storm = only(findings, 'LS202');
    expect(['info', 'warning']).toContain(storm.severity);
    expect([storm.file, storm.line]).toEqual(['contended.py', 16]);
    expect(storm.runtime).toMatchObject({ kind: 'abort-storm', workers: 3 });
    expect(storm.message).toMatch(/use fewer workers locally/);
    expect(storm.message).toMatch(/run_in_transaction/);
  });
});
