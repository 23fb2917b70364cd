// `luigi-spanner lint` as a process: the bundled CLI, real files, exit codes.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../support/cli';

const REPO = path.resolve(__dirname, '..', '..', '..');
let work: string;
let cli: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'lint-cli-'));
  cli = path.join(work, 'cli.js');
  await buildCli(work);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

function lint(args: string[], cwd = REPO) {
  const result = spawnSync(process.execPath, [cli, 'lint', ...args], { cwd, encoding: 'utf8', env: { ...process.env, NODE_PATH: path.join(REPO, 'node_modules') } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('luigi-spanner lint', () => {
  it('prints JSON relative to --root and exits 1 on errors', () => {
    const run = lint(['samples/broken/plain_insert_replay', '--root', 'samples', '--format', 'json']);
    expect(run.code).toBe(1);
    const { findings } = JSON.parse(run.stdout) as { findings: Array<Record<string, unknown>> };
    expect(findings.map((f) => `${f.code}@${f.file}:${f.line}`)).toEqual([
      'LS003@broken/plain_insert_replay/pipeline.py:63',
      'LS002@broken/plain_insert_replay/pipeline.py:64',
      'LS001@broken/plain_insert_replay/pipeline.py:70',
    ]);
    expect(Object.keys(findings[0]!).sort()).toEqual(['code', 'column', 'endColumn', 'endLine', 'file', 'line', 'message', 'severity']);
  });

  it('exits 0 on a clean pipeline, and when --fail-on is above every finding', () => {
    const clean = lint(['samples/orders']);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toBe('No findings.\n');
    // time_window has warnings only (LS004, LS005, LS101, LS104).
    expect(lint(['samples/broken/time_window', '--fail-on', 'warning']).code).toBe(1);
    expect(lint(['samples/broken/plain_insert_replay', '--fail-on', 'none']).code).toBe(0);
  });

  it('applies --severity and --disable', () => {
    const run = lint(['samples/broken/time_window', '--severity', 'LS004=error', '--disable', 'LS101,LS104', '--format', 'json']);
    expect(run.code).toBe(1);
    const codes = (JSON.parse(run.stdout) as { findings: Array<{ code: string; severity: string }> }).findings.map((f) => `${f.code}:${f.severity}`);
    expect(codes).toEqual(['LS005:warning', 'LS004:error', 'LS004:error']);
  });

  it('writes SARIF 2.1.0 with rule docs links', () => {
    const run = lint(['samples/broken/marker_outside_txn', '--format', 'sarif', '--docs-url', 'https://example.test/r/blob/main']);
    const log = JSON.parse(run.stdout);
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0].results.map((r: { ruleId: string }) => r.ruleId)).toEqual(['LS001', 'LS003']);
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('samples/broken/marker_outside_txn/pipeline.py');
    expect(log.runs[0].tool.driver.rules[0].helpUri).toBe('https://example.test/r/blob/main/docs/rules/LS001.md');
  });

  it('reports a syntax error as an error finding in text, JSON and SARIF, and exits 1', () => {
    const folder = path.join(work, 'broken-syntax');
    mkdirSync(folder, { recursive: true });
    // Line 4 opens a call that never closes; the rest of the file is valid.
    writeFileSync(path.join(folder, 'etl.py'), 'import luigi\n\n\nrows = dict(\n\n\ndef load():\n    return 1\n');
    writeFileSync(path.join(folder, 'fine.py'), 'import luigi\n\n\nclass Fine(luigi.Task):\n    pass\n');
    const text = lint(['.'], folder);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^etl\.py:4:\d+: error syntax-error Syntax error/m);
    expect(text.stdout).not.toMatch(/No findings/);
    const json = lint(['.', '--format', 'json'], folder);
    expect(json.code).toBe(1);
    const { findings } = JSON.parse(json.stdout) as { findings: Array<{ code: string; severity: string; file: string; line: number; column: number }> };
    expect(findings.map((f) => `${f.code}:${f.severity}:${f.file}:${f.line}`)).toEqual(['syntax-error:error:etl.py:4']);
    expect(findings[0]!.column).toBeGreaterThanOrEqual(1);
    const sarif = JSON.parse(lint(['.', '--format', 'sarif'], folder).stdout);
    const result = sarif.runs[0].results[0];
    expect(result.ruleId).toBe('syntax-error');
    expect(result.level).toBe('error');
    expect(sarif.runs[0].tool.driver.rules[result.ruleIndex].id).toBe('syntax-error');
    expect(result.locations[0].physicalLocation.region.startLine).toBe(4);
  });

  it('explains bad input and how to fix it', () => {
    const run = lint(['--severity', 'LS004=loud']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/severity of LS004 is "loud"/);
    expect(run.stderr).toMatch(/fix: +Use error, warning, info or off/);
    const missing = lint(['no/such/folder']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/does not exist/);
  });
});
