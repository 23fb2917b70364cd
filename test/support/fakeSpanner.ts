// A fake Spanner endpoint on loopback that records every RPC it receives: for the tests that
// prove the "only ever an emulator" checks run before anything that writes. Real gRPC over a
// real socket, through the real client; it answers ListInstanceConfigs (as an emulator or as a
// real project) and ListDatabases, and refuses everything else (after recording it).
import type { Server } from '@grpc/grpc-js';

type Protos = typeof import('@google-cloud/spanner').protos;

export interface FakeSpanner {
  host: string;
  /** Method names received, in order, e.g. `InstanceAdmin/CreateInstance`. */
  calls: string[];
  close(): Promise<void>;
}

export interface FakeSpannerOptions {
  /** Instance configuration ids it reports: `['emulator-config']` answers like the emulator. */
  instanceConfigs: string[];
  /** Database ids ListDatabases returns (in every instance). */
  databases?: string[];
}

export async function startFakeSpanner(options: FakeSpannerOptions): Promise<FakeSpanner> {
  const { grpc } = require('google-gax') as typeof import('google-gax');
  const { protos } = require('@google-cloud/spanner') as { protos: Protos };
  const g = protos.google;
  const server: Server = new grpc.Server();
  const calls: string[] = [];
  const services: Array<[string, object]> = [
    ['google.spanner.admin.instance.v1.InstanceAdmin', g.spanner.admin.instance.v1.InstanceAdmin.prototype],
    ['google.spanner.admin.database.v1.DatabaseAdmin', g.spanner.admin.database.v1.DatabaseAdmin.prototype],
    ['google.spanner.v1.Spanner', g.spanner.v1.Spanner.prototype],
  ];
  const answers: Record<string, (request: Buffer) => Uint8Array> = {
    'InstanceAdmin/ListInstanceConfigs': () =>
      g.spanner.admin.instance.v1.ListInstanceConfigsResponse.encode({
        instanceConfigs: options.instanceConfigs.map((id) => ({ name: `projects/p/instanceConfigs/${id}` })),
      }).finish(),
    'DatabaseAdmin/ListDatabases': (request) => {
      const parent = g.spanner.admin.database.v1.ListDatabasesRequest.decode(request).parent;
      return g.spanner.admin.database.v1.ListDatabasesResponse.encode({
        databases: (options.databases ?? []).map((id) => ({ name: `${parent}/databases/${id}`, state: 2 })),
      }).finish();
    },
  };
  for (const [service, prototype] of services) {
    const definition: Record<string, object> = {};
    const implementation: Record<string, unknown> = {};
    for (const method of Object.getOwnPropertyNames(prototype).filter((n) => n !== 'constructor')) {
      const rpc = method[0]!.toUpperCase() + method.slice(1);
      const name = `${service.split('.').pop()}/${rpc}`;
      definition[method] = {
        path: `/${service}/${rpc}`,
        requestStream: false,
        responseStream: false,
        requestSerialize: (b: Buffer) => b,
        requestDeserialize: (b: Buffer) => b,
        responseSerialize: (b: Uint8Array) => Buffer.from(b),
        responseDeserialize: (b: Buffer) => b,
      };
      implementation[method] = (call: { request: Buffer }, callback: (error: unknown, value?: Uint8Array) => void) => {
        calls.push(name);
        const answer = answers[name];
        if (answer) callback(null, answer(call.request));
        else callback({ code: grpc.status.PERMISSION_DENIED, details: `fake Spanner: ${name} refused` });
      };
    }
    server.addService(definition as never, implementation as never);
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    host: `127.0.0.1:${port}`,
    calls,
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}
