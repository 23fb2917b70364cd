// `auto` with Docker up but the image neither here nor pullable (no registry answers on this machine,
// as on an air-gapped site): the installed emulator binary runs instead, said once, and the CLI
// commands that need an emulator carry on with it.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findEmulatorBinary } from '../../emulator/src/binary';
import { isDockerAvailable } from '../../emulator/src/docker';
import { buildCli } from '../support/cli';
import { REPO_ROOT } from '../support/python';

const toolRoot = mkdtempSync(path.join(os.tmpdir(), 'luigi-spanner-fallback-cli-'));
const cli = path.join(toolRoot, 'dist', 'cli.js');
const NAME = 'fallback-test';
const MISSING_IMAGE = 'luigi-spanner/no-such-image:never';
// Binary emulators keep their state files here, away from a developer's.
const stateDir = mkdtempSync(path.join(os.tmpdir(), 'luigi-spanner-fallback-state-'));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_PATH: path.join(REPO_ROOT, 'node_modules'), LUIGI_SPANNER_STATE_DIR: stateDir };
  delete env.SPANNER_EMULATOR_HOST;
  delete env.LUIGI_SPANNER_BACKEND;
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { env, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const root = mkdtempSync(path.join(os.tmpdir(), 'ws-fallback-'));

beforeAll(async () => {
  // What the test stands on: a Docker engine that answers, and the binary installed.
  expect(await isDockerAvailable()).toBe(true);
  expect(findEmulatorBinary()).toBeDefined();
  mkdirSync(path.join(toolRoot, 'dist'));
  symlinkSync(path.join(REPO_ROOT, 'extension'), path.join(toolRoot, 'extension'));
  await buildCli(path.join(toolRoot, 'dist'));
  mkdirSync(path.join(root, 'migrations'));
  writeFileSync(path.join(root, 'migrations', '0001_items.sql'), 'CREATE TABLE Items (Id INT64 NOT NULL) PRIMARY KEY (Id);');
  writeFileSync(path.join(root, 'luigi-spanner.json'), JSON.stringify({ backend: 'auto', image: MISSING_IMAGE, name: NAME }));
});

afterAll(async () => {
  await run(['emulator', 'stop', '--name', NAME]);
});

describe('auto without a reachable image', () => {
  it('runs the installed binary instead, says so once, and later commands find it again', async () => {
    const started = await run(['emulator', 'start', '--root', root, '--json']);
    expect(started.code, started.stderr).toBe(0);
    const result = JSON.parse(started.stdout);
    expect(result).toMatchObject({ backend: 'binary', name: NAME, reused: false, migrationsApplied: ['0001_items.sql'] });
    expect(result.notice).toMatch(new RegExp(`image ${MISSING_IMAGE} is not on this machine and could not be pulled, so the installed emulator binary runs instead`));
    expect(started.stderr.match(/note: /g)).toHaveLength(1);
    expect(started.stderr).toMatch(/emulator\/build-image\.sh/);

    const again = await run(['emulator', 'start', '--root', root, '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ backend: 'binary', reused: true, host: result.host });
    expect(again.stderr).not.toMatch(/note: /);

    const counted = await run(['emulator', 'query', 'SELECT COUNT(*) AS n FROM Items', '--root', root, '--json']);
    expect(JSON.parse(counted.stdout).rows).toEqual([[0]]);
  });

  it('still stops with the image error when Docker is asked for explicitly', async () => {
    const explicit = await run(['emulator', 'start', '--root', root, '--backend', 'docker', '--name', `${NAME}-docker`]);
    expect(explicit.code).toBe(2);
    expect(explicit.stderr).toMatch(new RegExp(`error: The emulator image ${MISSING_IMAGE} is not on this machine and could not be pulled`));
  });
});
