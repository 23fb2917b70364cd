// Loopback ports: free ones for the binary backend, fixed ones checked before anything starts.
import net from 'node:net';
import { UserFacingError } from '../../extension/core/errors';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function waitForPort(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = net.connect({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`));
        else setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}

/** Fails with PORT_BUSY before anything is created when a fixed port is taken. */
export async function assertPortFree(port: number): Promise<void> {
  if (!port) return;
  const free = await new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
  if (!free) {
    throw new UserFacingError(
      `Port ${port} on 127.0.0.1 is busy: the emulator cannot listen there.`,
      `Stop what holds it (ss -ltnp 'sport = :${port}' shows it; an emulator of ours: luigi-spanner emulator stop), ` +
        'or pick another port (--port, luigi-spanner.json "grpcPort"), or 0 for a free one.',
      'PORT_BUSY',
    );
  }
}

