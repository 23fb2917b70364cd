// The lint's exit codes, as docs/ci.md documents them for CI and pre-commit: 0 nothing at the
// --fail-on level, 1 findings at it, 2 bad input (usage errors included, so a typo in a workflow
// is never read as findings).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildCli } from '../../support/cli';

const REPO = path.resolve(__dirname, '..', '..', '..');
let work: string;
let cli: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'cli-exit-'));
  cli = await buildCli(path.join(work, 'dist'));
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const lint = (...args: string[]) => spawnSync(process.execPath, [cli, 'lint', ...args], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });

describe('luigi-spanner lint exit codes', () => {
  test('0 on a clean pipeline', () => {
    const result = lint('--root', 'samples/orders');
    expect(result.stdout).toContain('No findings.');
    expect(result.status).toBe(0);
  });

  test('1 with findings at --fail-on; 0 when they are below it', () => {
    const broken = lint('--root', 'samples/broken/marker_outside_txn');
    expect(broken.stdout).toMatch(/LS001/);
    expect(broken.status).toBe(1);
    // Only warnings here: they fail with --fail-on warning, not with the default (error).
    expect(lint('--root', 'samples/broken/time_window').status).toBe(0);
    expect(lint('--root', 'samples/broken/time_window', '--fail-on', 'warning').status).toBe(1);
  });

  test('2 on bad input: unknown option, bad choice, unknown rule, missing path', () => {
    for (const args of [['--bogus'], ['--format', 'xml'], ['--disable', 'LS999'], ['no/such/folder']]) {
      const result = lint(...args);
      expect(result.stderr, args.join(' ')).toMatch(/error/);
      expect(result.status, args.join(' ')).toBe(2);
    }
  });
});
