import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Spanner } from '@google-cloud/spanner';
import { describe, expect, it } from 'vitest';
import { formatTable } from '../../../extension/cli/commands/emulator';
import { settingsFrom } from '../../../extension/cli/options';
import { readWorkspaceConfig } from '../../../extension/core/workspaceConfig';
import { plainDockerTransport } from '../../../emulator/src/dockerApi';
import { assertEmulatorHost, emulatorClientEnv } from '../../../emulator/src/env';
import { toPlain } from '../../../emulator/src/inspect';
import { loadSeeds } from '../../../emulator/src/migrations';
import { resolveSettings } from '../../../emulator/src/settings';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'ls-unit-'));

function workspace(config: unknown, folders: string[] = []): string {
  const root = tmp();
  if (config !== undefined) writeFileSync(path.join(root, 'luigi-spanner.json'), typeof config === 'string' ? config : JSON.stringify(config));
  for (const f of folders) mkdirSync(path.join(root, f), { recursive: true });
  return root;
}

describe('resolveSettings', () => {
  it('takes overrides over environment over defaults', () => {
    const env = { SPANNER_DATABASE: 'from-env', SPANNER_INSTANCE: 'env-inst', LUIGI_SPANNER_EMULATOR_NAME: 'envname' };
    expect(resolveSettings({ databaseId: 'from-flag' }, env)).toMatchObject({
      databaseId: 'from-flag',
      instanceId: 'env-inst',
      projectId: 'luigi-spanner-local',
      name: 'envname',
      grpcPort: 0,
      backend: 'auto',
    });
  });

  it('rejects a bad emulator name, port or backend with the fix', () => {
    expect(() => resolveSettings({ name: 'Bad Name' }, {})).toThrow(/Invalid emulator name "Bad Name"/);
    expect(() => resolveSettings({ grpcPort: 70000 }, {})).toThrow(/Invalid emulator port/);
    expect(() => resolveSettings({ backend: 'podman' as never }, {})).toThrow(/Unknown emulator backend "podman"/);
  });
});

describe('luigi-spanner.json', () => {
  it('reads the settings and resolves folders against its own folder', () => {
    const root = workspace({ projectId: 'shop-local', databaseId: 'orders', migrationsDir: 'db/migrations', seedsDir: 'db/seeds', backend: 'binary', grpcPort: 9010 });
    expect(readWorkspaceConfig(root)).toEqual({
      projectId: 'shop-local',
      databaseId: 'orders',
      migrationsDir: path.join(root, 'db/migrations'),
      seedsDir: path.join(root, 'db/seeds'),
      backend: 'binary',
      grpcPort: 9010,
      file: path.join(root, 'luigi-spanner.json'),
    });
  });

  it('defaults to migrations/ and seeds/ beside it when they exist, and works without the file', () => {
    const root = workspace(undefined, ['migrations']);
    expect(readWorkspaceConfig(root)).toEqual({ migrationsDir: path.join(root, 'migrations'), seedsDir: undefined });
  });

  it('names unknown keys and wrong types', () => {
    const root = workspace({ databaseID: 'x', backend: 'podman', grpcPort: 'high' });
    let message = '';
    try {
      readWorkspaceConfig(root);
    } catch (error) {
      message = (error as Error).message;
      expect((error as { fix: string }).fix).toMatch(/Allowed keys: projectId/);
    }
    expect(message).toMatch(/Unrecognized key: "databaseID"/);
    expect(message).toMatch(/at backend/);
    expect(message).toMatch(/at grpcPort/);
  });

  it('says where invalid JSON is', () => {
    expect(() => readWorkspaceConfig(workspace('{ "projectId": '))).toThrow(/luigi-spanner\.json is not valid JSON/);
  });

  it('the CLI layers flags over the file over the environment', async () => {
    const root = workspace({ databaseId: 'file-db', instanceId: 'file-inst', faultInjection: true });
    const saved = process.env.SPANNER_INSTANCE;
    process.env.SPANNER_INSTANCE = 'env-inst';
    try {
      const settings = settingsFrom({ root, database: 'flag-db', port: '9011' });
      expect(settings).toMatchObject({ databaseId: 'flag-db', instanceId: 'file-inst', faultInjection: true, grpcPort: 9011 });
      expect(() => settingsFrom({ root, port: 'abc' })).toThrow(/--port must be a number/);
    } finally {
      if (saved === undefined) delete process.env.SPANNER_INSTANCE;
      else process.env.SPANNER_INSTANCE = saved;
    }
  });
});

