// The debugger's pure parts: key parsing fallback, value comparison, migrations scanning, snapshot
// diffs, timelines and explanations built from real runner event shapes.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildTimeline,
  diffSnapshots,
  explainMarkdown,
  findColumnDefinition,
  formatFinding,
  nextMigrationName,
  parseDuplicateMessage,
  parseEnvPairs,
  relativeFile,
  RUNTIME_TITLES,
  sameValue,
  STATIC_RULES,
  type RuntimeFinding,
  type TableSnapshot,
} from '../../../extension/core/debugger';
import { workspaceSourceHref } from '../../../extension/core/debugger/explain';
import { RunEventSchema, type RunEvent } from '../../../extension/core/runs/events';

const event = (raw: Record<string, unknown>): RunEvent => RunEventSchema.parse({ time: 1, runId: 'r1', ...raw });

describe('duplicate-key messages (fallback only)', () => {
  it('reads the emulator wording, composite keys and quoted strings included', () => {
    expect(parseDuplicateMessage('409 Table Orders: Row {Int64(5001)} already exists., request_id = 1.2')).toEqual({ table: 'Orders', values: ['5001'] });
    expect(parseDuplicateMessage('Table Lines: Row {Int64(1), String("a, b"), Date(2024-03-01)} already exists.')).toEqual({
      table: 'Lines',
      values: ['1', 'a, b', '2024-03-01'],
    });
  });

  it('reads the production wording', () => {
    expect(parseDuplicateMessage('Row [1,abc] in table Orders already exists')).toEqual({ table: 'Orders', values: ['1', 'abc'] });
  });

  it('reads the emulator wording for INSERT statements, which names the key columns but not the table', () => {
    expect(parseDuplicateMessage('409 Failed to insert row with primary key ({pk#NoteId:1, pk#Tag:a}) due to previously existing row')).toEqual({
      columns: ['NoteId', 'Tag'],
      values: ['1', 'a'],
    });
  });

  it('returns nothing for other errors', () => {
    expect(parseDuplicateMessage('Database already exists: projects/p/instances/i/databases/d')).toBeUndefined();
  });
});

describe('value comparison across the runner and the Node client', () => {
  it('treats equal timestamps and numerics in different spellings as equal', () => {
    expect(sameValue('2024-03-01T10:00:00+00:00', '2024-03-01T10:00:00.000000Z', 'TIMESTAMP')).toBe(true);
    expect(sameValue('12.50', '12.5', 'NUMERIC')).toBe(true);
    expect(sameValue(5001, '5001', 'INT64')).toBe(true);
    expect(sameValue('a', 'b', 'STRING(MAX)')).toBe(false);
    expect(sameValue(null, undefined, 'INT64')).toBe(true);
  });
});

describe('migrations', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ls-migrations-'));
  writeFileSync(
    path.join(dir, '0001_events.sql'),
    ['-- events', 'CREATE TABLE Events (', '  EventId INT64 NOT NULL,', '  At TIMESTAMP NOT NULL,', ') PRIMARY KEY (EventId);', '', 'CREATE TABLE Notes (NoteId INT64 NOT NULL, WrittenAt TIMESTAMP) PRIMARY KEY (NoteId);'].join('\n'),
  );
  writeFileSync(path.join(dir, '0002_more.sql'), 'ALTER TABLE Events ADD COLUMN SeenAt TIMESTAMP;\n');

  it('finds the line that defines a column, in a multi-line or one-line CREATE TABLE or an ALTER', () => {
    expect(findColumnDefinition(dir, 'Events', 'At')).toMatchObject({ file: '0001_events.sql', line: 4, statement: 'CREATE TABLE Events (' });
    expect(findColumnDefinition(dir, 'Notes', 'WrittenAt')).toMatchObject({ file: '0001_events.sql', line: 7 });
    expect(findColumnDefinition(dir, 'Events', 'SeenAt')).toMatchObject({ file: '0002_more.sql', line: 1 });
    expect(findColumnDefinition(dir, 'Events', 'Missing')).toBeUndefined();
  });

  it('names the next migration after the highest version', () => {
    expect(nextMigrationName(dir, 'allow_commit_timestamp_Events_At')).toBe('0003_allow_commit_timestamp_events_at.sql');
    expect(nextMigrationName(undefined, 'x y')).toBe('0001_x_y.sql');
  });
});

