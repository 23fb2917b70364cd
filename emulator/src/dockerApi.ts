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

/**
 * Follows a container's log (its last `tail` lines, then what it writes) as text chunks. Docker
 * frames stdout and stderr of a container without a TTY (8-byte headers: stream, 3 zero bytes,
 * length); a TTY container's log is the raw bytes. Returns a stop function.
 */
export function followContainerLogs(
  transport: DockerTransport,
  id: string,
  options: { tail?: number; onText: (text: string) => void; onError?: (error: Error) => void },
): () => void {
  const query = `follow=1&stdout=1&stderr=1${options.tail !== undefined ? `&tail=${options.tail}` : ''}`;
  const request = http.request({ ...transport, method: 'GET', path: `/containers/${encodeURIComponent(id)}/logs?${query}`, headers: { Host: 'docker' } }, (response) => {
    if ((response.statusCode ?? 0) >= 400) {
      options.onError?.(new DockerApiError(`the Docker engine answered HTTP ${response.statusCode} for the log of ${id}`, response.statusCode));
      response.resume();
      return;
    }
    let pending: Buffer = Buffer.alloc(0);
    let framed: boolean | undefined = /multiplexed/.test(String(response.headers['content-type'] ?? '')) ? true : undefined;
    response.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      // Without the content type (older engines), the first bytes tell: a stream type 0-2 and three zero bytes.
      if (framed === undefined && pending.length >= 4) framed = pending[0]! <= 2 && pending[1] === 0 && pending[2] === 0 && pending[3] === 0;
      if (framed === false) {
        options.onText(pending.toString('utf8'));
        pending = Buffer.alloc(0);
        return;
      }
      while (pending.length >= 8) {
        const size = pending.readUInt32BE(4);
        if (pending.length < 8 + size) break;
        options.onText(pending.subarray(8, 8 + size).toString('utf8'));
        pending = pending.subarray(8 + size);
      }
    });
    response.on('error', (error) => options.onError?.(error));
  });
  request.on('error', (error) => options.onError?.(error));
  request.end();
  return () => request.destroy();
}
