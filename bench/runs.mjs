// Benchmark (issue 6): `luigi-spanner run` against bare `python -m luigi` on the orders sample,
// both as whole processes against the same warm emulator; and a 50,000-row load through
// luigi_spanner's atomic chunk tasks against a hand-written single `database.batch()` loader.
// Usage: npm run build && node bench/runs.mjs [--repeat 5]
// For stable figures start from a fresh emulator (`node dist/cli.js emulator stop` first): one that
// has served hundreds of databases holds gigabytes and commits measurably slower (0.68x vs 0.95x here).
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repeat = Number(process.argv[process.argv.indexOf('--repeat') + 1] || 5);
const python = process.env.LUIGI_SPANNER_PYTHON ?? path.join(root, '.venv/bin/python');
const cli = path.join(root, 'dist/cli.js');
const env = { ...process.env, TESTCONTAINERS_RYUK_DISABLED: 'true' };

const connection = JSON.parse(execFileSync('node', [cli, 'emulator', 'start', '--json'], { env, encoding: 'utf8' }));
const clientEnv = {
  ...env,
  SPANNER_EMULATOR_HOST: connection.host,
  GOOGLE_CLOUD_PROJECT: connection.projectId,
  SPANNER_INSTANCE: connection.instanceId,
  GOOGLE_CLOUD_SPANNER_MULTIPLEXED_SESSIONS: 'false',
  GOOGLE_CLOUD_SPANNER_MULTIPLEXED_SESSIONS_FOR_RW: 'false',
  GOOGLE_CLOUD_SPANNER_MULTIPLEXED_SESSIONS_PARTITIONED_OPS: 'false',
};

function time(command, args, extraEnv = {}, cwd = root, baseEnv = clientEnv) {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd, env: { ...baseEnv, ...extraEnv }, encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr.slice(-2000)}`);
  return { seconds, stdout: result.stdout };
}

// The emulator caps databases per instance (100): the bench drops its own through the REST gateway.
const restHost = JSON.parse(execFileSync('node', [cli, 'emulator', 'status', '--json'], { env, encoding: 'utf8' })).emulators.find((e) => e.host === connection.host)?.restHost;
const instanceUrl = `http://${restHost}/v1/projects/${connection.projectId}/instances/${connection.instanceId}/databases`;
async function dropBenchDatabases() {
  if (!restHost) return;
  const { databases = [] } = await (await fetch(instanceUrl)).json();
  for (const { name } of databases) if (name.split('/').pop().startsWith('bench-')) await fetch(`http://${restHost}/v1/${name}`, { method: 'DELETE' });
}
await dropBenchDatabases();

function freshDatabase(migrations) {
  const id = `bench-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`.slice(0, 30);
  execFileSync('node', [cli, 'emulator', 'migrate', '--database', id, '--migrations', migrations, '--json'], { env, encoding: 'utf8' });
  return id;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sample = path.join(root, 'samples/orders');

console.log(`Orders sample (AllReports, 9 tasks), ${repeat} runs each, emulator ${connection.host}`);
const ours = [];
const oursKept = [];
const bare = [];
for (let i = 0; i < repeat; i++) {
  // As a user runs it: the CLI finds the emulator itself (no SPANNER_EMULATOR_HOST in its environment).
  ours.push(time('node', [cli, 'run', 'samples/orders/pipeline.py', 'AllReports'], {}, root, env).seconds);
  const kept = freshDatabase(path.join(sample, 'migrations'));
  oursKept.push(time('node', [cli, 'run', 'samples/orders/pipeline.py', 'AllReports', '--keep-state', '--database', kept], {}, root, env).seconds);
  const db = freshDatabase(path.join(sample, 'migrations'));
  bare.push(
    time(python, ['-m', 'luigi', '--module', 'pipeline', 'AllReports', '--local-scheduler'], {
      SPANNER_DATABASE: db,
      // luigi_spanner comes from the venv, where scripts/setup.sh installs its wheel.
      PYTHONPATH: sample,
    }, sample).seconds,
  );
}
await dropBenchDatabases();
const fmt = (x) => `${x.toFixed(2)} s`;
console.log(`  bare python -m luigi --local-scheduler          median ${fmt(median(bare))}`);
console.log(`  luigi-spanner run (fresh database + migrations) median ${fmt(median(ours))}  ratio ${(median(ours) / median(bare)).toFixed(2)}x`);
console.log(`  luigi-spanner run --keep-state                  median ${fmt(median(oursKept))}  ratio ${(median(oursKept) / median(bare)).toFixed(2)}x`);

// 50,000 rows: atomic chunk tasks (luigi_spanner) vs one hand-written batch, alternated, each
// in a fresh database. Throughput is rows over load time (each script times its load: imports
// excluded); whole-process times, which add Python's and Luigi's start-up, are printed beside.
const load = path.join(root, 'bench/fixtures/load50k');
const rows = 50_000;
const loads = { chunked: [], single: [] };
for (let i = 0; i < repeat; i++) {
  for (const [name, script, extra] of [
    ['single', 'single_batch.py', {}],
    ['chunked', 'chunked.py', {}],
  ]) {
    const database = freshDatabase(path.join(load, 'migrations'));
    const { seconds, stdout } = time(python, [path.join(load, script), String(rows)], { SPANNER_DATABASE: database, ...extra });
    loads[name].push({ whole: seconds, load: JSON.parse(stdout.trim().split('\n').pop()).loadSeconds });
  }
  await dropBenchDatabases();
}
const rate = (s) => `${Math.round(rows / s).toLocaleString()} rows/s`;
const loadOf = (name) => median(loads[name].map((l) => l.load));
const wholeOf = (name) => median(loads[name].map((l) => l.whole));
console.log(`\n${rows.toLocaleString()}-row load, ${repeat} runs each (medians)`);
console.log(`  hand-written single database.batch()   load ${fmt(loadOf('single'))} ${rate(loadOf('single'))}   whole process ${fmt(wholeOf('single'))}`);
console.log(`  luigi_spanner atomic chunk tasks       load ${fmt(loadOf('chunked'))} ${rate(loadOf('chunked'))}   whole process ${fmt(wholeOf('chunked'))}`);
console.log(`  throughput ratio (load) ${(loadOf('single') / loadOf('chunked')).toFixed(2)}x   (whole processes ${(wholeOf('single') / wholeOf('chunked')).toFixed(2)}x)`);
