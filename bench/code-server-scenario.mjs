// The start-up scenario of issue #16, in code-server as a new user meets it (a script that prints
// figures, not a test). Needs code-server (bash scripts/install-code-server.sh), Debian's Chromium,
// and the packaged extension (npm run package). Run it alone: flock /tmp/heavy.lock node bench/...
//
// Workspaces: A = the interpreter's standard library (857k lines) + a generated 1,000-task pipeline;
// B = the graph benchmark's 100k-line workspace (bench/graph.mjs --generate-only). Each window opens
// its folder, then a pipeline file during start-up. Measured, with the extension and without it
// (the control, same window, same steps):
//  - the extension host's CPU seconds in the first minute after the page starts loading
//    (/proc/<pid>/stat of the process code-server runs with --type=extensionHost);
//  - Quick Open during start-up: Ctrl+P, a file name typed, until its row shows (every few seconds);
//  - the first CodeLens after the pipeline file opened (the file's tab active -> a lens drawn); the
//    control window has a probe extension that activates the same way and answers one lens at once:
//    the editor's own floor (activation, its debounce before a new provider's first request, drawing);
//  - the extension host's longest task: event-loop delay seen from inside the extension
//    (LUIGI_SPANNER_LOOP_DELAY_LOG, extension/vscode/loopDelayProbe.ts), from activation on; and the
//    same from a probe extension installed in both windows (activation `*`), for a control figure;
//  - the first lens's wait split into its steps (LUIGI_SPANNER_STARTUP_TRACE, extension/shared/startupTrace.ts:
//    bundle evaluated, activate() returned, server spawned, initialize answered, codeLens asked and answered).
// Targets (#16): CPU <= 3 s, Quick Open <= 0.2 s, first CodeLens <= 2 s, longest task <= 50 ms.
// Usage: node bench/code-server-scenario.mjs [--seconds 60] [--corpus DIR] [--vsix FILE] [--only A|B] [--no-control] [--profile DIR]
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

const option = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : process.argv[at + 1];
};
const SECONDS = Number(option('seconds', 60));
const corpus = option('corpus', execFileSync('python3', ['-c', 'import sysconfig; print(sysconfig.get_paths()["stdlib"])'], { encoding: 'utf8' }).trim());
const vsix = path.resolve(option('vsix', path.join(root, 'dist', 'luigi-spanner.vsix')));
const only = option('only', undefined);
const withControl = !process.argv.includes('--no-control');
/** Saves the extension host's CPU profile (from activation) of each window with the extension here, and prints its longest tasks. */
const profileDir = option('profile', undefined);
const CODE_SERVER_VERSION = '4.139.1';
const installDir = process.env.CODE_SERVER_DIR ?? path.join(process.env.LUIGI_SPANNER_CACHE ?? path.join(os.homedir(), '.cache', 'luigi-spanner'), `code-server-${CODE_SERVER_VERSION}`);
const codeServer = { node: path.join(installDir, 'node', 'bin', 'node'), entry: path.join(installDir, 'lib', 'node_modules', 'code-server', 'out', 'node', 'entry.js') };
const chromiumPath = process.env.LUIGI_SPANNER_CHROMIUM ?? '/usr/bin/chromium';
for (const [what, file, fix] of [
  ['code-server', codeServer.entry, 'bash scripts/install-code-server.sh'],
  ['the packaged extension', vsix, 'npm run package'],
  ['Chromium', chromiumPath, 'apt-get install chromium'],
]) {
  if (!existsSync(file)) {
    console.error(`${what} is missing (${file}): run \`${fix}\` first.`);
    process.exit(2);
  }
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
const SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'editor.codeLens': true,
  'editor.minimap.enabled': false,
};

