// Luigi's central scheduler: luigid from the venv, and three `luigi-spanner run --scheduler` workers
// on one emulator database, each its own process tree (CLI and runner), as three machines would run
// them. One is killed at a data commit (before or after it); the other two take over: once luigid
// gives up on the dead worker, or, in the order Luigi alone hangs on, at once while luigid still
// holds the task RUNNING for it. Then a clean rerun. The rows must be exact with no duplicate, and
// luigid must show every task DONE.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDatabase } from '../../emulator/src';
import type { RunEvent } from '../../extension/core/runs/events';
import { ENV } from '../../extension/shared/contract';
import { buildCli } from '../support/cli';
import { emulatorHost, query, TEST_INSTANCE, TEST_PROJECT, uniqueDatabaseId } from '../support/emulator';
import { REPO_ROOT, testPython } from '../support/python';

const PIPELINE = 'samples/orders/pipeline.py';
const scratch = mkdtempSync(path.join(os.tmpdir(), 'luigi-spanner-luigid-'));
const toolRoot = path.join(scratch, 'tool');
const cli = path.join(toolRoot, 'dist', 'cli.js');

/** One luigid from the venv, with its own configuration (which its workers read too). */
interface Luigid {
  port: number;
  config: string;
  log: string;
  child: ChildProcess;
}
const schedulers: Luigid[] = [];
const databases: string[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port: found } = server.address() as net.AddressInfo;
      server.close(() => resolve(found));
    });
  });
}

