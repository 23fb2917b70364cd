// The binary backend: gateway_main (installed here at /usr/lib/google-cloud-sdk/bin/cloud_spanner_emulator)
// as a detached process group, with a scratch state folder; stopped in afterAll.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chooseBackend,
  emulatorStatus,
  ensureDatabase,
  provision,
  resolveSettings,
  startEmulator,
  stopEmulators,
  type RunningEmulator,
} from '../../emulator/src';
import { processGroupAlive } from '../../extension/core/processGroup';
import { binaryLogFile, findEmulatorBinary, stateDir } from '../../emulator/src/binary';
import { freePort } from '../../emulator/src/ports';
import { query } from '../support/emulator';

const savedEnv = { ...process.env };
const settings = (overrides: Parameters<typeof resolveSettings>[0] = {}) =>
  resolveSettings({ backend: 'binary', name: 'bin', projectId: 'luigi-spanner-test', instanceId: 'bin', databaseId: 'bindb', ...overrides });


beforeAll(() => {
  process.env.LUIGI_SPANNER_STATE_DIR = mkdtempSync(path.join(os.tmpdir(), 'luigi-spanner-state-'));
  if (!findEmulatorBinary()) throw new Error('The emulator binary must be installed for this suite (apt-get install google-cloud-cli-spanner-emulator).');
});

afterAll(async () => {
  await stopEmulators('bin');
  await stopEmulators('bin-busy');
  process.env = savedEnv;
});

describe('binary backend (real gateway_main)', () => {
  let first: RunningEmulator;

  it('starts gateway_main on free loopback ports and waits until it answers', async () => {
    first = await startEmulator(settings());
    expect(first).toMatchObject({ backend: 'binary', reused: false, name: 'bin' });
    expect(first.host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(processGroupAlive(Number(first.handle))).toBe(true);
    expect(readFileSync(binaryLogFile('bin'), 'utf8')).toMatch(/Cloud Spanner emulator running\./);
    const migrations = path.resolve('samples/orders/migrations');
    const result = await ensureDatabase(first, settings({ migrationsDir: migrations }));
    expect(result.applied).toEqual(['0001_customers_and_orders.sql', '0002_daily_revenue_and_markers.sql']);
    const target = { host: first.host, projectId: 'luigi-spanner-test', instanceId: 'bin', databaseId: 'bindb' };
    expect(await query(target, 'SELECT COUNT(*) AS n FROM Orders')).toEqual([{ n: 0 }]);
  });

  it('finds the running emulator again through its state file, with the database still there', async () => {
    const again = await startEmulator(settings());
    expect(again).toMatchObject({ reused: true, handle: first.handle, host: first.host });
    const warm = await ensureDatabase(again, settings({ migrationsDir: path.resolve('samples/orders/migrations') }));
    expect(warm).toMatchObject({ created: false, fastPath: true, applied: [] });
    expect((await emulatorStatus('bin')).emulators.map((e) => e.handle)).toEqual([first.handle]);
  });

  it('stops the whole process group (emulator_main too) and forgets it', async () => {
    expect(await stopEmulators('bin')).toEqual([first.handle]);
    expect(processGroupAlive(Number(first.handle))).toBe(false);
    expect((await emulatorStatus('bin')).state).toBe('stopped');
    const [, port] = first.host.split(':');
    // Nothing holds the gRPC port any more.
    await new Promise<void>((resolve, reject) => {
      const server = net.createServer().once('error', reject);
      server.listen(Number(port), '127.0.0.1', () => server.close(() => resolve()));
    });
  });

  it('fails with PORT_BUSY before spawning anything when the fixed port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await expect(startEmulator(settings({ name: 'bin-busy', grpcPort: port }))).rejects.toMatchObject({ code: 'PORT_BUSY' });
      expect((await emulatorStatus('bin-busy')).state).toBe('stopped');
    } finally {
      blocker.close();
    }
  });

  it('says how to install the binary when SPANNER_EMULATOR_DIR holds none', async () => {
    process.env.SPANNER_EMULATOR_DIR = mkdtempSync(path.join(os.tmpdir(), 'no-emulator-'));
    try {
      const error = await startEmulator(settings()).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'NO_BINARY' });
      expect((error as { fix: string }).fix).toMatch(/gcloud components install cloud-spanner-emulator/);
    } finally {
      delete process.env.SPANNER_EMULATOR_DIR;
    }
  });

  it('auto without a Docker engine picks the binary, and without either names both fixes', async () => {
    const noDocker: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
    delete noDocker.SPANNER_EMULATOR_HOST;
    expect(await chooseBackend(settings({ backend: 'auto' }), noDocker)).toBe('binary');
    const neither = { ...noDocker, SPANNER_EMULATOR_DIR: mkdtempSync(path.join(os.tmpdir(), 'no-emulator-')) };
    const error = await chooseBackend(settings({ backend: 'auto' }), neither).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NO_BACKEND' });
    expect((error as { fix: string }).fix).toMatch(/Docker/);
    expect((error as { fix: string }).fix).toMatch(/cloud-spanner-emulator/);
  });

  it('ignores a state file whose process is alive but whose port does not answer (a recycled pid)', async () => {
    const stranger = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    try {
      const deadPort = await freePort();
      writeFileSync(
        path.join(stateDir(), 'binary-emulator-bin.json'),
        JSON.stringify({ pgid: stranger.pid, host: `127.0.0.1:${deadPort}`, restPort: deadPort, faultInjection: false, name: 'bin' }),
      );
      const running = await startEmulator(settings());
      expect(running.reused).toBe(false);
      expect(running.handle).not.toBe(String(stranger.pid));
      expect(await query({ host: running.host, projectId: 'luigi-spanner-test', instanceId: 'x1', databaseId: 'x1' }, 'SELECT 1 AS one').catch((e: Error) => e.message)).toMatch(
        /Instance not found|Database not found|NOT_FOUND/,
      );
      // The stranger was left alone.
      expect(processGroupAlive(stranger.pid!)).toBe(true);
    } finally {
      stranger.kill();
      await stopEmulators('bin');
    }
  });

  it('a fresh reset drops and recreates only its own database', async () => {
    const running = await startEmulator(settings());
    try {
      const target = { host: running.host, projectId: 'luigi-spanner-test', instanceId: 'bin', databaseId: 'other' };
      await provision(target);
      await provision({ ...target, databaseId: 'bindb', fresh: true });
      expect(await query(target, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await stopEmulators('bin');
    }
  });
});