const work = mkdtempSync(path.join(os.tmpdir(), 'luigi-spanner-code-server-bench-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

/** Packages a one-file extension of the bench's own (publisher `bench`) into a .vsix; returns its path. */
function buildBenchExtension(name, activationEvents, readme, source) {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, publisher: 'bench', version: '0.0.1', license: 'MIT', engines: { vscode: '^1.80.0' }, activationEvents, main: './probe.js' }));
  writeFileSync(path.join(dir, 'README.md'), `# ${name}\n\nbench/code-server-scenario.mjs: ${readme}\n`);
  writeFileSync(path.join(dir, 'probe.js'), source);
  const out = path.join(work, `${name}.vsix`);
  execFileSync(path.join(root, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', out], { cwd: dir, stdio: 'ignore' });
  return out;
}

/**
 * A probe extension installed in both windows (activation `*`: from the host's start), so the host's
 * longest task has a control figure: it logs the event-loop delay like loopDelayProbe.ts, whichever
 * extension (or the host itself) held the thread.
 */
const PROBE_LOG_ENV = 'LOOP_DELAY_PROBE_LOG';
const probeVsix = buildBenchExtension(
  'loop-delay-probe',
  ['*'],
  "the extension host's event-loop delay, one JSON line a second.",
  `const { appendFileSync } = require('node:fs');
const { monitorEventLoopDelay } = require('node:perf_hooks');
exports.activate = () => {
  const file = process.env.${PROBE_LOG_ENV};
  if (!file) return;
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const write = () => {
    try { appendFileSync(file, JSON.stringify({ at: Date.now(), maxMs: histogram.max / 1e6 }) + '\\n'); } catch {}
    histogram.reset();
  };
  setInterval(write, 1000).unref();
};
`,
);

/**
 * The control window's CodeLens: an extension that activates as this one does (onLanguage:python)
 * and answers one lens at once, so the first lens's figure has the editor's own floor beside it
 * (activation, the editor's debounce before a new provider's first request, drawing).
 */
const lensProbeVsix = buildBenchExtension(
  'lens-probe',
  ['onLanguage:python'],
  'a CodeLens answered at once, for the control window.',
  `const vscode = require('vscode');
exports.activate = (context) => {
  // A lens with a command is drawn as a link, as this extension's are (the bench waits for one).
  context.subscriptions.push(vscode.commands.registerCommand('lensProbe.noop', () => undefined));
  context.subscriptions.push(vscode.languages.registerCodeLensProvider({ scheme: 'file', language: 'python' }, {
    provideCodeLenses: () => [new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), { title: 'probe lens', command: 'lensProbe.noop' })],
  }));
};
`,
);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; code-server ${CODE_SERVER_VERSION}; first ${SECONDS} s of each window`);

// --- workspaces ---
function generatePipeline(dir, args = []) {
  execFileSync(process.execPath, [path.join(root, 'bench', 'graph.mjs'), '--generate-only', dir, ...args], { stdio: 'ignore' });
}
const workspaces = {
  A: () => {
    const dir = path.join(work, 'stdlib-and-pipeline');
    cpSync(corpus, path.join(dir, 'stdlib'), { recursive: true, filter: (source) => !source.includes('__pycache__') && !source.includes('site-packages') });
    generatePipeline(path.join(dir, 'pipeline'), ['--files', '100', '--tasks-per-file', '10']);
    return { dir, label: `${corpus} + 1,000-task pipeline`, pipelineFile: findPipelineFile(path.join(dir, 'pipeline')), quickOpen: ['heapq.py', 'mod_42.py', 'argparse.py', 'mod_7.py', 'shutil.py', 'mod_91.py', 'tokenize.py', 'mod_63.py'] };
  },
  B: () => {
    const dir = path.join(work, 'graph-workspace');
    generatePipeline(dir);
    return { dir, label: '100k-line generated workspace (bench/graph.mjs)', pipelineFile: findPipelineFile(dir), quickOpen: ['mod_42.py', 'mod_7.py', 'mod_150.py', 'mod_91.py'] };
  },
};

/** A generated module with tasks (the largest module number is deep in the pipeline). */
function findPipelineFile(dir) {
  const walk = (d) => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
  const modules = walk(dir).filter((f) => /mod_\d+\.py$/.test(f)).sort();
  const file = modules.find((f) => /mod_5\.py$/.test(f)) ?? modules[0];
  if (!file) throw new Error(`no generated module under ${dir}`);
  return file;
}

// --- processes ---
async function freePort() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  return port;
}

/** The extension host of a code-server process group: the process started with --type=extensionHost. */
function extensionHostPid(group) {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== group) continue; // process group
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('--type=extensionHost')) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** When the extension host began activating this extension (its log: remoteexthost.log in code-server; local time to the ms). */
function activationRequestedAt(userData) {
  const walk = (d) => (existsSync(d) ? readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)])) : []);
  for (const file of walk(path.join(userData, 'logs')).filter((f) => /^(remote)?exthost\.log$/.test(path.basename(f)))) {
    const line = readFileSync(file, 'utf8')
      .split('\n')
      .find((l) => l.includes('_doActivateExtension luigi-spanner.luigi-spanner'));
    const stamp = line && /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3})/.exec(line);
    if (stamp) return new Date(`${stamp[1]}T${stamp[2]}`).getTime();
  }
  return undefined;
}

/** When a process started (epoch ms), from its start time in clock ticks after boot. */
function startedAtMs(pid) {
  const boot = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))[1]);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  return boot * 1000 + (ticks / CLOCK_TICKS) * 1000;
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function run(command, args, env) {
  return execFileSync(command, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** One window on `workspace`, with or without the extension; the figures of its first SECONDS. */
async function scenario(workspace, withExtension) {
  const session = mkdtempSync(path.join(work, withExtension ? 'with-' : 'control-'));
  const dirs = Object.fromEntries(['user-data', 'extensions', 'xdg-config', 'xdg-data', 'tmp', 'chromium'].map((name) => [name, path.join(session, name)]));
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  mkdirSync(path.join(dirs['user-data'], 'User'), { recursive: true });
  writeFileSync(path.join(dirs['user-data'], 'User', 'settings.json'), JSON.stringify(SETTINGS, null, 2));
  const loopLog = path.join(session, 'loop-delay.jsonl');
  const probeLog = path.join(session, 'probe-loop-delay.jsonl');
  const traceLog = path.join(session, 'startup-trace.jsonl');
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const profile = profileDir && withExtension ? path.join(path.resolve(profileDir), `host-${path.basename(workspace.dir)}.cpuprofile`) : undefined;
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: dirs['xdg-config'],
    XDG_DATA_HOME: dirs['xdg-data'],
    TMPDIR: dirs.tmp,
    LUIGI_SPANNER_LOOP_DELAY_LOG: loopLog,
    [PROBE_LOG_ENV]: probeLog,
    // extension/shared/startupTrace.ts: the milestones of the first lens, from the host and the server.
    LUIGI_SPANNER_STARTUP_TRACE: traceLog,
    // extension/shared/cpuProfile.ts: the host's and the language server's threads, from their start.
    ...(profile ? { LUIGI_SPANNER_HOST_PROFILE: profile, LUIGI_SPANNER_SERVER_PROFILE: profile.replace(/host-([^/]*)$/, 'server-$1') } : {}),
  };
  delete env.NODE_OPTIONS;
  const profileArgs = ['--user-data-dir', dirs['user-data'], '--extensions-dir', dirs.extensions];
  run(codeServer.node, [codeServer.entry, ...profileArgs, '--install-extension', probeVsix, '--install-extension', withExtension ? vsix : lensProbeVsix, '--force'], env);
  const port = await freePort();
  const log = createWriteStream(path.join(session, 'code-server.log'));
  const server = spawn(
    codeServer.node,
    [codeServer.entry, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', '--ignore-last-opened', ...profileArgs, workspace.dir],
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  server.stdout.pipe(log);
  server.stderr.pipe(log);
  const kill = () => {
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {
      // gone
    }
  };
  process.once('exit', kill);
  let context;
  try {
    for (const deadline = Date.now() + 60_000; ; await sleep(200)) {
      if (Date.now() > deadline) throw new Error(`code-server did not answer on port ${port}; log in ${session}`);
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
      } catch {
        // not yet
      }
    }
    context = await chromium.launchPersistentContext(dirs.chromium, { executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'], viewport: { width: 1440, height: 900 } });
    const page = context.pages()[0] ?? (await context.newPage());
    const t0 = performance.now();
    const wallT0 = Date.now();
    const since = () => (performance.now() - t0) / 1000;
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace.dir)}`);
    // With --profile, the workbench's own thread too (the editor's lens requests start there), for
    // RENDERER_PROFILE_MS from the page's load; `anchor` ties its clock to the epoch for the trace.
    const rendererProfile = profileDir && withExtension ? await startRendererProfile(page, path.join(path.resolve(profileDir), `renderer-${path.basename(workspace.dir)}.cpuprofile`)) : undefined;
    await page.locator('.explorer-folders-view').waitFor({ state: 'visible', timeout: 60_000 });
    const visibleAt = since();

    const quickOpen = async (text) => {
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible' });
      const started = performance.now();
      await input.fill(text);
      const base = path.basename(text);
      await page.locator('.quick-input-list .monaco-list-row', { hasText: base }).first().waitFor({ state: 'visible', timeout: 60_000 });
      return { ms: performance.now() - started, at: since() };
    };

    // The pipeline file opens during start-up (absolute path: no fuzzy match), then its first lens.
    await quickOpen(workspace.pipelineFile);
    await page.keyboard.press('Enter');
    await page.locator(`.tabs-container .tab.active[data-resource-name="${path.basename(workspace.pipelineFile)}"]`).waitFor({ state: 'visible', timeout: 60_000 });
    const openedAt = performance.now();
    const openedWall = Date.now();
    let lensMs;
    let lensWall;
    {
      try {
        await page.locator('.monaco-editor .codelens-decoration a').first().waitFor({ state: 'attached', timeout: 60_000 });
        lensMs = performance.now() - openedAt;
        lensWall = Date.now();
      } catch {
        lensMs = Infinity;
      }
    }
    const lensAt = since();
    // Quick Open while the window is starting up, every few seconds until the minute is over.
    const quick = [];
    for (let i = 0; since() < SECONDS - 3; i++) {
      quick.push(await quickOpen(workspace.quickOpen[i % workspace.quickOpen.length]));
      await page.keyboard.press('Escape');
      await sleep(2000);
    }
    await rendererProfile?.stop();
    await sleep(Math.max(0, (SECONDS - since()) * 1000));
    if (profile) for (let i = 0; i < 40 && !existsSync(profile); i++) await sleep(500);
    const host = extensionHostPid(server.pid);
    const cpu = host ? cpuSeconds(host) : NaN;
    const trace = existsSync(traceLog) ? readFileSync(traceLog, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
    const milestones = { 'activation requested': activationRequestedAt(dirs['user-data']), 'page loading': wallT0, 'extension host started': host ? startedAtMs(host) : undefined, 'pipeline file opened': openedWall, 'lens drawn': lensWall };
    const delays = existsSync(loopLog) ? readFileSync(loopLog, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
    const longest = delays.reduce((best, d) => (!best || d.maxMs > best.maxMs ? d : best), undefined);
    // The probe extension's figures: the first minute after the page started loading, in both windows.
    const probed = existsSync(probeLog) ? readFileSync(probeLog, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((d) => d.at <= wallT0 + SECONDS * 1000) : [];
    const probeLongest = probed.reduce((best, d) => (!best || d.maxMs > best.maxMs ? d : best), undefined);
    return { visibleAt, lensMs, lensAt, quick, cpu, host, trace, milestones, longestTaskMs: longest?.maxMs, longestAt: longest ? (longest.at - wallT0) / 1000 : undefined, probeLongestMs: probeLongest?.maxMs, probeLongestAt: probeLongest ? (probeLongest.at - wallT0) / 1000 : undefined, profile };
  } finally {
    // With --profile, the window's logs (code-server's, the extension host's, the trace) are kept beside the profile.
    if (profileDir) {
      const keep = path.join(path.resolve(profileDir), `${withExtension ? 'with' : 'control'}-${path.basename(workspace.dir)}`);
      rmSync(keep, { recursive: true, force: true });
      for (const [from, to] of [[path.join(dirs['user-data'], 'logs'), 'logs'], [traceLog, 'startup-trace.jsonl'], [loopLog, 'loop-delay.jsonl'], [probeLog, 'probe-loop-delay.jsonl'], [path.join(session, 'code-server.log'), 'code-server.log']]) {
        if (existsSync(from)) cpSync(from, path.join(keep, to), { recursive: true });
      }
    }
    await context?.close().catch(() => undefined);
    kill();
    await sleep(500);
  }
}

const RENDERER_PROFILE_MS = 20_000;

/** Profiles the page's main thread over CDP until stop() (at most RENDERER_PROFILE_MS); the file gets `anchorEpochMs` (the epoch at the profile's start). */
async function startRendererProfile(page, file) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
  const anchorEpochMs = Date.now();
  await cdp.send('Profiler.start');
  let stopped;
  const stop = () =>
    (stopped ??= cdp.send('Profiler.stop').then(({ profile }) => writeFileSync(file, JSON.stringify({ ...profile, anchorEpochMs })), () => undefined));
  const timer = setTimeout(stop, RENDERER_PROFILE_MS);
  return { stop: () => (clearTimeout(timer), stop()) };
}

