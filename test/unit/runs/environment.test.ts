// The one place a pipeline's environment is built (runs/environment.ts, called by startRun): all of
// this process's environment by default, only an allow-list with `minimal` (--minimal-env,
// luigiSpanner.run.minimalEnvironment), the run's own variables on top either way.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MINIMAL_ENV_KEEP, pipelineEnv } from '../../../extension/core/runs/environment';
import { startRun } from '../../../extension/core/runs/runPipeline';
import { runEnv } from '../../../extension/core/runs/runTarget';
import { testPython } from '../../support/python';

const target = { host: '127.0.0.1:9010', projectId: 'env-project', instanceId: 'env-inst', databaseId: 'run-abc-1' };
const SECRETS = {
  GOOGLE_APPLICATION_CREDENTIALS: '/home/me/prod-sa.json',
  CLOUDSDK_CONFIG: '/home/me/.config/gcloud',
  CLOUDSDK_CORE_PROJECT: 'prod-project',
  GOOGLE_CLOUD_QUOTA_PROJECT: 'prod-project',
  AWS_SECRET_ACCESS_KEY: 'x',
  GITHUB_TOKEN: 'ghp_x',
  HTTPS_PROXY: 'http://proxy:3128',
  PYTHONPATH: '/somewhere/else',
};
const inherited = { PATH: '/usr/bin:/bin', HOME: '/home/me', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', TZ: 'UTC', Path: 'C:\\Windows', SystemRoot: 'C:\\Windows', LUIGI_CONFIG_PATH: '/etc/luigi.cfg', ...SECRETS, GOOGLE_CLOUD_PROJECT: 'prod-project' };

describe('pipelineEnv', () => {
  it('by default passes everything through, the run\'s own variables winning', () => {
    const env = pipelineEnv(inherited, runEnv(target));
    expect(env).toMatchObject(SECRETS);
    expect(env).toMatchObject({ PATH: '/usr/bin:/bin', GOOGLE_CLOUD_PROJECT: 'env-project', SPANNER_EMULATOR_HOST: '127.0.0.1:9010', SPANNER_DATABASE: 'run-abc-1' });
  });

  it('minimal keeps only the allow-list and locale categories, plus every variable of the run', () => {
    const own = { ...runEnv(target), PYTHONUNBUFFERED: '1', LUIGI_SPANNER_FORCE: '1' };
    const env = pipelineEnv(inherited, own, { minimal: true });
    expect(env).toEqual({
      PATH: '/usr/bin:/bin',
      HOME: '/home/me',
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      TZ: 'UTC',
      Path: 'C:\\Windows',
      SystemRoot: 'C:\\Windows',
      LUIGI_CONFIG_PATH: '/etc/luigi.cfg',
      ...own,
    });
    for (const name of Object.keys(SECRETS)) expect(env).not.toHaveProperty(name);
  });

  it('keeps no credential-looking name in its allow-list', () => {
    for (const name of MINIMAL_ENV_KEEP) expect(name).not.toMatch(/GOOGLE|GCLOUD|CLOUDSDK|AWS|AZURE|TOKEN|SECRET|KEY|CREDENTIAL|PROXY/);
  });

  it('is the list the README documents', () => {
    const readme = readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf("### The run's environment"), readme.indexOf('## Architecture'));
    for (const name of [...MINIMAL_ENV_KEEP, 'LC_*']) expect(section).toContain(`\`${name}\``);
    for (const name of Object.keys(runEnv(target))) expect(section).toContain(name.replace(/_FOR_RW|_PARTITIONED_OPS/, ''));
  });

  it('skips variables that are declared but unset', () => {
    expect(pipelineEnv({ PATH: '/bin', EMPTY: undefined }, {})).toEqual({ PATH: '/bin' });
  });
});

describe('what a real pipeline process sees (startRun, the venv\'s Python and Luigi)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'run-env-'));
    writeFileSync(
      path.join(dir, 'dump_env.py'),
      [
        'import json, os',
        'import luigi',
        '',
        '',
        'class DumpEnv(luigi.Task):',
        '    def run(self):',
        '        with open(os.environ["DUMP_TO"], "w") as f:',
        '            json.dump(dict(os.environ), f)',
        '',
      ].join('\n'),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => vi.unstubAllEnvs());

  const dumpedEnv = async (minimalEnv: boolean): Promise<Record<string, string>> => {
    const out = path.join(dir, `env-${minimalEnv}.json`);
    const outcome = await startRun({ python: testPython(), file: path.join(dir, 'dump_env.py'), task: 'DumpEnv', env: { ...runEnv(target), DUMP_TO: out }, minimalEnv }).done;
    expect(outcome.exitCode).toBe(0);
    return JSON.parse(readFileSync(out, 'utf8')) as Record<string, string>;
  };

  it('with the default, real Google credentials of the parent reach the pipeline; with minimal they do not', async () => {
    vi.stubEnv('GOOGLE_APPLICATION_CREDENTIALS', '/home/me/prod-sa.json');
    vi.stubEnv('CLOUDSDK_CORE_PROJECT', 'prod-project');
    const full = await dumpedEnv(false);
    expect(full).toMatchObject({ GOOGLE_APPLICATION_CREDENTIALS: '/home/me/prod-sa.json', CLOUDSDK_CORE_PROJECT: 'prod-project', SPANNER_DATABASE: 'run-abc-1' });

    const minimal = await dumpedEnv(true);
    expect(minimal).not.toHaveProperty('GOOGLE_APPLICATION_CREDENTIALS');
    expect(minimal).not.toHaveProperty('CLOUDSDK_CORE_PROJECT');
    expect(minimal).toMatchObject({ ...runEnv(target), PYTHONUNBUFFERED: '1', PATH: process.env.PATH });
  });
});
