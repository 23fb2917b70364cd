// The two halves of "only ever an emulator": the host rule (env.ts) and the server check
// (provision.ts assertIsEmulator), which must come before the first request that writes.
// The server side runs against a fake Spanner endpoint on loopback that records every RPC.
import { afterEach, describe, expect, it } from 'vitest';
import { ALLOW_EMULATOR_HOST_ENV, assertEmulatorHost, isLocalAddress } from '../../../emulator/src/env';
import { resetEmulator, resolveSettings } from '../../../emulator/src';
import { provision } from '../../../emulator/src/provision';
import { pruneRunDatabases } from '../../../extension/core/runs/runTarget';
import type { RunningEmulator } from '../../../emulator/src/types';
import { startFakeSpanner, type FakeSpanner } from '../../support/fakeSpanner';

describe('emulator host rule', () => {
  const noOptIn = {};
  it.each([
    '127.0.0.1:9010',
    '127.10.0.3:9010',
    'localhost:9010',
    'LocalHost.:9010',
    '[::1]:9010',
    '[0:0:0:0:0:0:0:1]:9010',
    '[::ffff:127.0.0.1]:9010',
    '10.1.2.3:9010',
    '172.16.0.5:9010',
    '172.31.255.1:9010',
    '192.168.1.2:9010',
    '[fd12:3456::5]:9010',
    '0.0.0.0:9010',
  ])('accepts %s (this machine or a private address)', (host) => {
    expect(() => assertEmulatorHost(host, noOptIn)).not.toThrow();
  });

  it.each([
    ['SPANNER.GoogleApis.com.:443', /Google endpoint/],
    ['spanner.googleapis.com:443', /Google endpoint/],
    ['spanner.googleapis.com..:443', /Google endpoint/],
    ['www.google.com:443', /Google endpoint/],
    ['199.36.153.8:443', /neither this machine nor a private address/],
    ['8.8.8.8:9010', /neither this machine nor a private address/],
    ['169.254.169.254:80', /neither this machine nor a private address/],
    ['172.32.0.1:9010', /neither this machine nor a private address/],
    ['[2001:db8::1]:9010', /neither this machine nor a private address/],
    ['127.1:9010', /neither this machine nor a private address/],
    ['spanner-emulator:9010', /neither this machine nor a private address/],
    ['localhost.example.com:9010', /neither this machine nor a private address/],
  ])('refuses %s', (host, message) => {
    expect(() => assertEmulatorHost(host, noOptIn)).toThrow(message);
  });

  it('says how to name a compose service or LAN host as the emulator', () => {
    expect(() => assertEmulatorHost('spanner-emulator:9010', noOptIn)).toThrow(
      expect.objectContaining({ code: 'NOT_EMULATOR', fix: expect.stringContaining('LUIGI_SPANNER_ALLOW_EMULATOR_HOST=spanner-emulator') }),
    );
  });

  it('lets a name through only when the user names it, never a Google domain', () => {
    const env = { [ALLOW_EMULATOR_HOST_ENV]: 'spanner-emulator, emu.lan:9011, spanner.googleapis.com' };
    expect(() => assertEmulatorHost('spanner-emulator:9010', env)).not.toThrow();
    expect(() => assertEmulatorHost('Spanner-Emulator.:9010', env)).not.toThrow();
    expect(() => assertEmulatorHost('emu.lan:9011', env)).not.toThrow();
    expect(() => assertEmulatorHost('emu.lan:9010', env)).toThrow(/neither this machine/);
    expect(() => assertEmulatorHost('other:9010', env)).toThrow(/neither this machine/);
    expect(() => assertEmulatorHost('spanner.googleapis.com:443', env)).toThrow(/Google endpoint/);
  });

  it('classifies address literals, never names', () => {
    expect(isLocalAddress('127.0.0.1')).toBe(true);
    expect(isLocalAddress('fc00::1')).toBe(true);
    expect(isLocalAddress('fe80::1')).toBe(false);
    expect(isLocalAddress('::')).toBe(true);
    expect(isLocalAddress('::2')).toBe(false);
    expect(isLocalAddress('256.0.0.1')).toBe(false);
    expect(isLocalAddress('1:2:3:4:5:6:7:8:9')).toBe(false);
    expect(isLocalAddress('localhost')).toBe(false);
  });
});

describe('server check before the first write (fake Spanner endpoint on loopback)', () => {
  let fake: FakeSpanner | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });
  const target = (host: string) => ({ host, projectId: 'guard-project', instanceId: 'guard-inst', databaseId: 'guard-db' });

  it('provision asks for the instance configs first and sends nothing else to a real-looking project', async () => {
    fake = await startFakeSpanner({ instanceConfigs: ['regional-us-central1', 'nam3'] });
    await expect(provision(target(fake.host))).rejects.toThrow(/does not answer like the Spanner emulator/);
    expect(fake.calls).toEqual(['InstanceAdmin/ListInstanceConfigs']);
  });

  it('provision goes on to CreateInstance when the server answers like the emulator (the check above is the only thing that stopped it)', async () => {
    fake = await startFakeSpanner({ instanceConfigs: ['emulator-config'] });
    await expect(provision(target(fake.host))).rejects.toThrow();
    expect(fake.calls.slice(0, 2)).toEqual(['InstanceAdmin/ListInstanceConfigs', 'InstanceAdmin/CreateInstance']);
  });

  it('`emulator reset --backend external` sends no CreateInstance to a server that is not the emulator', async () => {
    fake = await startFakeSpanner({ instanceConfigs: ['regional-us-central1'] });
    const settings = resolveSettings({ backend: 'external', projectId: 'guard-project', instanceId: 'guard-inst', databaseId: 'guard-db' }, {});
    await expect(resetEmulator(settings, {}, { SPANNER_EMULATOR_HOST: fake.host })).rejects.toThrow(/does not answer like the Spanner emulator/);
    expect(fake.calls).toEqual(['InstanceAdmin/ListInstanceConfigs']);
  });

  const runDatabases = Array.from({ length: 12 }, (_, i) => `run-${(1_700_000_000_000 + i).toString(36)}-a${i}`);
  const chosen = (host: string): { emulator: RunningEmulator; target: ReturnType<typeof target> } => ({
    // No REST gateway: the prune takes its gRPC fallback.
    emulator: { backend: 'external', host, handle: host, reused: true, faultInjection: false, name: 'external' },
    target: { ...target(host), databaseId: runDatabases[11]! },
  });

  it('the prune of old run databases (gRPC fallback) lists and drops nothing on a server that is not the emulator', async () => {
    fake = await startFakeSpanner({ instanceConfigs: ['regional-us-central1'], databases: runDatabases });
    await pruneRunDatabases(chosen(fake.host));
    expect(fake.calls).toEqual(['InstanceAdmin/ListInstanceConfigs']);
  });

  it('the same prune against an emulator-like server does list and drop (so the test above can see a drop)', async () => {
    fake = await startFakeSpanner({ instanceConfigs: ['emulator-config'], databases: runDatabases });
    await pruneRunDatabases(chosen(fake.host));
    expect(fake.calls.slice(0, 3)).toEqual(['InstanceAdmin/ListInstanceConfigs', 'DatabaseAdmin/ListDatabases', 'DatabaseAdmin/DropDatabase']);
  });
});