/** A profile frame's script is this extension's (its installed folder: <publisher>.<name>-<version>). */
const ownCode = (url) => /\/luigi-spanner\.luigi-spanner-[^/]+\//.test(url);

/** The longest stretches of the host's thread without an idle sample, with the functions that took most of each. */
function longTasks(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const frame = (id) => {
    const f = nodes.get(id).callFrame;
    return `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
  };
  const stretches = [];
  let current;
  let oursRun;
  let longestOurs;
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i];
    const name = nodes.get(id).callFrame.functionName;
    if (name === '(idle)' || name === '(program)') {
      oursRun = undefined;
      if (current) stretches.push(current);
      current = undefined;
      return;
    }
    current ??= { start: t, end: t, busy: 0, self: new Map(), outer: new Map(), ours: 0 };
    current.end = t;
    current.busy += profile.timeDeltas[i];
    // Time in this extension's code (its bundles, and what they call) apart from the other extensions' and the host's.
    // The profiler's own start (node:inspector, called from activate() only when profiling) is not ours.
    let ours = false;
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const { url } = nodes.get(at).callFrame;
      if (url === 'node:inspector') break;
      if (ownCode(url)) {
        ours = true;
        current.ours += profile.timeDeltas[i];
        break;
      }
    }
    // Consecutive samples in our code: about our longest task (two tasks of ours back to back count as one).
    if (ours) {
      oursRun ??= { start: t, ms: 0, top: new Map() };
      oursRun.ms += profile.timeDeltas[i] / 1000;
      oursRun.top.set(frame(id), (oursRun.top.get(frame(id)) ?? 0) + profile.timeDeltas[i] / 1000);
      if (!longestOurs || oursRun.ms > longestOurs.ms) longestOurs = oursRun;
    } else oursRun = undefined;
    current.self.set(frame(id), (current.self.get(frame(id)) ?? 0) + profile.timeDeltas[i]);
    // The outermost frames below the root name which code the task ran (an extension's module, a handler).
    let outer = id;
    const chain = [];
    while (parent.has(outer) && nodes.get(parent.get(outer)).callFrame.functionName !== '(root)') {
      outer = parent.get(outer);
      chain.push(outer);
    }
    const key = chain.slice(-3).reverse().map(frame).join(' > ') || frame(id);
    current.outer.set(key, (current.outer.get(key) ?? 0) + profile.timeDeltas[i]);
  });
  if (current) stretches.push(current);
  const top = (map) => [...map].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k, v]) => `${k} ${(v / 1000).toFixed(0)} ms`).join('; ');
  console.log(`longest busy stretches of the extension host's thread (${path.basename(file)}; "ours": samples in this extension's code):`);
  for (const s of stretches.sort((a, b) => b.busy - a.busy).slice(0, 5)) {
    console.log(`  ${(s.busy / 1000).toFixed(0)} ms at ${((s.start - profile.startTime) / 1e6).toFixed(1)} s after activation, ours ${(s.ours / 1000).toFixed(0)} ms\n    from: ${top(s.outer)}\n    self: ${top(s.self)}`);
  }
  const mostOurs = stretches.reduce((best, s) => (!best || s.ours > best.ours ? s : best), undefined);
  if (longestOurs) console.log(`  our longest run of samples (about our longest task): ${longestOurs.ms.toFixed(0)} ms at ${((longestOurs.start - profile.startTime) / 1e6).toFixed(1)} s after activation; self: ${[...longestOurs.top].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join('; ')}`);
  if (mostOurs) console.log(`  the stretch with the most of our code: ${(mostOurs.busy / 1000).toFixed(0)} ms at ${((mostOurs.start - profile.startTime) / 1e6).toFixed(1)} s after activation, ours ${(mostOurs.ours / 1000).toFixed(0)} ms; from: ${top(mostOurs.outer)}`);
}

/**
 * The first lens's wait split at the trace's milestones (extension/shared/startupTrace.ts): each
 * line is when it happened after the page started loading and after the pipeline file opened.
 * The extension host's start time comes from /proc (to the clock tick).
 */
function printStartupSplit(result, pipelineFile) {
  const { trace, milestones } = result;
  if (!trace?.length) return console.log('(no startup trace: is the packaged extension older than the trace?)');
  const name = path.basename(pipelineFile);
  const ofPipeline = (e) => !e.file || String(e.file).endsWith(`/${name}`);
  const first = (event, test = () => true) => trace.find((e) => e.event === event && test(e))?.at;
  const rows = [
    ['page loading', milestones['page loading']],
    ['extension host process started', milestones['extension host started']],
    ['extension host: activating the extension (its log)', milestones['activation requested']],
    ['dist/extension.js evaluating', first('host/bundleLoading')],
    ['client: CodeLens provider registered', first('host/codeLensRegistered')],
    ['dist/extension.js evaluated (its last statement)', first('host/bundleEvaluated')],
    ['activate() called', first('host/bundleLoaded')],
    ['activate() returned', first('host/activated')],
    ['language client starting the server', first('host/serverStarting')],
    ['server bundle evaluated', first('server/loaded')],
    ['server: initialize', first('server/initialize')],
    ['client: server ready (initialized)', first('host/serverReady')],
    ['pipeline file opened (tab active)', milestones['pipeline file opened']],
    ['server: pipeline file didOpen', first('server/didOpen', ofPipeline)],
    ['client: first codeLens request, pipeline file', first('host/codeLensAsked', ofPipeline)],
    ['client: codeLens request sent to the server', first('host/codeLensSent', ofPipeline)],
    ['server: first codeLens message read off the channel', first('server/codeLensReceived')],
    ['server: codeLens request', first('server/codeLensAsked', ofPipeline)],
    ['server: codeLens answered with lenses', first('server/codeLensAnswered', (e) => ofPipeline(e) && e.lenses > 0)],
    ['client: codeLens reply received, with lenses', first('host/codeLensReceived', (e) => ofPipeline(e) && e.lenses > 0)],
    ['client: codeLens answer with lenses', first('host/codeLensAnswered', (e) => ofPipeline(e) && e.lenses > 0)],
    ['lens drawn', milestones['lens drawn']],
    ['client: the other features loaded (dist/features.js)', first('host/featuresLoaded')],
    ['server: first index done', first('server/indexed')],
    ['server: workspace/codeLens/refresh sent', first('server/codeLensRefresh')],
  ].filter(([, at]) => at !== undefined);
  const page = milestones['page loading'];
  const opened = milestones['pipeline file opened'];
  console.log('the first CodeLens, step by step (s after the page started loading / after the file opened):');
  for (const [label, at] of rows.sort((a, b) => a[1] - b[1])) {
    console.log(`  ${((at - page) / 1000).toFixed(2).padStart(6)}  ${((at - opened) / 1000).toFixed(2).padStart(6)}  ${label}`);
  }
}

const s = (x) => (x === undefined || Number.isNaN(x) ? '—' : `${x.toFixed(2)} s`);
const msf = (x) => (x === undefined ? '—' : x === Infinity ? 'none in 60 s' : `${x.toFixed(0)} ms`);
const quickText = (q) => (q.length ? `median ${msf(median(q.map((x) => x.ms)))}, max ${msf(Math.max(...q.map((x) => x.ms)))} (${q.length} tries, ${q[0].at.toFixed(0)}-${q.at(-1).at.toFixed(0)} s)` : '—');

for (const key of only ? [only] : ['A', 'B']) {
  const workspace = workspaces[key]();
  console.log(`\n${key}. ${workspace.label}; pipeline file ${path.relative(workspace.dir, workspace.pipelineFile)}`);
  const withExtension = await scenario(workspace, true);
  const control = withControl ? await scenario(workspace, false) : { quick: [] };
  const rows = [
    ['', 'with the extension', 'control (none)', 'target'],
    ['extension-host CPU, first minute', s(withExtension.cpu), s(control.cpu), '<= 3 s'],
    ['Quick Open during start-up', quickText(withExtension.quick), quickText(control.quick), '<= 0.2 s'],
    ['first CodeLens after the file opened (control: a provider answering at once)', msf(withExtension.lensMs), msf(control.lensMs), '<= 2 s'],
    ['extension host longest task (loop delay, from activation)', msf(withExtension.longestTaskMs), '—', '<= 50 ms'],
    ['extension host longest task (probe extension, first minute)', msf(withExtension.probeLongestMs), msf(control.probeLongestMs), ''],
    ['workbench visible', s(withExtension.visibleAt), s(control.visibleAt), ''],
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i])).join('  '));
  if (withExtension.longestAt !== undefined) console.log(`(the longest loop delay was in the second ending ${withExtension.longestAt.toFixed(0)} s after the page started loading)`);
  if (withExtension.probeLongestAt !== undefined) console.log(`(the probe's longest: in the second ending ${withExtension.probeLongestAt.toFixed(0)} s with the extension${control.probeLongestAt !== undefined ? `, ${control.probeLongestAt.toFixed(0)} s in the control` : ''})`);
  printStartupSplit(withExtension, workspace.pipelineFile);
  if (withExtension.profile && existsSync(withExtension.profile)) longTasks(withExtension.profile);
  rmSync(workspace.dir, { recursive: true, force: true });
}
process.exit(0);
