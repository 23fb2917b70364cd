// Benchmark (issue 6): `luigi-spanner run` against bare `python -m luigi` on the orders sample,
// both as whole processes against the same warm emulator; and a 50,000-row load through
// luigi_spanner's atomic chunk tasks against a hand-written single `database.batch()` loader.
// Usage: npm run build && node bench/runs.mjs [--repeat 5]
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

function time(command, args, extraEnv = {}, cwd = root) {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd, env: { ...clientEnv, ...extraEnv }, encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr.slice(-2000)}`);
  return { seconds, stdout: result.stdout };
}

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
  ours.push(time('node', [cli, 'run', 'samples/orders/pipeline.py', 'AllReports']).seconds);
  const kept = freshDatabase(path.join(sample, 'migrations'));
  oursKept.push(time('node', [cli, 'run', 'samples/orders/pipeline.py', 'AllReports', '--keep-state', '--database', kept]).seconds);
  const db = freshDatabase(path.join(sample, 'migrations'));
  bare.push(
    time(python, ['-m', 'luigi', '--module', 'pipeline', 'AllReports', '--local-scheduler'], {
      SPANNER_DATABASE: db,
      PYTHONPATH: [sample, path.join(root, 'extension/python')].join(path.delimiter),
    }, sample).seconds,
  );
}
const fmt = (x) => `${x.toFixed(2)} s`;
console.log(`  bare python -m luigi --local-scheduler          median ${fmt(median(bare))}`);
console.log(`  luigi-spanner run (fresh database + migrations) median ${fmt(median(ours))}  ratio ${(median(ours) / median(bare)).toFixed(2)}x`);
console.log(`  luigi-spanner run --keep-state                  median ${fmt(median(oursKept))}  ratio ${(median(oursKept) / median(bare)).toFixed(2)}x`);

// 50,000 rows: atomic chunk tasks (luigi_spanner) vs one hand-written batch.
const load = path.join(root, 'bench/fixtures/load50k');
const rows = 50_000;
const chunked = freshDatabase(path.join(load, 'migrations'));
const t1 = time(python, [path.join(load, 'chunked.py'), String(rows)], { SPANNER_DATABASE: chunked, PYTHONPATH: path.join(root, 'extension/python') }).seconds;
const single = freshDatabase(path.join(load, 'migrations'));
const t2 = time(python, [path.join(load, 'single_batch.py'), String(rows)], { SPANNER_DATABASE: single }).seconds;
console.log(`\n${rows.toLocaleString()}-row load (whole processes)`);
console.log(`  hand-written single database.batch()   ${fmt(t2)}  ${Math.round(rows / t2).toLocaleString()} rows/s`);
console.log(`  luigi_spanner atomic chunk tasks       ${fmt(t1)}  ${Math.round(rows / t1).toLocaleString()} rows/s  throughput ratio ${(t2 / t1).toFixed(2)}x`);
