// The editor's controller (state, actions, log lines) against a real container of its own name.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { emulatorStatus, resolveSettings, stopEmulators } from '../../emulator/src';
import { EmulatorController, type EmulatorState } from '../../emulator/src/controller';

const NAME = `ui-${process.pid}`;
const image = process.env.LUIGI_SPANNER_EMULATOR_IMAGE || 'luigi-spanner/emulator:local';
const settings = (overrides: Parameters<typeof resolveSettings>[0] = {}) => () =>
  resolveSettings({
    backend: 'docker',
    image,
    name: NAME,
    projectId: 'luigi-spanner-test',
    instanceId: 'ui',
    databaseId: 'uidb',
    migrationsDir: path.resolve('samples/orders/migrations'),
    ...overrides,
  });

afterAll(async () => {
  await stopEmulators(NAME);
  await stopEmulators(`${NAME}-bad`);
});

const until = async (check: () => boolean, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return check();
};

describe('EmulatorController (real emulator)', () => {
  const controller = new EmulatorController(settings());
  const states: EmulatorState[] = [];
  const logs: string[] = [];
  controller.onDidChange((s) => states.push(s.state));
  controller.onLog((line) => logs.push(line));

  it('starts nothing on refresh when nothing runs', async () => {
    expect((await controller.refresh()).state).toBe('stopped');
    expect((await emulatorStatus(NAME)).state).toBe('stopped');
  });

  it('goes starting → ready on start, streams the emulator log, and provisions the database', async () => {
    const snapshot = await controller.start();
    expect(states.slice(-2)).toEqual(['starting', 'ready']);
    expect(snapshot).toMatchObject({ state: 'ready', startedHere: true, database: { created: true } });
    expect(await until(() => logs.some((l) => /Cloud Spanner emulator running/.test(l)))).toBe(true);
    expect(controller.connectionEnv()).toMatchObject({ SPANNER_EMULATOR_HOST: snapshot.running!.host, SPANNER_DATABASE: 'uidb' });
  });

  it('queries and inspects the ready database', async () => {
    await controller.query("INSERT INTO Customers (CustomerId, Name, LoadedAt) VALUES (7, 'Kim', PENDING_COMMIT_TIMESTAMP())", { allowWrites: true });
    expect((await controller.query('SELECT CustomerId, Name FROM Customers')).rows).toEqual([[7, 'Kim']]);
    const inspection = await controller.inspect();
    expect(inspection.tables.find((t) => t.name === 'Customers')?.rowCount).toBe(1);
    expect(inspection.markers.present).toBe(true);
  });

  it('resets the database without restarting the emulator', async () => {
    const before = controller.snapshot.running!.handle;
    const snapshot = await controller.reset();
    expect(snapshot).toMatchObject({ state: 'ready', database: { dropped: true, created: true } });
    expect(snapshot.running!.handle).toBe(before);
    expect((await controller.query('SELECT COUNT(*) FROM Customers')).rows).toEqual([[0]]);
  });

  it('a second window finds it ready and does not stop it on close; the first keeps it when asked', async () => {
    const second = new EmulatorController(settings());
    expect(await second.refresh()).toMatchObject({ state: 'ready', startedHere: false });
    await second.dispose({ keepRunning: false });
    expect((await emulatorStatus(NAME)).state).toBe('running');
    await controller.dispose({ keepRunning: true });
    expect((await emulatorStatus(NAME)).state).toBe('running');
  });

  it('another window watching sees a stop made elsewhere within seconds, and is told it went away; stop says what it stopped', async () => {
    const watcher = new EmulatorController(settings());
    expect((await watcher.refresh()).state).toBe('ready');
    const gone: string[] = [];
    watcher.onDidGoAway(({ emulator }) => gone.push(emulator.handle));
    const stopWatching = watcher.watch(200);
    const third = new EmulatorController(settings());
    await third.refresh();
    const handle = third.snapshot.running!.handle;
    const result = await third.stop();
    expect(result.stopped.map((e) => e.handle)).toEqual([handle]);
    expect(result.stopped[0]).toMatchObject({ backend: 'docker', name: NAME });
    expect(third.snapshot.state).toBe('stopped');
    expect(await until(() => watcher.snapshot.state === 'stopped', 5_000)).toBe(true);
    expect(gone).toEqual([handle]);
    // Started elsewhere (a run, the CLI): the watcher shows it ready without being asked.
    const other = new EmulatorController(settings());
    await other.start();
    expect(await until(() => watcher.snapshot.state === 'ready', 5_000)).toBe(true);
    expect(watcher.snapshot.running!.handle).toBe(other.snapshot.running!.handle);
    stopWatching();
    await watcher.dispose({ keepRunning: true });
    expect((await other.stop()).stopped).toHaveLength(1);
    expect((await other.stop()).stopped).toEqual([]);
  });

  it('stops the emulator it started when the editor closes', async () => {
    const third = new EmulatorController(settings());
    await third.refresh();
    await third.stop();
    expect(third.snapshot.state).toBe('stopped');
    const fourth = new EmulatorController(settings());
    await fourth.start();
    expect(fourth.snapshot.startedHere).toBe(true);
    await fourth.dispose({ keepRunning: false });
    expect((await emulatorStatus(NAME)).state).toBe('stopped');
  });

  it('shows an error state with the fix when the start fails, and refuses queries', async () => {
    const broken = new EmulatorController(settings({ name: `${NAME}-bad`, image: 'luigi-spanner/missing-image:none' }));
    await expect(broken.start()).rejects.toMatchObject({ code: 'IMAGE_MISSING' });
    expect(broken.snapshot).toMatchObject({ state: 'error', error: { message: expect.stringContaining('missing-image') } });
    expect(broken.snapshot.error?.fix).toMatch(/build-image\.sh/);
    await expect(broken.query('SELECT 1')).rejects.toMatchObject({ code: 'NOT_RUNNING' });
    expect((await broken.refresh()).state).toBe('error');
  });
});
