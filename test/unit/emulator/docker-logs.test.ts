// Following an emulator container's log over the Docker Engine API (emulator/src/dockerApi.ts), as
// the editor does when it finds an emulator already running: a local HTTP server on a unix socket
// stands in for the engine and answers the logs endpoint the way Docker frames it.
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { followContainerLogs } from '../../../emulator/src/dockerApi';

let dir: string;
let server: http.Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** A frame of Docker's multiplexed log stream: stream type, three zero bytes, big-endian length, payload. */
const frame = (stream: 1 | 2, text: string) => {
  const payload = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

async function engine(handler: (request: http.IncomingMessage, response: http.ServerResponse) => void): Promise<string> {
  dir = mkdtempSync(path.join(os.tmpdir(), 'docker-logs-'));
  const socketPath = path.join(dir, 'docker.sock');
  server = http.createServer(handler);
  await new Promise<void>((resolve) => server!.listen(socketPath, resolve));
  return socketPath;
}

test('multiplexed frames, split across writes, come out as the container wrote them; the request asks for the tail and follows', async () => {
  const requested: string[] = [];
  const socketPath = await engine((request, response) => {
    requested.push(request.url ?? '');
    response.writeHead(200, { 'Content-Type': 'application/vnd.docker.multiplexed-stream' });
    const bytes = Buffer.concat([frame(1, 'Cloud Spanner emulator running.\n'), frame(2, 'gRPC server listening at 0.0.0.0:9010\n')]);
    // Split inside a header and inside a payload.
    response.write(bytes.subarray(0, 5));
    setTimeout(() => response.write(bytes.subarray(5, 20)), 10);
    setTimeout(() => response.write(bytes.subarray(20)), 20);
  });
  const texts: string[] = [];
  const stop = followContainerLogs({ socketPath }, 'abc123', { tail: 200, onText: (text) => texts.push(text) });
  await expect.poll(() => texts.join('')).toBe('Cloud Spanner emulator running.\ngRPC server listening at 0.0.0.0:9010\n');
  expect(requested).toEqual(['/containers/abc123/logs?follow=1&stdout=1&stderr=1&tail=200']);
  stop();
});

test('a TTY container (raw stream, no content type) passes through; an engine error is reported, not thrown', async () => {
  const socketPath = await engine((request, response) => {
    if (request.url?.startsWith('/containers/gone/')) {
      response.writeHead(404, { 'Content-Type': 'application/json' });
      response.end('{"message":"No such container: gone"}');
      return;
    }
    response.writeHead(200);
    response.write('plain log line\n');
  });
  const texts: string[] = [];
  const stop = followContainerLogs({ socketPath }, 'tty', { onText: (text) => texts.push(text) });
  await expect.poll(() => texts.join('')).toBe('plain log line\n');
  stop();
  const errors: Error[] = [];
  followContainerLogs({ socketPath }, 'gone', { onText: () => undefined, onError: (error) => errors.push(error) });
  await expect.poll(() => errors.map((e) => e.message)).toEqual(['the Docker engine answered HTTP 404 for the log of gone']);
});