describe('snapshots', () => {
  const snap = (rows: Array<[string, string]>): Map<string, TableSnapshot> =>
    new Map([['T', { table: 'T', keyColumns: ['Id'], compared: ['Id', 'V'], rows: new Map(rows) }]]);

  it('tells missing, extra and changed rows apart, and leaves equal tables out', () => {
    const expected = snap([['[1]', '[1,"a"]'], ['[2]', '[2,"b"]'], ['[3]', '[3,"c"]']]);
    expect(diffSnapshots(expected, snap([['[1]', '[1,"a"]'], ['[2]', '[2,"b"]'], ['[3]', '[3,"c"]']]))).toEqual([]);
    expect(diffSnapshots(expected, snap([['[1]', '[1,"a"]'], ['[2]', '[2,"bb"]'], ['[4]', '[4,"d"]']]))).toEqual([
      { table: 'T', keyColumns: ['Id'], expectedRows: 3, actualRows: 3, missing: ['[3]'], extra: ['[4]'], changed: ['[2]'] },
    ]);
  });
});

describe('--env pairs', () => {
  it('parses NAME=VALUE and refuses anything else with the fix', () => {
    expect(parseEnvPairs(['A={scratch}', 'B=x=y'])).toEqual({ A: '{scratch}', B: 'x=y' });
    expect(() => parseEnvPairs(['=x'])).toThrow(/NAME=VALUE/);
  });
});

