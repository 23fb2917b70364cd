// Docker backend: the emulator image in a container started by Testcontainers.
// The container is labelled and started with reuse, so a later CLI process or an editor
// restart finds the same emulator (with its databases) instead of starting another.
// Testcontainers is loaded only to start a container (it costs about a second to load);
// finding, stopping and pinging go through the minimal client in dockerApi.ts when it can.
import type { ContainerRuntimeClient } from 'testcontainers';
import { UserFacingError } from '../../extension/core/errors';
import { dockerRequest, listContainersByLabel, plainDockerTransport, type DockerContainerSummary } from './dockerApi';
import { preloadSpannerClient } from './client';
import { assertPortFree } from './ports';
import type { EmulatorSettings } from './settings';
import type { RunningEmulator } from './types';

export const EMULATOR_LABEL = 'dev.luigi-spanner.emulator';
const FAULT_LABEL = 'dev.luigi-spanner.fault-injection';
const NAME_LABEL = 'dev.luigi-spanner.name';
const GRPC_PORT = 9010;
const REST_PORT = 9020;

const NO_DOCKER_FIX =
  'Start Docker (Docker Desktop, or on Debian/Ubuntu: sudo apt-get install docker.io && sudo dockerd &), ' +
  'or use the emulator binary: --backend binary (gcloud components install cloud-spanner-emulator).';

// Loaded on first use with require (not import()): plain CommonJS in the bundles and the
// extension host, and no second of start-up for callers that never start a container.
const testcontainers = () => require('testcontainers') as typeof import('testcontainers');
const gcloudModule = () => require('@testcontainers/gcloud') as typeof import('@testcontainers/gcloud');

export async function dockerRuntime(): Promise<ContainerRuntimeClient> {
  const { getContainerRuntimeClient } = testcontainers();
  try {
    return await getContainerRuntimeClient();
  } catch (error) {
    throw new UserFacingError(`No Docker engine answers (${(error as Error).message.split('\n')[0]}).`, NO_DOCKER_FIX, 'NO_DOCKER');
  }
}

export async function isDockerAvailable(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const transport = plainDockerTransport(env);
  if (transport) {
    try {
      await dockerRequest(transport, 'GET', '/_ping', 2_000);
      return true;
    } catch {
      return false;
    }
  }
  try {
    await dockerRuntime();
    return true;
  } catch {
    return false;
  }
}

/** Whether `image` is present in the local engine (no pull). */
export async function dockerImageExists(image: string): Promise<boolean> {
  const transport = plainDockerTransport();
  if (transport) {
    try {
      await dockerRequest(transport, 'GET', `/images/${encodeURIComponent(image)}/json`);
      return true;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return false;
      throw error;
    }
  }
  const { ImageName } = testcontainers();
  return (await dockerRuntime()).image.exists(ImageName.fromString(image));
}

function toRunning(c: DockerContainerSummary): RunningEmulator | undefined {
  const grpc = c.Ports.find((p) => p.PrivatePort === GRPC_PORT && p.PublicPort);
  if (!grpc) return undefined;
  const rest = c.Ports.find((p) => p.PrivatePort === REST_PORT && p.PublicPort);
  return {
    backend: 'docker',
    host: `127.0.0.1:${grpc.PublicPort}`,
    ...(rest ? { restHost: `127.0.0.1:${rest.PublicPort}` } : {}),
    handle: c.Id,
    reused: true,
    faultInjection: c.Labels?.[FAULT_LABEL] === 'true',
    name: c.Labels?.[NAME_LABEL] ?? 'default',
  };
}

async function listOurContainers(all = false): Promise<DockerContainerSummary[]> {
  const transport = plainDockerTransport();
  if (transport) {
    try {
      return await listContainersByLabel(transport, `${EMULATOR_LABEL}=true`, all);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === undefined) {
        throw new UserFacingError(`No Docker engine answers (${(error as Error).message}).`, NO_DOCKER_FIX, 'NO_DOCKER');
      }
      throw error;
    }
  }
  const runtime = await dockerRuntime();
  const containers = await runtime.container.list();
  return containers
    .filter((c) => c.Labels?.[EMULATOR_LABEL] === 'true' && (all || c.State === 'running'))
    .map((c) => ({ Id: c.Id, Image: c.Image, State: c.State, Labels: c.Labels, Ports: c.Ports }));
}

/**
 * Published ports bound beyond loopback. This tool binds 127.0.0.1 only, but a container with our
 * labels can come from elsewhere (an older version, `docker run -p 9010:9010 --label ...`); the
 * emulator has no authentication, so one reachable from the network is never reused.
 */
function bindingsBeyondLoopback(c: DockerContainerSummary): string[] {
  return c.Ports.filter((p) => p.PublicPort && p.IP !== '127.0.0.1' && p.IP !== '::1').map((p) => `${p.IP ?? '?'}:${p.PublicPort}`);
}

function refuseExposed(c: DockerContainerSummary): never {
  const name = c.Labels?.[NAME_LABEL] ?? 'default';
  throw new UserFacingError(
    `The emulator container ${c.Id.slice(0, 12)} ("${name}") publishes its ports on ${[...new Set(bindingsBeyondLoopback(c))].join(', ')}: ` +
      'other machines can reach it, and the emulator has no authentication. Not using it.',
    `Remove it (luigi-spanner emulator stop --name ${name}) and start again: luigi-spanner publishes emulator ports on 127.0.0.1 only.`,
    'EMULATOR_EXPOSED',
  );
}

/**
 * Running emulator containers of this tool, all names unless `name` is given. A container
 * published beyond loopback is refused (see bindingsBeyondLoopback), unless `includeExposed`
 * (to stop it).
 */
