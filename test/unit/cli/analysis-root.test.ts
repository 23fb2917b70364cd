// Where lint and graph take their root when --root is not given: a project outside the current
// folder is analysed as its own workspace (its luigi-spanner.json, its relative paths) instead of
// failing with "outside the root".
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { analysisRoot } from '../../../extension/cli/analysisRoot';
import { buildCli } from '../../support/cli';

const REPO = path.resolve(__dirname, '..', '..', '..');
let work: string;
let cli: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'cli-root-'));
  cli = await buildCli(path.join(work, 'dist'));
  // A project with its own settings, and a folder with none, both outside the current folder.
  // Its migrations live in schema/, which only its luigi-spanner.json says.
  cpSync(path.join(REPO, 'samples', 'broken', 'marker_outside_txn'), path.join(work, 'project'), { recursive: true });
  renameSync(path.join(work, 'project', 'migrations'), path.join(work, 'project', 'schema'));
  writeFileSync(path.join(work, 'project', 'luigi-spanner.json'), JSON.stringify({ migrationsDir: 'schema' }));
  mkdirSync(path.join(work, 'cwd'));
  mkdirSync(path.join(work, 'loose', 'a'), { recursive: true });
  mkdirSync(path.join(work, 'loose', 'b'), { recursive: true });
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('analysisRoot', () => {
  test('--root wins; the current folder when it holds every path', () => {
    expect(analysisRoot(['x.py'], path.join(work, 'project'), path.join(work, 'cwd'))).toBe(path.join(work, 'project'));
    expect(analysisRoot([], undefined, path.join(work, 'cwd'))).toBe(path.join(work, 'cwd'));
    expect(analysisRoot(['sub/file.py'], undefined, path.join(work, 'cwd'))).toBe(path.join(work, 'cwd'));
  });

  test('paths elsewhere: the nearest folder above them with luigi-spanner.json', () => {
    const pipeline = path.join(work, 'project', 'pipeline.py');
    expect(analysisRoot([pipeline], undefined, path.join(work, 'cwd'))).toBe(path.join(work, 'project'));
    expect(analysisRoot(['../project'], undefined, path.join(work, 'cwd'))).toBe(path.join(work, 'project'));
  });

  test('paths elsewhere without settings: the deepest folder holding them all', () => {
    const cwd = path.join(work, 'cwd');
    expect(analysisRoot(['../loose/a', '../loose/b'], undefined, cwd)).toBe(path.join(work, 'loose'));
    expect(analysisRoot(['../loose/a/x.py'], undefined, cwd)).toBe(path.join(work, 'loose', 'a'));
  });
});

describe('lint and graph of a project outside the current folder', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: path.join(work, 'cwd'), encoding: 'utf8', timeout: 60_000 });

  test('lint reports its findings relative to the project', () => {
    const result = run('lint', '../project', '--format', 'json');
    expect(result.stderr).toBe('');
    const { findings } = JSON.parse(result.stdout) as { findings: { code: string; file: string }[] };
    expect(findings.map((f) => f.code)).toContain('LS001');
    expect(new Set(findings.map((f) => f.file))).toEqual(new Set(['pipeline.py']));
    expect(result.status).toBe(1);
  });

  test('graph lists the project tasks and reads its tables from the migrations its settings name', () => {
    const result = run('graph', '../project/pipeline.py');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const graph = JSON.parse(result.stdout) as { tasks: { file: string }[]; tables: { name: string; migration?: { file: string } }[] };
    expect(graph.tasks.length).toBeGreaterThan(0);
    for (const t of graph.tasks) expect(t.file).toBe('pipeline.py');
    expect(graph.tables.find((t) => t.name === 'Orders')?.migration?.file).toBe('schema/0001_orders_and_revenue.sql');
  });
});