describe('timeline and explanation', () => {
  const root = '/repo';
  const first = [
    event({ type: 'run', file: '/repo/p.py', task: 'Load' }),
    event({ type: 'discovered', id: 'Load_1', family: 'Load', params: { batch: '1' } }),
    event({ type: 'started', id: 'Load_1', family: 'Load', attempt: 1 }),
    event({ type: 'commit', id: 'Load_1', family: 'Load', commit: 1, tables: { Orders: 3 }, file: '/repo/p.py', line: 12, writes: [] }),
    event({ type: 'fault', id: 'Load_1', family: 'Load', kind: 'fail-after-commits', point: 'after-commit', commit: 1, pid: 9 }),
  ];
  const rerun = [
    event({ type: 'run', runId: 'r2', file: '/repo/p.py', task: 'Load' }),
    event({ type: 'started', runId: 'r2', id: 'Load_1', family: 'Load', attempt: 1 }),
    event({ type: 'failed', runId: 'r2', id: 'Load_1', family: 'Load', phase: 'run', exception: 'AlreadyExists', grpcStatus: 'ALREADY_EXISTS', message: 'Row exists', file: '/repo/p.py', line: 13 }),
    event({ type: 'summary', runId: 'r2', status: 'FAILED', success: false, seconds: 1, tasks: [] }),
  ];

  it('tells the story run by run, with code locations relative to the root', () => {
    const timeline = buildTimeline(
      [
        { label: 'Run 1', trace: { events: first, exitCode: null, signal: 'SIGKILL' } },
        { label: 'Run 2', trace: { events: rerun, exitCode: 1, signal: null } },
      ],
      root,
    );
    expect(timeline.map((e) => [e.run, e.kind, e.task ?? ''])).toEqual([
      [1, 'started', 'Load(batch=1)'],
      [1, 'commit', 'Load(batch=1)'],
      [1, 'fault', 'Load(batch=1)'],
      [1, 'ended', ''],
      [2, 'started', 'Load(batch=1)'],
      [2, 'failed', 'Load(batch=1)'],
      [2, 'ended', ''],
    ]);
    expect(timeline[1]).toMatchObject({ text: 'committed 3 rows to Orders (data commit 1)', location: { file: 'p.py', line: 12 } });
    expect(timeline[3]!.text).toMatch(/killed \(SIGKILL\)/);
  });

  it('explains a finding with escaped rows, writers, the fix and the rule links', () => {
    const finding: RuntimeFinding = {
      code: 'LS201',
      severity: 'error',
      file: 'p.py',
      line: 13,
      column: 9,
      endLine: 13,
      endColumn: 30,
      message: 'Duplicate insert into Orders: row OrderId=5001 already exists',
      staticRules: ['LS002'],
      docs: 'docs/rules/LS201.md',
      related: [{ file: 'p.py', line: 12, message: 'first written here' }],
      runtime: {
        kind: 'duplicate-insert',
        runId: 'r2',
        taskId: 'Load_1',
        taskLabel: 'Load(batch=1)',
        table: 'Orders',
        key: { OrderId: 5001 },
        keySource: 'mutation',
        existingRow: { OrderId: 5001, Note: 'a|b<script>' },
        conflictingRows: 3,
        writers: [{ source: 'trace', exact: true, taskLabel: 'Load(batch=1)', runId: 'r1', location: { file: 'p.py', line: 12 }, markerMissing: true }],
        grpcCode: 6,
      },
    };
    const markdown = explainMarkdown(finding, { link: (p) => `https://docs.example/${p}` }).join('\n');
    expect(markdown).toContain('# LS201 Duplicate insert');
    expect(markdown).toContain('| 5001 | a\\|b&lt;script&gt; |');
    // Source places are links the Markdown preview opens at the line: workspace-root path, #L<line>.
    expect(markdown).toContain('**error** at [p.py:13](/p.py#L13)');
    expect(markdown).toContain('| Load(batch=1) | r1 |  |  | [p.py:12](/p.py#L12) | trace | missing |');
    expect(markdown).toContain('[LS002](https://docs.example/docs/rules/LS002.md)');
    expect(markdown).toContain('3 rows of the refused insert already existed.');
    expect(formatFinding(finding)[0]).toBe('p.py:13:9  error  LS201  Duplicate insert into Orders: row OrderId=5001 already exists');
  });

  it("links every source place of a real reproduction's Explain, and fills the writer's update id", () => {
    // Findings as `luigi-spanner reproduce --json` printed them for the plain-insert sample.
    const fixture = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/debugger/plain-insert-replay-findings.json'), 'utf8')) as { findings: RuntimeFinding[] };
    const [partial, duplicate] = fixture.findings;
    const sample = 'samples/broken/plain_insert_replay/pipeline.py';
    const explained = explainMarkdown(duplicate!).join('\n');
    expect(explained).toContain(`**error** at [${sample}:64](/${sample}#L64)`);
    const writer = explained.split('\n').find((l) => l.startsWith('| LoadOrders('));
    expect(writer).toBe(
      `| LoadOrders(batch=2024-03-01, chunk_size=3) | 20261206T005438Z-4ed2ba50 | 2026-12-06T00:54:38.991037+00:00 | LoadOrders_2024_03_01_8dbde4e3af | [${sample}:64](/${sample}#L64) | trace | missing |`,
    );
    expect(explainMarkdown(partial!).join('\n')).toContain(`| 1 | 3 to Orders | 2026-12-06T00:54:38.991037+00:00 | [${sample}:63](/${sample}#L63) |`);
    // Outside the workspace, or with the links turned off: plain text.
    expect(workspaceSourceHref('/elsewhere/x.py', 3)).toBeUndefined();
    expect(workspaceSourceHref('my dir/a|b.py', 3)).toBe('/my%20dir/a%7Cb.py#L3');
    expect(explainMarkdown(duplicate!, { sourceLink: () => undefined }).join('\n')).toContain(`**error** at \`${sample}:64\``);
  });

  it('keeps paths outside the root absolute', () => {
    expect(relativeFile('/elsewhere/x.py', root)).toBe('/elsewhere/x.py');
    expect(relativeFile('/repo/a/b.py', root)).toBe('a/b.py');
  });
});

describe('runtime rule docs', () => {
  const repo = path.resolve(__dirname, '..', '..', '..');
  for (const [code, title] of Object.entries(RUNTIME_TITLES)) {
    it(`${code} has a page with what happened, a wrong and a right example, the fix and its static rules`, () => {
      const file = path.join(repo, 'docs', 'rules', `${code}.md`);
      expect(existsSync(file)).toBe(true);
      const text = readFileSync(file, 'utf8');
      expect(text.split('\n')[0]).toBe(`# ${code}: ${title} (runtime)`);
      for (const section of ['## What happened', '## Wrong', '## Right', '## Fix']) expect(text).toContain(section);
      for (const rule of STATIC_RULES[code as keyof typeof STATIC_RULES]) expect(text).toContain(`[${rule}](${rule}.md)`);
      expect(text.match(/```/g)?.length ?? 0).toBeGreaterThanOrEqual(4);
    });
  }

  it('LS202 has the run_in_transaction section the Explain view links to', () => {
    expect(readFileSync(path.join(repo, 'docs', 'rules', 'LS202.md'), 'utf8')).toContain('\n## run_in_transaction\n');
  });
});
