// Docker backend: the emulator image in a container started by Testcontainers.
// The container is labelled and started with reuse, so a later CLI process or an editor
// restart finds the same emulator (with its databases) instead of starting another.
import { SpannerEmulatorContainer } from '@testcontainers/gcloud';
import { getContainerRuntimeClient, ImageName, type ContainerRuntimeClient } from 'testcontainers';
import { UserFacingError } from '../../extension/core/errors';
import type { EmulatorSettings } from './settings';
import type { RunningEmulator } from './types';

export const EMULATOR_LABEL = 'dev.luigi-spanner.emulator';
const FAULT_LABEL = 'dev.luigi-spanner.fault-injection';
const GRPC_PORT = 9010;

/** Publishes the ports on loopback only: the emulator has no auth, nothing else may reach it. */
class LoopbackSpannerEmulatorContainer extends SpannerEmulatorContainer {
  protected override async beforeContainerCreated(): Promise<void> {
    const bindings = this.hostConfig.PortBindings ?? {};
    for (const key of Object.keys(bindings)) {
      bindings[key] = (bindings[key] ?? []).map((b: { HostPort?: string }) => ({ ...b, HostIp: '127.0.0.1' }));
    }
    this.hostConfig.PortBindings = bindings;
  }
}

export async function dockerRuntime(): Promise<ContainerRuntimeClient> {
  try {
    return await getContainerRuntimeClient();
  } catch (error) {
    throw new UserFacingError(
      `No Docker engine answers (${(error as Error).message.split('\n')[0]}).`,
      'Start Docker (Docker Desktop, or on Debian/Ubuntu: sudo apt-get install docker.io && sudo dockerd &), ' +
        'or use the emulator binary: --backend binary (gcloud components install cloud-spanner-emulator).',
      'NO_DOCKER',
    );
  }
}

export async function isDockerAvailable(): Promise<boolean> {
  try {
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

async function imageExistsLocally(client: ContainerRuntimeClient, image: string): Promise<boolean> {
  return client.image.exists(ImageName.fromString(image));
}

export async function startDockerEmulator(settings: EmulatorSettings): Promise<RunningEmulator> {
  const client = await dockerRuntime();
  const existing = await findDockerEmulators(client);
  const match = existing.find((e) => e.faultInjection === settings.faultInjection);
  if (match) return { ...match, reused: true };

  const args = ['--hostname', '0.0.0.0', ...(settings.faultInjection ? ['--enable_fault_injection'] : [])];
  const container = new LoopbackSpannerEmulatorContainer(settings.image)
    .withProjectId(settings.projectId)
    .withCommand(args)
    .withLabels({ [EMULATOR_LABEL]: 'true', [FAULT_LABEL]: String(settings.faultInjection) })
    .withStartupTimeout(60_000)
    // Reuse keeps it out of the Ryuk reaper: the emulator outlives the CLI process that started it.
    .withReuse();
  try {
    const started = await container.start();
    return {
      backend: 'docker',
      host: `127.0.0.1:${started.getGrpcPort()}`,
      handle: started.getId(),
      reused: false,
      faultInjection: settings.faultInjection,
    };
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    if (!(await imageExistsLocally(client, settings.image).catch(() => true))) {
      throw new UserFacingError(
        `The emulator image ${settings.image} is not on this machine and could not be pulled (${message.split('\n')[0]}).`,
        'Pull it when online (docker pull gcr.io/cloud-spanner-emulator/emulator:1.5.28), or build one from the installed ' +
          'emulator binaries with emulator/build-image.sh and set LUIGI_SPANNER_EMULATOR_IMAGE=luigi-spanner/emulator:local.',
        'IMAGE_MISSING',
      );
    }
    if (/port is already allocated|address already in use/i.test(message)) {
      throw new UserFacingError(`The emulator port is busy: ${message}`, 'Stop what holds the port, or luigi-spanner emulator stop.', 'PORT_BUSY');
    }
    throw new UserFacingError(
      `The emulator container did not become ready: ${message}`,
      'Look at its log with docker logs <container>; check that the image runs gateway_main (emulator/build-image.sh builds one).',
      'NOT_READY',
    );
  }
}

export async function findDockerEmulators(client?: ContainerRuntimeClient): Promise<RunningEmulator[]> {
  const runtime = client ?? (await dockerRuntime());
  const containers = await runtime.container.list();
  const ours = containers.filter((c) => c.Labels?.[EMULATOR_LABEL] === 'true' && c.State === 'running');
  return ours.flatMap((c) => {
    const port = c.Ports.find((p) => p.PrivatePort === GRPC_PORT && p.PublicPort);
    if (!port) return [];
    return [
      {
        backend: 'docker' as const,
        host: `127.0.0.1:${port.PublicPort}`,
        handle: c.Id,
        reused: true,
        faultInjection: c.Labels?.[FAULT_LABEL] === 'true',
      },
    ];
  });
}

export async function stopDockerEmulators(): Promise<string[]> {
  const client = await dockerRuntime();
  const found = await findDockerEmulators(client);
  for (const emulator of found) {
    const container = client.container.getById(emulator.handle);
    await client.container.stop(container, { timeout: 2 });
    await client.container.remove(container, { removeVolumes: true });
  }
  return found.map((e) => e.handle);
}

export async function dockerLogs(handle: string): Promise<NodeJS.ReadableStream> {
  const client = await dockerRuntime();
  return client.container.logs(client.container.getById(handle));
}
