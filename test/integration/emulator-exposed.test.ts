// A container with this tool's labels whose ports are published on every interface (as plain
// `docker run -p 9010:9010` does) is never reused: the emulator has no authentication.
// The container is real, started with Testcontainers' default bindings (0.0.0.0 and ::).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedTestContainer } from 'testcontainers';
import { emulatorStatus, resolveSettings, startEmulator, stopEmulators } from '../../emulator/src';
import { EMULATOR_LABEL } from '../../emulator/src/docker';
import { dockerRequest, plainDockerTransport } from '../../emulator/src/dockerApi';

const NAME = `exposed-${process.pid}`;
const image = process.env.LUIGI_SPANNER_EMULATOR_IMAGE || 'luigi-spanner/emulator:local';

describe('a labelled emulator container published beyond loopback', () => {
  let container: StartedTestContainer | undefined;
  beforeAll(async () => {
    process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
    const { GenericContainer, Wait } = await import('testcontainers');
    container = await new GenericContainer(image)
      .withLabels({ [EMULATOR_LABEL]: 'true', 'dev.luigi-spanner.name': NAME, 'dev.luigi-spanner.fault-injection': 'false' })
      .withExposedPorts(9010, 9020)
      .withWaitStrategy(Wait.forLogMessage(/Cloud Spanner emulator running/, 1))
      .start();
  });
  afterAll(async () => {
    await container?.stop({ timeout: 2_000 }).catch(() => undefined);
  });

  it('is published on 0.0.0.0 (the premise)', async () => {
    const inspect = await dockerRequest<{ NetworkSettings: { Ports: Record<string, Array<{ HostIp: string }> | null> } }>(
      plainDockerTransport()!,
      'GET',
      `/containers/${container!.getId()}/json`,
    );
    expect(inspect.NetworkSettings.Ports['9010/tcp']?.map((b) => b.HostIp)).toContain('0.0.0.0');
  });

  it('is refused, not reused, with a message that says how to get rid of it', async () => {
    const settings = resolveSettings({ backend: 'docker', image, name: NAME }, {});
    const refusal = startEmulator(settings);
    await expect(refusal).rejects.toThrow(/publishes its ports on 0\.0\.0\.0:\d+.*other machines can reach it/);
    await expect(refusal).rejects.toMatchObject({ code: 'EMULATOR_EXPOSED', fix: expect.stringContaining(`luigi-spanner emulator stop --name ${NAME}`) });
    await expect(emulatorStatus(NAME)).rejects.toMatchObject({ code: 'EMULATOR_EXPOSED' });
  });

  it('can still be removed with `emulator stop --name`', async () => {
    expect(await stopEmulators(NAME)).toEqual([container!.getId()]);
    container = undefined;
    expect((await emulatorStatus(NAME)).state).toBe('stopped');
  });
});
