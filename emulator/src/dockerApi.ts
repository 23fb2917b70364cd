// A minimal Docker Engine API client for the calls on the hot path (ping, list, stop, remove).
// Loading Testcontainers costs about a second; finding a running emulator again must not.
// Only plain transports are spoken here (a unix socket, or tcp:// without TLS); anything else
// (TLS, ssh, a ~/.testcontainers.properties override) returns `undefined` and the caller
// falls back to Testcontainers, which knows them all.
import { existsSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

export type DockerTransport = { socketPath: string } | { host: string; port: number };

export function plainDockerTransport(env: NodeJS.ProcessEnv = process.env): DockerTransport | undefined {
  if (existsSync(path.join(os.homedir(), '.testcontainers.properties'))) return undefined;
  const dockerHost = env.DOCKER_HOST;
  if (!dockerHost) return existsSync('/var/run/docker.sock') ? { socketPath: '/var/run/docker.sock' } : undefined;
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) };
  const tcp = /^tcp:\/\/([^:/]+):(\d+)\/?$/.exec(dockerHost);
  if (tcp && !env.DOCKER_TLS_VERIFY && !env.DOCKER_CERT_PATH) return { host: tcp[1]!, port: Number(tcp[2]) };
  return undefined;
}

export class DockerApiError extends Error {
  constructor(
    message: string,
    readonly statusCode: number | undefined,
  ) {
    super(message);
  }
}

export function dockerRequest<T>(transport: DockerTransport, method: string, requestPath: string, timeoutMs = 5_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const request = http.request({ ...transport, method, path: requestPath, timeout: timeoutMs, headers: { Host: 'docker' } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const status = response.statusCode ?? 0;
        if (status >= 400) {
          let message = body;
          try {
            message = (JSON.parse(body) as { message?: string }).message ?? body;
          } catch {
            // Plain-text error body.
          }
          reject(new DockerApiError(message.trim() || `HTTP ${status}`, status));
          return;
        }
        if (!body) return resolve(undefined as T);
        try {
          resolve(JSON.parse(body) as T);
        } catch {
          resolve(body as T);
        }
      });
    });
    request.on('timeout', () => request.destroy(new Error(`the Docker engine did not answer ${method} ${requestPath} within ${timeoutMs} ms`)));
    request.on('error', (error) => reject(new DockerApiError(error.message, undefined)));
    request.end();
  });
}

export interface DockerContainerSummary {
  Id: string;
  Image: string;
  State: string;
  Labels?: Record<string, string>;
  Ports: Array<{ IP?: string; PrivatePort: number; PublicPort?: number; Type: string }>;
}

export function listContainersByLabel(transport: DockerTransport, label: string, all = false): Promise<DockerContainerSummary[]> {
  const filters = encodeURIComponent(JSON.stringify({ label: [label] }));
  return dockerRequest<DockerContainerSummary[]>(transport, 'GET', `/containers/json?all=${all ? 1 : 0}&filters=${filters}`);
}