describe('emulator host guard', () => {
  it('accepts emulator host:port pairs and refuses Google endpoints and schemes', () => {
    expect(() => assertEmulatorHost('127.0.0.1:9010')).not.toThrow();
    expect(() => assertEmulatorHost('spanner-emulator:9010', { LUIGI_SPANNER_ALLOW_EMULATOR_HOST: 'spanner-emulator' })).not.toThrow();
    expect(() => assertEmulatorHost('spanner.googleapis.com:443')).toThrow(/Google endpoint/);
    expect(() => assertEmulatorHost('http://localhost:9010')).toThrow(/without a scheme/);
    expect(() => assertEmulatorHost(undefined)).toThrow(/No emulator host/);
  });

  it('gives clients the emulator host and turns multiplexed sessions off', () => {
    expect(emulatorClientEnv('127.0.0.1:1')).toEqual({
      SPANNER_EMULATOR_HOST: '127.0.0.1:1',
      GOOGLE_CLOUD_SPANNER_MULTIPLEXED_SESSIONS: 'false',
      GOOGLE_CLOUD_SPANNER_MULTIPLEXED_SESSIONS_FOR_RW: 'false',
      GOOGLE_CLOUD_SPANNER_MULTIPLEXED_SESSIONS_PARTITIONED_OPS: 'false',
    });
  });
});

describe('plain Docker transport', () => {
  it('speaks unix sockets and plain tcp, and leaves TLS and ssh to Testcontainers', () => {
    expect(plainDockerTransport({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' })).toEqual({ socketPath: '/run/user/1000/docker.sock' });
    expect(plainDockerTransport({ DOCKER_HOST: 'tcp://127.0.0.1:2375' })).toEqual({ host: '127.0.0.1', port: 2375 });
    expect(plainDockerTransport({ DOCKER_HOST: 'tcp://127.0.0.1:2376', DOCKER_TLS_VERIFY: '1' })).toBeUndefined();
    expect(plainDockerTransport({ DOCKER_HOST: 'ssh://me@host' })).toBeUndefined();
  });
});

describe('toPlain', () => {
  it('turns the client value classes into JSON without losing precision', () => {
    expect(toPlain(Spanner.int('42'))).toBe(42);
    expect(toPlain(Spanner.int('9007199254740993'))).toBe('9007199254740993');
    expect(toPlain(Spanner.float(1.25))).toBe(1.25);
    expect(toPlain(Spanner.float(Number.NaN))).toBe('NaN');
    expect(toPlain(Spanner.numeric('12345678901234567890.5'))).toBe('12345678901234567890.5');
    expect(toPlain(Spanner.date('2024-03-01'))).toBe('2024-03-01');
    expect(toPlain(Spanner.timestamp('2024-03-01T10:00:00.123456789Z'))).toBe('2024-03-01T10:00:00.123456789Z');
    expect(toPlain(Buffer.from('ab'))).toBe('YWI=');
    expect(toPlain([Spanner.int('1'), null])).toEqual([1, null]);
    expect(toPlain({ nested: [1] })).toEqual({ nested: [1] });
  });
});

describe('formatTable', () => {
  it('aligns columns, shows NULL and truncates long cells', () => {
    expect(formatTable(['id', 'name'], [[1, null], [22, 'x'.repeat(70)]]).split('\n')).toEqual([
      'id  name',
      '--  ' + '-'.repeat(60),
      '1   NULL',
      `22  ${'x'.repeat(59)}…`,
    ]);
  });
});

describe('loadSeeds', () => {
  it('reads *.sql in natural name order and splits statements', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, '10_late.sql'), 'INSERT INTO A (Id) VALUES (10);');
    writeFileSync(path.join(dir, '2_early.sql'), "INSERT INTO A (Id, S) VALUES (2, 'a;b'); INSERT INTO A (Id) VALUES (3);");
    writeFileSync(path.join(dir, 'notes.txt'), 'ignored');
    expect(loadSeeds(dir).map((s) => [s.name, s.statements.length])).toEqual([
      ['2_early.sql', 2],
      ['10_late.sql', 1],
    ]);
  });

  it('says what to do when the folder is missing', () => {
    expect(() => loadSeeds(path.join(tmp(), 'nope'))).toThrow(/Seeds folder .* does not exist/);
  });
});