/** luigid's JSON API: `/api/<method>?data=<json args>`. */
async function luigidApi<T>(luigid: Luigid, method: string, args: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${luigid.port}/api/${method}?data=${encodeURIComponent(JSON.stringify(args))}`);
  if (!response.ok) throw new Error(`luigid ${method}: HTTP ${response.status}`);
  return ((await response.json()) as { response: T }).response;
}

interface Worker {
  name: string;
  events: RunEvent[];
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  child: ChildProcess;
}

const workers: Worker[] = [];

/** A worker's end, or a failure naming what every worker saw by then (never a silent hang). */
async function ended(worker: Worker, ms = 120_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const seen = workers.map((w) => `${w.name}: ${w.events.map((e) => `${e.type}${'family' in e ? ` ${e.family}` : ''}`).join(', ')}`).join('\n');
      for (const w of workers) if (w.child.exitCode === null && w.child.pid !== undefined) w.child.kill('SIGKILL');
      reject(new Error(`${worker.name} did not finish in ${ms / 1000} s.\n${seen}\nluigid:\n${schedulers.map((l) => l.log.slice(-3000)).join('\n')}`));
    }, ms);
  });
  try {
    return await Promise.race([worker.done, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** One `luigi-spanner run --scheduler` process, as on its own machine; events from its --json output. */
function startWorker(name: string, task: string, database: string, scheduler: Luigid | undefined, extraEnv: Record<string, string> = {}): Worker {
  const events: RunEvent[] = [];
  const args = ['run', PIPELINE, task, '--keep-state', '--database', database, '--json', ...(scheduler ? ['--scheduler', `127.0.0.1:${scheduler.port}`] : [])];
  const child = spawn(process.execPath, [cli, ...args], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      NODE_PATH: path.join(REPO_ROOT, 'node_modules'),
      [ENV.emulatorHost]: emulatorHost(),
      [ENV.project]: TEST_PROJECT,
      [ENV.instance]: TEST_INSTANCE,
      LUIGI_SPANNER_PYTHON: testPython(),
      ...(scheduler ? { LUIGI_CONFIG_PATH: scheduler.config } : {}),
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    const lines = stdout.split('\n');
    stdout = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('{')) events.push(JSON.parse(line) as RunEvent);
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stderr: stderr.slice(-4000) })),
  );
  const worker = { name, events, done, child };
  workers.push(worker);
  return worker;
}

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.\nluigid:\n${schedulers.map((l) => l.log.slice(-3000)).join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Starts luigid with `[scheduler]` settings over the defaults below; workers get the same file. */
async function startLuigid(name: string, scheduler: Record<string, string | number> = {}): Promise<Luigid> {
  const luigidBin = path.join(path.dirname(testPython()), 'luigid');
  if (!existsSync(luigidBin)) throw new Error(`No luigid beside ${testPython()}: run bash scripts/setup.sh (luigi installs it).`);
  const port = await freePort();
  const config = path.join(scratch, `${name}.cfg`);
  const settings = {
    // A worker that stops pinging is gone after 2 s (default 60), its running task is handed out
    // again at once (default 900 s) and workers prune when they ask for work (default only every
    // 60 s): the same failover as in production, on a test's time scale.
    worker_disconnect_delay: 2,
    retry_delay: 0,
    retry_count: 3,
    prune_on_get_work: 'true',
    record_task_history: 'false',
    ...scheduler,
  };
  writeFileSync(
    config,
    [
      '[scheduler]',
      ...Object.entries(settings).map(([key, value]) => `${key} = ${value}`),
      '',
      '[worker]',
      // Workers wait for tasks other workers hold instead of leaving (as long-lived workers on
      // machines do), so the survivors take over the killed worker's task.
      'keep_alive = true',
      'ping_interval = 0.5',
      'wait_interval = 0.5',
      '',
    ].join('\n'),
  );
  const child = spawn(luigidBin, ['--address', '127.0.0.1', '--port', String(port), '--state-path', path.join(scratch, `${name}-state.pickle`)], {
    env: { ...process.env, LUIGI_CONFIG_PATH: config },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const luigid: Luigid = { port, config, log: '', child };
  schedulers.push(luigid);
  child.stdout!.on('data', (chunk: Buffer) => (luigid.log += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (luigid.log += chunk.toString()));
  await until('luigid to answer', () => luigidApi(luigid, 'task_list', { status: 'DONE' }).then(() => true, () => false), 30_000);
  return luigid;
}

beforeAll(async () => {
  // The CLI as installed: bundled beside a link to extension/ (the tool root it finds the venv from).
  mkdirSync(path.join(toolRoot, 'dist'), { recursive: true });
  symlinkSync(path.join(REPO_ROOT, 'extension'), path.join(toolRoot, 'extension'));
  await buildCli(path.join(toolRoot, 'dist'));
}, 120_000);

afterAll(async () => {
  for (const w of workers) if (w.child.exitCode === null && w.child.pid !== undefined) w.child.kill('SIGKILL');
  for (const { child } of schedulers) {
    if (child.pid === undefined || child.exitCode !== null) continue;
    const exited = new Promise((r) => child.once('close', r));
    child.kill('SIGTERM');
    await exited;
  }
  for (const databaseId of databases) await dropDatabase({ host: emulatorHost(), projectId: TEST_PROJECT, instanceId: TEST_INSTANCE, databaseId }).catch(() => undefined);
  rmSync(scratch, { recursive: true, force: true });
});

/** A fresh database with its migrations, made by one run before the workers share it. */
async function freshDatabase(name: string): Promise<string> {
  const database = uniqueDatabaseId(name);
  databases.push(database);
  const setup = startWorker(`${name}-setup`, 'CustomersExport', database, undefined);
  expect((await ended(setup)).code).toBe(0);
  return database;
}

function story(seed: number, ws: Worker[]): string {
  return `seed ${seed}\n${ws.map((w) => `${w.name}: ${w.events.map((e) => `${e.type}${'family' in e ? ` ${e.family}` : ''}`).join(', ')}`).join('\n')}`;
}

/**
 * The outcome every order of events must reach: the killed worker stopped at its commit, the
 * survivors succeeded, every Spanner task ran to its end once among them, a rerun starts nothing,
 * luigid holds every task DONE, and the rows are exact with no duplicate.
 */
async function expectPipelineDoneOnce(database: string, luigid: Luigid, killed: Worker, killedEnd: { code: number | null }, survivors: Worker[], seed: number): Promise<void> {
  const context = story(seed, [killed, ...survivors]);
  const [fault] = killed.events.filter((e) => e.type === 'fault');
  expect(fault, context).toMatchObject({ kind: 'kill-at-random', commit: 1, family: 'LoadCustomers' });
  expect(killedEnd.code, context).toBe(1);
  expect(killed.events.some((e) => e.type === 'summary'), context).toBe(false);
  for (const w of survivors) expect(w.events.at(-1), context).toMatchObject({ type: 'summary', success: true });
  // Every Spanner task ran to its end exactly once among the survivors (a retry of a task whose
  // commit had landed writes nothing: it finds its marker). AllReports, a wrapper, may be marked
  // DONE by whichever worker first sees its requirements complete.
  const succeeded = survivors.flatMap((w) => w.events.filter((e) => e.type === 'succeeded').map((e) => (e as { family: string }).family));
  expect(succeeded.filter((f) => f === 'LoadOrders'), context).toHaveLength(2);
  expect(succeeded.filter((f) => f === 'DailyRevenue'), context).toHaveLength(2);
  // Killed before its commit: LoadCustomers has to run again. Killed after it: its rows and marker
  // landed together, so a survivor finds it complete (or its retry writes nothing).
  const loadCustomers = succeeded.filter((f) => f === 'LoadCustomers').length;
  if ((fault as { point: string }).point === 'before-commit') expect(loadCustomers, context).toBe(1);
  else expect(loadCustomers, context).toBeLessThanOrEqual(1);

  // A clean rerun: everything is complete, nothing starts.
  const rerun = startWorker(`${killed.name}-rerun`, 'AllReports', database, luigid);
  expect((await ended(rerun)).code).toBe(0);
  expect(rerun.events.filter((e) => e.type === 'started')).toEqual([]);
  expect(rerun.events.at(-1)).toMatchObject({ type: 'summary', status: 'SUCCESS' });

  // luigid's view: every task of the graph DONE, none pending, running or failed.
  // The whole graph, as the workers told luigid of it: the killed worker scheduled all of it
  // before it started; a survivor that joins late skips the requirements of tasks already complete.
  const ids = new Set([killed, ...survivors].flatMap((w) => w.events.filter((e) => e.type === 'discovered').map((e) => (e as { id: string }).id)));
  expect(ids.size, context).toBe(9);
  const done = await luigidApi<Record<string, { status: string }>>(luigid, 'task_list', { status: 'DONE' });
  expect(new Set(Object.keys(done))).toEqual(ids);
  for (const status of ['PENDING', 'RUNNING', 'FAILED', 'DISABLED']) expect(Object.keys(await luigidApi(luigid, `task_list`, { status })), status).toEqual([]);

  // Exact rows, no duplicate: one marker per Spanner task, and the orders the exports hold.
  const target = { host: emulatorHost(), projectId: TEST_PROJECT, instanceId: TEST_INSTANCE, databaseId: database };
  const markers = await query<{ TaskFamily: string; n: number }>(target, 'SELECT TaskFamily, COUNT(*) AS n FROM LuigiTaskMarkers GROUP BY TaskFamily ORDER BY TaskFamily');
  expect(markers.map((m) => [m.TaskFamily, Number(m.n)])).toEqual([
    ['DailyRevenue', 2],
    ['LoadCustomers', 1],
    ['LoadOrders', 2],
  ]);
  const column = (file: string) => readFileSync(path.join(REPO_ROOT, 'samples/orders/data', file), 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[0]));
  const orderIds = await query<{ OrderId: number }>(target, 'SELECT OrderId FROM Orders ORDER BY OrderId');
  expect(orderIds.map((r) => Number(r.OrderId))).toEqual([...column('orders_2024-03-01.csv'), ...column('orders_2024-03-02.csv')].sort((a, b) => a - b));
  const customerIds = await query<{ CustomerId: number }>(target, 'SELECT CustomerId FROM Customers ORDER BY CustomerId');
  expect(customerIds.map((r) => Number(r.CustomerId))).toEqual(column('customers_2024-03-02.csv').sort((a, b) => a - b));
  // One DailyRevenue row per day and batch of completed orders, each summing that day's amounts (in cents).
  const expected = new Map<string, number>();
  for (const batch of ['2024-03-01', '2024-03-02']) {
    for (const line of readFileSync(path.join(REPO_ROOT, 'samples/orders/data', `orders_${batch}.csv`), 'utf8').trim().split('\n').slice(1)) {
      const [, , day, amount, status] = line.split(',');
      if (status === 'completed') expected.set(`${day} ${batch}`, (expected.get(`${day} ${batch}`) ?? 0) + Math.round(Number(amount) * 100));
    }
  }
  const revenue = await query<{ OrderDate: string; Batch: string; Revenue: string }>(target, 'SELECT CAST(OrderDate AS STRING) AS OrderDate, Batch, CAST(Revenue AS STRING) AS Revenue FROM DailyRevenue ORDER BY OrderDate, Batch');
  expect(new Map(revenue.map((r) => [`${r.OrderDate} ${r.Batch}`, Math.round(Number(r.Revenue) * 100)]))).toEqual(expected);
}

describe('a central scheduler with three workers, one killed at random', () => {
  it('finishes the pipeline once, with exact rows, and luigid shows every task DONE', async () => {
    const luigid = await startLuigid('random');
    const database = await freshDatabase('luigid');
    const seed = Math.floor(Math.random() * 1_000_000);
    // Killed at its first data commit (kill horizon 1), before or after it as the seed draws: the
    // first worker starts alone, so it surely takes a task that commits (LoadCustomers, which every
    // other task waits for); the other two join once it is dead.
    const killed = startWorker('killed', 'AllReports', database, luigid, { [ENV.killAtRandom]: String(seed), [ENV.killHorizon]: '1' });
    await until('the first worker to start a task', () => killed.events.some((e) => e.type === 'started'), 60_000);
    const killedEnd = await ended(killed);
    // Here the survivors join once luigid has let the dead worker go (a get_work after the
    // disconnect delay makes it prune now, not in 60 s); the next test takes the other order.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await luigidApi(luigid, 'get_work', { worker: 'central-scheduler-test-prune', host: 'localhost' });
    const survivors = [startWorker('second', 'AllReports', database, luigid), startWorker('third', 'AllReports', database, luigid)];
    const ends = await Promise.all(survivors.map((w) => ended(w)));
    for (const [k, end] of ends.entries()) expect(end.code, `${survivors[k]!.name}: ${end.stderr}\n${story(seed, [killed, ...survivors])}`).toBe(0);
    await expectPipelineDoneOnce(database, luigid, killed, killedEnd, survivors, seed);
  }, 300_000);

  it('does not hang when the survivors find the dead worker\'s task complete while luigid still holds it RUNNING', async () => {
    // Luigi alone hangs here: luigid ignores the survivors' DONE for a task it holds RUNNING for
    // the dead worker; once it gives up on that worker the task is FAILED, then PENDING, with no
    // live worker listed to run it, so LoadOrders and the rest wait for ever (keep-alive workers
    // with them). The runner's keep-alive workers tell luigid again (runner/reconcile.py). With
    // the production disconnect delay (60 s) the survivors must be done long before luigid would
    // even let the dead worker go.
    const luigid = await startLuigid('hang', { worker_disconnect_delay: 60 });
    const database = await freshDatabase('luigid-hang');
    const seed = 0; // kill horizon 1: the first data commit, after-commit (runner/faults.py kill_point)
    const killed = startWorker('killed-after-commit', 'AllReports', database, luigid, { [ENV.killAtRandom]: String(seed), [ENV.killHorizon]: '1' });
    const killedEnd = await ended(killed);
    expect(killed.events.find((e) => e.type === 'fault'), story(seed, [killed])).toMatchObject({ point: 'after-commit', family: 'LoadCustomers' });
    const held = await luigidApi<Record<string, unknown>>(luigid, 'task_list', { status: 'RUNNING' });
    expect(Object.keys(held).some((id) => id.startsWith('LoadCustomers')), luigid.log.slice(-2000)).toBe(true);

    const startedAt = Date.now();
    const survivors = [startWorker('second-at-once', 'AllReports', database, luigid), startWorker('third-at-once', 'AllReports', database, luigid)];
    const ends = await Promise.all(survivors.map((w) => ended(w, 45_000)));
    for (const [k, end] of ends.entries()) expect(end.code, `${survivors[k]!.name}: ${end.stderr}\n${story(seed, [killed, ...survivors])}`).toBe(0);
    expect(Date.now() - startedAt).toBeLessThan(45_000);
    await expectPipelineDoneOnce(database, luigid, killed, killedEnd, survivors, seed);
  }, 300_000);
});
