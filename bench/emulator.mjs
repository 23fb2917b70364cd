// Emulator toolkit timings on this machine: cold start of a container, warm reuse through the
// CLI (a whole process, as a user runs it), fresh-database reset and migration of the orders
// sample's schema (in a warm process, as the extension host and the test suites run them, and
// as a CLI process). Uses its own emulator name `bench` and stops it at the end.
// Needs a built CLI (npm run build) and Docker; the image comes from
// $LUIGI_SPANNER_EMULATOR_IMAGE (default: luigi-spanner/emulator:local, built by emulator/build-image.sh).
// Usage: node bench/emulator.mjs [repeats=5]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { bundleCjs } from './run-ts.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repeats = Number(process.argv[2] ?? 5);
const NAME = 'bench';
const env = { ...process.env, LUIGI_SPANNER_EMULATOR_IMAGE: process.env.LUIGI_SPANNER_EMULATOR_IMAGE || 'luigi-spanner/emulator:local' };
const sample = path.join(root, 'samples', 'orders');
const cli = path.join(root, 'dist', 'cli.js');
const external = ['@google-cloud/spanner', 'google-gax', 'testcontainers', '@testcontainers/gcloud'];
// Bundles land under node_modules/ so that their external packages resolve.
const cache = path.join(root, 'node_modules', '.cache', 'luigi-spanner-bench');
mkdirSync(cache, { recursive: true });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
const row = (label, xs, target) => console.log(`${label.padEnd(58)} median ${fmt(median(xs)).padStart(8)}   min ${fmt(Math.min(...xs)).padStart(8)}   max ${fmt(Math.max(...xs)).padStart(8)}${target ? `   (target ${target})` : ''}`);

function timed(file, args) {
  const started = performance.now();
  const result = spawnSync(process.execPath, [file, ...args], { env, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`${path.basename(file)} ${args.join(' ')} failed:\n${result.stderr}`);
  return { ms, json: args.includes('--json') ? JSON.parse(result.stdout) : undefined };
}

// The emulator command alone, as main.ts registers it: shows what the command itself costs
// apart from modules other commands load at start-up.
const emulatorOnlyCli = path.join(cache, 'emulator-cli.cjs');
await bundleCjs({
  source: `import { Command } from 'commander';
import { registerEmulatorCommand } from './extension/cli/commands/emulator';
const program = new Command().name('luigi-spanner');
registerEmulatorCommand(program);
program.parseAsync(process.argv).then(() => process.exit(0), (e) => { console.error(e.message); process.exit(2); });`,
  outfile: emulatorOnlyCli,
  external,
  logLevel: 'error',
});
const library = path.join(cache, 'emulator.cjs');
await bundleCjs({ entry: 'emulator/src/index.ts', outfile: library, external, logLevel: 'error' });

const startArgs = ['emulator', 'start', '--name', NAME, '--root', sample, '--backend', 'docker', '--json'];
const stop = () => execFileSync(process.execPath, [cli, 'emulator', 'stop', '--name', NAME], { env, stdio: 'ignore' });

console.log(`Emulator toolkit benchmark (${repeats} repeats, image ${env.LUIGI_SPANNER_EMULATOR_IMAGE}, load ${(await import('node:os')).loadavg()[0].toFixed(1)})\n`);
try {
  const cold = [];
  const coldInner = [];
  for (let i = 0; i < Math.min(3, repeats); i++) {
    stop();
    const { ms, json } = timed(cli, startArgs);
    if (json.reused) throw new Error('expected a cold start');
    cold.push(ms);
    coldInner.push(json.millis);
  }
  row('cold start: CLI process, container + instance + migrations', cold, '≤ 5 s');
  row('  of which inside the command', coldInner);

  const warm = [];
  const warmInner = [];
  const warmOnly = [];
  const floor = [];
  for (let i = 0; i < repeats; i++) {
    const { ms, json } = timed(cli, startArgs);
    if (!json.reused) throw new Error('expected reuse');
    warm.push(ms);
    warmInner.push(json.millis);
    warmOnly.push(timed(emulatorOnlyCli, startArgs).ms);
    floor.push(timed(cli, ['--version']).ms);
  }
  row('warm reuse: dist/cli.js emulator start (whole process)', warm, '≤ 1 s');
  row('  of which inside the command (docker lookup + REST check)', warmInner);
  row('  the emulator command alone as a CLI (whole process)', warmOnly, '≤ 1 s');
  row('  dist/cli.js --version (start-up of all commands)', floor);

  const resetCli = [];
  const resetCliInner = [];
  for (let i = 0; i < repeats; i++) {
    const { ms, json } = timed(cli, ['emulator', 'reset', '--name', NAME, '--root', sample, '--backend', 'docker', '--json']);
    resetCli.push(ms);
    resetCliInner.push(json.provisionMillis);
  }
  row('fresh-database reset: CLI process (loads the gRPC client)', resetCli);
  row('  of which dropping + recreating the database', resetCliInner);

  const require = createRequire(import.meta.url);
  const toolkit = require(library);
  const settings = toolkit.resolveSettings({ backend: 'docker', name: NAME, migrationsDir: path.join(sample, 'migrations') }, env);
  const running = await toolkit.startEmulator(settings, env);
  const target = { host: running.host, projectId: settings.projectId, instanceId: settings.instanceId, databaseId: settings.databaseId };
  await toolkit.provision({ ...target, migrationsDir: settings.migrationsDir, fresh: true }); // warm the client
  const fresh = [];
  const created = [];
  for (let i = 0; i < repeats * 2; i++) {
    fresh.push((await toolkit.provision({ ...target, migrationsDir: settings.migrationsDir, fresh: true })).millis);
    const id = `bench-${Date.now().toString(36)}-${i}`;
    created.push((await toolkit.provision({ ...target, databaseId: id, migrationsDir: settings.migrationsDir })).millis);
    await toolkit.dropDatabase({ ...target, databaseId: id });
  }
  row("fresh-database reset with the samples' migrations (warm process)", fresh, '≤ 250 ms');
  row("migration of the samples' schema into a new database (warm)", created);
} finally {
  stop();
}
process.exit(0);
