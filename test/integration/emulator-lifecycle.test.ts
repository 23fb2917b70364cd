// Docker backend lifecycle against real containers. Every container here has its own name,
// so the suite's shared emulator (and a developer's) is never stopped by these tests.
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDatabase, resolveSettings, startEmulator, emulatorStatus, stopEmulators, type RunningEmulator } from '../../emulator/src';
import { dockerRequest, listContainersByLabel, plainDockerTransport } from '../../emulator/src/dockerApi';
import { query, uniqueDatabaseId } from '../support/emulator';

const NAME = `lifecycle-${process.pid}`;
const image = process.env.LUIGI_SPANNER_EMULATOR_IMAGE || 'luigi-spanner/emulator:local';
const settings = (overrides: Parameters<typeof resolveSettings>[0] = {}) =>
  resolveSettings({ backend: 'docker', image, name: NAME, projectId: 'luigi-spanner-test', instanceId: 'life', databaseId: 'lifedb', ...overrides });

async function ourContainers(name: string): Promise<Array<{ Id: string; State: string }>> {
  const all = await listContainersByLabel(plainDockerTransport()!, 'dev.luigi-spanner.emulator=true', true);
  return all.filter((c) => c.Labels?.['dev.luigi-spanner.name'] === name);
}

afterAll(async () => {
  await stopEmulators(NAME);
  await stopEmulators(`${NAME}-busy`);
  await stopEmulators(`${NAME}-noimage`);
});

describe('docker backend lifecycle (real containers)', () => {
  let first: RunningEmulator;

  it('starts a container with its ports bound to 127.0.0.1 only, and answers', async () => {
    const started = performance.now();
    first = await startEmulator(settings());
    const seconds = (performance.now() - started) / 1000;
    expect(first).toMatchObject({ backend: 'docker', reused: false, name: NAME, faultInjection: false });
    expect(first.host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(first.restHost).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(seconds).toBeLessThan(30);

    const inspect = await dockerRequest<{ HostConfig: { PortBindings: Record<string, Array<{ HostIp: string }>> } }>(
      plainDockerTransport()!,
      'GET',
      `/containers/${first.handle}/json`,
    );
    const bindings = Object.values(inspect.HostConfig.PortBindings).flat();
    expect(bindings.length).toBe(2);
    expect(bindings.every((b) => b.HostIp === '127.0.0.1')).toBe(true);

    const result = await ensureDatabase(first, settings());
    expect(result).toMatchObject({ created: true, fastPath: false });
  });

  it('finds the same container again (a new process would, through the labels) and confirms the database over REST', async () => {
    const again = await startEmulator(settings());
    expect(again).toMatchObject({ reused: true, handle: first.handle, host: first.host });
    const warm = await ensureDatabase(again, settings());
    expect(warm).toMatchObject({ created: false, fastPath: true });
    const status = await emulatorStatus(NAME);
    expect(status.state).toBe('running');
    expect(status.emulators.map((e) => e.handle)).toEqual([first.handle]);
  });

  it('refuses to start the same name with other fault-injection settings', async () => {
    await expect(startEmulator(settings({ faultInjection: true }))).rejects.toMatchObject({ code: 'EMULATOR_CONFLICT' });
  });

  it('stops only the emulator of that name and leaves no container behind', async () => {
    const otherNames = (await emulatorStatus()).emulators.filter((e) => e.name !== NAME).map((e) => e.handle);
    expect(await stopEmulators(NAME)).toEqual([first.handle]);
    expect(await ourContainers(NAME)).toEqual([]);
    expect((await emulatorStatus(NAME)).state).toBe('stopped');
    const stillRunning = (await emulatorStatus()).emulators.map((e) => e.handle);
    for (const handle of otherNames) expect(stillRunning).toContain(handle);
  });

  it('fails with PORT_BUSY naming the fix when the fixed port is taken, creating nothing', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const error = await startEmulator(settings({ name: `${NAME}-busy`, grpcPort: port })).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'PORT_BUSY' });
      expect((error as Error).message).toContain(String(port));
      expect((error as { fix: string }).fix).toMatch(/--port/);
      expect(await ourContainers(`${NAME}-busy`)).toEqual([]);
    } finally {
      blocker.close();
    }
  });

  it('starts on a fixed port when it is free', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const running = await startEmulator(settings({ name: `${NAME}-busy`, grpcPort: port }));
    try {
      expect(running.host).toBe(`127.0.0.1:${port}`);
      await ensureDatabase(running, settings({ name: `${NAME}-busy`, grpcPort: port }));
      const rows = await query<{ one: number }>({ host: running.host, projectId: 'luigi-spanner-test', instanceId: 'life', databaseId: 'lifedb' }, 'SELECT 1 AS one');
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      await stopEmulators(`${NAME}-busy`);
    }
  });

  it('fails with IMAGE_MISSING when the image is neither local nor pullable, creating nothing', async () => {
    const missing = `luigi-spanner/no-such-emulator:${uniqueDatabaseId('x')}`;
    const error = await startEmulator(settings({ name: `${NAME}-noimage`, image: missing })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'IMAGE_MISSING' });
    expect((error as Error).message).toContain(missing);
    expect((error as { fix: string }).fix).toMatch(/build-image\.sh/);
    expect(await ourContainers(`${NAME}-noimage`)).toEqual([]);
  });
});