export async function findDockerEmulators(name?: string, options: { includeExposed?: boolean } = {}): Promise<RunningEmulator[]> {
  const containers = (await listOurContainers()).filter((c) => c.State === 'running' && (name === undefined || (c.Labels?.[NAME_LABEL] ?? 'default') === name));
  if (!options.includeExposed) {
    const exposed = containers.find((c) => bindingsBeyondLoopback(c).length > 0);
    if (exposed) refuseExposed(exposed);
  }
  return containers.map(toRunning).filter((e): e is RunningEmulator => e !== undefined);
}

export async function startDockerEmulator(settings: EmulatorSettings): Promise<RunningEmulator> {
  const existing = await findDockerEmulators(settings.name);
  const match = existing.find((e) => e.faultInjection === settings.faultInjection);
  if (match) return { ...match, reused: true };
  if (existing.length > 0) {
    throw new UserFacingError(
      `The emulator "${settings.name}" already runs ${existing[0]!.faultInjection ? 'with' : 'without'} fault injection.`,
      `Stop it first (luigi-spanner emulator stop --name ${settings.name}), or give this one another name (--name).`,
      'EMULATOR_CONFLICT',
    );
  }
  await assertPortFree(settings.grpcPort);

  const before = new Set((await listOurContainers(true)).map((c) => c.Id));
  const { SpannerEmulatorContainer } = gcloudModule();
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
  const args = ['--hostname', '0.0.0.0', ...(settings.faultInjection ? ['--enable_fault_injection'] : [])];
  const container = new LoopbackSpannerEmulatorContainer(settings.image)
    .withProjectId(settings.projectId)
    .withCommand(args)
    .withExposedPorts(settings.grpcPort ? { container: GRPC_PORT, host: settings.grpcPort } : GRPC_PORT, REST_PORT)
    .withLabels({ [EMULATOR_LABEL]: 'true', [FAULT_LABEL]: String(settings.faultInjection), [NAME_LABEL]: settings.name })
    .withStartupTimeout(60_000)
    // Reuse keeps it out of the Ryuk reaper: the emulator outlives the CLI process that started it.
    .withReuse();
  // A new emulator is empty and gets provisioned next: load the gRPC client while it boots.
  const preload = setTimeout(preloadSpannerClient, 50);
  try {
    const started = await container.start();
    return {
      backend: 'docker',
      host: `127.0.0.1:${started.getGrpcPort()}`,
      restHost: `127.0.0.1:${started.getMappedPort(REST_PORT)}`,
      handle: started.getId(),
      reused: false,
      faultInjection: settings.faultInjection,
      name: settings.name,
    };
  } catch (error) {
    clearTimeout(preload);
    await removeContainersCreatedSince(before);
    throw await describeStartFailure(error, settings);
  }
}

/** Nothing half-created: a container created but never started (port taken, bad image) goes. */
async function removeContainersCreatedSince(before: Set<string>): Promise<void> {
  try {
    for (const c of await listOurContainers(true)) {
      if (!before.has(c.Id)) await removeContainer(c.Id);
    }
  } catch {
    // The engine went away: nothing we can clean.
  }
}

async function describeStartFailure(error: unknown, settings: EmulatorSettings): Promise<UserFacingError> {
  const message = (error as Error).message ?? String(error);
  if (/port is already allocated|address already in use/i.test(message)) {
    return new UserFacingError(
      `The emulator port${settings.grpcPort ? ` ${settings.grpcPort}` : ''} is busy: ${message.split('\n')[0]}`,
      'Stop what holds the port (an emulator of ours: luigi-spanner emulator stop), or pick another port (--port).',
      'PORT_BUSY',
    );
  }
  if (!(await dockerImageExists(settings.image).catch(() => true))) {
    return new UserFacingError(
      `The emulator image ${settings.image} is not on this machine and could not be pulled (${message.split('\n')[0]}).`,
      'Pull it when online (docker pull gcr.io/cloud-spanner-emulator/emulator:1.5.28), or build one from the installed ' +
        'emulator binaries with emulator/build-image.sh and set LUIGI_SPANNER_EMULATOR_IMAGE=luigi-spanner/emulator:local.',
      'IMAGE_MISSING',
    );
  }
  return new UserFacingError(
    `The emulator container did not become ready: ${message}`,
    'Look at its log with docker logs <container>; check that the image runs gateway_main (emulator/build-image.sh builds one).',
    'NOT_READY',
  );
}

async function removeContainer(id: string): Promise<void> {
  const transport = plainDockerTransport();
  if (transport) {
    try {
      await dockerRequest(transport, 'POST', `/containers/${id}/stop?t=2`, 15_000);
    } catch (error) {
      // 304: already stopped; 404: already gone.
      if (![304, 404].includes((error as { statusCode?: number }).statusCode ?? 0)) throw error;
    }
    try {
      await dockerRequest(transport, 'DELETE', `/containers/${id}?v=1&force=1`, 15_000);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    }
    return;
  }
  const client = await dockerRuntime();
  const container = client.container.getById(id);
  await client.container.stop(container, { timeout: 2 });
  await client.container.remove(container, { removeVolumes: true });
}

/** Stops and removes this tool's emulator containers: all of them, or those named `name`. */
export async function stopDockerEmulators(name?: string): Promise<string[]> {
  const found = await findDockerEmulators(name, { includeExposed: true });
  for (const emulator of found) await removeContainer(emulator.handle);
  return found.map((e) => e.handle);
}

/** The container's own log (stdout and stderr), following; `tail` limits the history replayed. */
export async function dockerLogs(handle: string, options: { tail?: number } = {}): Promise<NodeJS.ReadableStream> {
  const client = await dockerRuntime();
  return client.container.logs(client.container.getById(handle), options.tail !== undefined ? { tail: options.tail } : undefined);
}
