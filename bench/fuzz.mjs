// Fuzzing the analysis at the sizes (a script that prints figures, not a test):
// folders of seeded mutants of real Luigi files (bench/python-mutants.ts: truncation, brackets
// nested 2,000-10,000 deep, 100,000-term expressions and chains, non-UTF-8 bytes, deep
// indentation and definitions, 1 MB lines, pasted fragments).
//
//  1. Per folder, `luigi-spanner graph` and `lint --format json` as a user runs them (the built
//     CLI, a fresh process each): exit code (0 or 1 is right; 2 is a crash), seconds, peak memory,
//     and the analysis-failed count.
//  2. Every mutant alone, in process (index + graph + lint of the file): time per kind, slowest files.
//
// Needs a built CLI (npm run build). Seeds: /work/corpora/luigi (examples and test) when present,
// else test/fixtures/fuzz. The unit suite has a smaller version (test/unit/analysis/fuzz.test.ts).
// Usage: node bench/fuzz.mjs [--folders 2] [--files 150] [--seed 1] [--corpus DIR]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { bundleCjs } from './run-ts.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const option = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : process.argv[at + 1];
};
const FOLDERS = Number(option('folders', 2));
const FILES = Number(option('files', 150));
const SEED = Number(option('seed', 1));
const cli = path.join(root, 'dist', 'cli.js');
if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run npm run build first.');

console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);

const work = mkdtempSync(path.join(os.tmpdir(), 'luigi-spanner-fuzz-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

// Bundles land under node_modules/ so that their external packages resolve.
const cache = path.join(root, 'node_modules', '.cache', 'luigi-spanner-bench');
mkdirSync(cache, { recursive: true });
const bundle = path.join(cache, 'fuzz.cjs');
await bundleCjs({
  source: [
      "export { pythonMutants, MUTATION_KINDS } from './bench/python-mutants';",
      "export { WorkspaceIndex } from './extension/core/analysis/workspace-index';",
      "export { decodePython } from './extension/core/analysis/source-files';",
      "export { Linter } from './extension/core/lint/engine';",
    ].join('\n'),
  outfile: bundle,
});
const { pythonMutants, WorkspaceIndex, decodePython, Linter } = createRequire(import.meta.url)(bundle);

function seedFiles() {
  const corpus = option('corpus', existsSync('/work/corpora/luigi') ? '/work/corpora/luigi' : path.join(root, 'test', 'fixtures', 'fuzz'));
  const sources = [];
  const pending = [corpus];
  while (pending.length) {
    const dir = pending.pop();
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (entry.name.endsWith('.py')) sources.push({ name: path.relative(corpus, full), text: readFileSync(full, 'utf8') });
    }
  }
  console.log(`seeds: ${sources.length} files from ${corpus}`);
  return sources.sort((a, b) => (a.name < b.name ? -1 : 1));
}

const timeBinary = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
/** Runs the CLI; wall seconds, peak RSS (with /usr/bin/time), exit code, stdout. */
function runCli(args, cwd) {
  const started = performance.now();
  const command = timeBinary ? [timeBinary, ['-f', '%M', process.execPath, cli, ...args]] : [process.execPath, [cli, ...args]];
  const result = spawnSync(command[0], command[1], { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = (performance.now() - started) / 1000;
  const stderrLines = result.stderr.trim().split('\n');
  const peakMb = timeBinary ? Number(stderrLines.pop()) / 1024 : NaN;
  return { code: result.status, seconds, peakMb, stdout: result.stdout, stderr: stderrLines.join('\n') };
}

const sources = seedFiles();
console.log(`\n1. The CLI over folders of ${FILES} mutants (exit 0/1 = results, 2 = crash)`);
console.log(`${'folder'.padEnd(8)} ${'command'.padEnd(7)} ${'exit'.padStart(4)} ${'seconds'.padStart(8)} ${'peak MB'.padStart(8)} ${'tasks/findings'.padStart(15)} ${'analysis-failed'.padStart(16)}`);
const perFile = [];
for (let k = 0; k < FOLDERS; k++) {
  const folder = path.join(work, `folder${k}`);
  mkdirSync(folder);
  const mutants = pythonMutants(sources, FILES, SEED * 1000 + k);
  for (const m of mutants) writeFileSync(path.join(folder, `${m.name}.py`), m.bytes);
  const graph = runCli(['graph', '.', '--format', 'json', '--no-cache'], folder);
  const graphJson = graph.code === 0 ? JSON.parse(graph.stdout) : undefined;
  console.log(`${String(k).padEnd(8)} ${'graph'.padEnd(7)} ${String(graph.code).padStart(4)} ${graph.seconds.toFixed(1).padStart(8)} ${graph.peakMb.toFixed(0).padStart(8)} ${String(graphJson?.tasks.length ?? '-').padStart(15)} ${String(graphJson?.diagnostics.filter((d) => d.code === 'analysis-failed').length ?? '-').padStart(16)}`);
  if (graph.code === 2) console.log(`         ${graph.stderr.split('\n')[0]}`);
  const lint = runCli(['lint', '.', '--format', 'json', '--fail-on', 'none'], folder);
  const lintJson = lint.code === 0 || lint.code === 1 ? JSON.parse(lint.stdout) : undefined;
  console.log(`${String(k).padEnd(8)} ${'lint'.padEnd(7)} ${String(lint.code).padStart(4)} ${lint.seconds.toFixed(1).padStart(8)} ${lint.peakMb.toFixed(0).padStart(8)} ${String(lintJson?.findings.length ?? '-').padStart(15)} ${String(lintJson?.findings.filter((f) => f.code === 'analysis-failed').length ?? '-').padStart(16)}`);
  if (lint.code === 2) console.log(`         ${lint.stderr.split('\n')[0]}`);
  rmSync(folder, { recursive: true, force: true });

  // 2. The same mutants one by one, in this process.
  for (const m of mutants) {
    const source = decodePython(m.bytes);
    if ('skipped' in source) continue;
    const index = new WorkspaceIndex();
    const started = performance.now();
    index.setFile('m.py', source.text);
    index.graph();
    const findings = new Linter({ index }).lintPythonFile('m.py', source.text);
    perFile.push({ kind: m.kind, name: m.name, detail: m.detail, ms: performance.now() - started, failed: findings.some((f) => f.code === 'analysis-failed') });
  }
}

console.log(`\n2. Each mutant alone, in process (index + graph + lint), ${perFile.length} files`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`${'kind'.padEnd(20)} ${'files'.padStart(5)} ${'median ms'.padStart(10)} ${'max ms'.padStart(9)} ${'lint analysis-failed'.padStart(21)}`);
for (const kind of [...new Set(perFile.map((f) => f.kind))]) {
  const rows = perFile.filter((f) => f.kind === kind);
  const ms = rows.map((r) => r.ms);
  console.log(`${kind.padEnd(20)} ${String(rows.length).padStart(5)} ${median(ms).toFixed(0).padStart(10)} ${Math.max(...ms).toFixed(0).padStart(9)} ${String(rows.filter((r) => r.failed).length).padStart(21)}`);
}
console.log('\nslowest files:');
for (const row of [...perFile].sort((a, b) => b.ms - a.ms).slice(0, 5)) console.log(`  ${row.ms.toFixed(0).padStart(7)} ms  ${row.name}: ${row.detail}`);
