// Drives the packaged extension in a real VS Code: code-server (installed by
// scripts/install-code-server.sh) serving a temp copy of a sample, with Debian's Chromium
// through playwright-core. One `startCodeServer()` per test file; every session has private
// user-data, extensions, XDG and TMPDIR folders and a free loopback port, so sessions never
// share state with each other or with a developer's own VS Code.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { stopEmulators } from '../../emulator/src/lifecycle';
import { E2E_EMULATOR_NAME } from '../support/names';
import { STARTUP_TRACE_ENV } from '../../extension/shared/startupTrace';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const TEST_RESULTS_DIR = path.join(REPO_ROOT, 'test-results');
export const CODE_SERVER_VERSION = '4.139.1';
const CHROMIUM_PATH = process.env.LUIGI_SPANNER_CHROMIUM ?? '/usr/bin/chromium';
const DEFAULT_VSIX = path.join(REPO_ROOT, 'dist', 'luigi-spanner.vsix');
/** The attribute clickCodeLens marks the lens it presses with, in the page. */
const LENS_TAG = 'data-e2e-lens';
/** What readLensRow reads of the editor at once. */
interface LensRead {
  line: { y: number; height: number } | null;
  rows: Array<{ y: number; texts: string[] }>;
  above: { y: number; texts: string[] } | null;
  tag?: string;
}
/** In the session's folder: the extension's startup trace (extension/shared/startupTrace.ts). */
const STARTUP_TRACE_FILE = 'startup-trace.jsonl';

/** Where scripts/install-code-server.sh put code-server (same defaults as the script). */
export function codeServerInstallDir(): string {
  if (process.env.CODE_SERVER_DIR) return process.env.CODE_SERVER_DIR;
  const cacheRoot = process.env.LUIGI_SPANNER_CACHE ?? path.join(homedir(), '.cache', 'luigi-spanner');
  return path.join(cacheRoot, `code-server-${CODE_SERVER_VERSION}`);
}

interface CodeServerInstall {
  node: string;
  entry: string;
}

function locateCodeServer(): CodeServerInstall {
  const dir = codeServerInstallDir();
  const install = {
    node: path.join(dir, 'node', 'bin', 'node'),
    entry: path.join(dir, 'lib', 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
  };
  if (!existsSync(install.node) || !existsSync(install.entry)) {
    throw new Error(`code-server ${CODE_SERVER_VERSION} is not installed in ${dir}.\nFix: run \`bash scripts/install-code-server.sh\` (or point CODE_SERVER_DIR at an install made by it).`);
  }
  return install;
}

// ---------------------------------------------------------------------------------------------
// The packaged extension

/** Files whose change makes a packaged vsix stale. */
const PACKAGE_INPUTS = ['package.json', 'package-lock.json', '.vscodeignore', 'README.md', 'scripts/build.mjs', 'extension', 'webview', 'emulator'];

function newestMtime(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of readdirSync(entry)) {
    if (child === 'node_modules' || child === '__pycache__') continue;
    newest = Math.max(newest, newestMtime(path.join(entry, child)));
  }
  return newest;
}

/**
 * The vsix under test: $LUIGI_SPANNER_VSIX if set (CI packages once), else dist/luigi-spanner.vsix,
 * re-packaged with `npm run package` whenever a source is newer than it.
 */
export async function ensurePackagedExtension(): Promise<string> {
  const fromEnv = process.env.LUIGI_SPANNER_VSIX;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`LUIGI_SPANNER_VSIX=${fromEnv} does not exist.\nFix: run \`npm run package\` or unset LUIGI_SPANNER_VSIX.`);
    return fromEnv;
  }
  const inputsMtime = Math.max(...PACKAGE_INPUTS.map((p) => newestMtime(path.join(REPO_ROOT, p))));
  if (existsSync(DEFAULT_VSIX) && statSync(DEFAULT_VSIX).mtimeMs > inputsMtime) return DEFAULT_VSIX;
  mkdirSync(TEST_RESULTS_DIR, { recursive: true });
  await runToCompletion('npm', ['run', 'package'], { cwd: REPO_ROOT, logFile: path.join(TEST_RESULTS_DIR, 'e2e-package.log') });
  return DEFAULT_VSIX;
}

export interface BundleExternal {
  name: string;
  /** `require("…")`, or `import("…")` that esbuild keeps for lazily loaded packages. */
  via: 'require' | 'import';
}

/**
 * The packages that the extension host's bundles of an unpacked extension (`dist/extension.js` and
 * `dist/features.js`, which it loads on first use) load at run time (the esbuild externals): every
 * literal `require("…")` or `import("…")` that is neither a Node built-in nor `vscode`.
 */
export function bundleExternals(extensionDir: string): BundleExternal[] {
  const bundle = ['extension.js', 'features.js'].map((file) => readFileSync(path.join(extensionDir, 'dist', file), 'utf8')).join('\n');
  const found = new Map<string, BundleExternal>();
  for (const match of bundle.matchAll(/\b(require|import)\(\s*["']([^"']+)["']\s*\)/g)) {
    const via = match[1] as 'require' | 'import';
    const name = match[2]!;
    if (name === 'vscode' || name.startsWith('node:') || name.startsWith('.') || builtinModules.includes(name)) continue;
    if (!found.has(`${via}:${name}`)) found.set(`${via}:${name}`, { name, via });
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name) || a.via.localeCompare(b.via));
}

/**
 * Loads each package the way `dist/extension.js` of the unpacked extension would (same resolution
 * base, same require/import), with code-server's own Node, the one its extension host runs on.
 * Returns the ones that loaded; throws with the loader's output when one fails.
 */
export async function loadWithCodeServerNode(extensionDir: string, externals: BundleExternal[]): Promise<string[]> {
  const { node } = locateCodeServer();
  const script = [
    "const { createRequire } = require('node:module');",
    "const { pathToFileURL } = require('node:url');",
    '(async () => {',
    '  const load = createRequire(process.argv[1]);',
    '  for (const spec of process.argv.slice(2)) {',
    "    const [via, name] = [spec.slice(0, spec.indexOf(':')), spec.slice(spec.indexOf(':') + 1)];",
    "    if (via === 'require') load(name); else await import(pathToFileURL(load.resolve(name)).href);",
    '    console.log(`loaded ${via}:${name}`);',
    '  }',
    // Some clients keep handles open (timers, signal handlers); the answer is complete here.
    '  process.exit(0);',
    '})().catch((error) => { console.error(error); process.exit(1); });',
  ].join('\n');
  mkdirSync(TEST_RESULTS_DIR, { recursive: true });
  const specs = externals.map((e) => `${e.via}:${e.name}`);
  const output = await runToCompletion(node, ['-e', script, path.join(extensionDir, 'dist', 'extension.js'), ...specs], {
    cwd: tmpdir(),
    logFile: path.join(TEST_RESULTS_DIR, 'e2e-load-externals.log'),
  });
  return [...output.matchAll(/^loaded (.+)$/gm)].map((m) => m[1]!);
}

// ---------------------------------------------------------------------------------------------
// Processes

async function runToCompletion(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; logFile: string }): Promise<string> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  writeFileSync(options.logFile, output);
  if (code !== 0) {
    throw new Error(`\`${command} ${args.join(' ')}\` exited with ${code}; output in ${options.logFile}:\n${output.slice(-3000)}`);
  }
  return output;
}

async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('could not read the port of a loopback socket');
  return address.port;
}

/** Ends the process and its children (extension host, pty host, file watcher): it leads its own group. */
async function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* exited meanwhile */
    }
  }, 5_000);
  await exited;
  clearTimeout(timer);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------
// Sessions

export interface StartOptions {
  /** Folder to open: a name under samples/ or an absolute path. It is copied to a temp folder first, so tests may change it. */
  sample: string;
  /**
   * A multi-root window instead: each sample (as `sample`) copied to a folder of its own `name`, the
   * window opened on a `.code-workspace` file listing them (`workspaceSettings` in it). `sample`
   * then only names the session; `workspaceDir` is the folder holding the folders, so paths given
   * to `openFile` start with a folder's name.
   */
  folders?: Array<{ sample: string; name: string; /** Files written into the folder's copy before the window opens (its settings), by relative path. */ files?: Record<string, string> }>;
  /** Workspace settings of a multi-root window (its `.code-workspace` file's `settings`). */
  workspaceSettings?: Record<string, unknown>;
  /** Extra user settings, merged over the harness defaults. */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server and so for the extension host. */
  env?: Record<string, string>;
  /** Defaults to `ensurePackagedExtension()`. */
  vsixPath?: string;
}

/** Settings that keep the window quiet and deterministic: no welcome page, tips, update or AI panels. */
const DEFAULT_SETTINGS: Record<string, unknown> = {
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
  'files.autoSave': 'off',
};

export const EXTENSION_ID = 'luigi-spanner.luigi-spanner';

/** The repo's pinned Python environment (npm run setup), for tests that run pipelines: pass it as LUIGI_SPANNER_PYTHON. */
export function repoVenvPython(): string | undefined {
  const python = path.join(REPO_ROOT, '.venv', 'bin', 'python');
  return existsSync(python) ? python : undefined;
}

/** Environment for sessions that run pipelines: the repo's venv, no Ryuk (unpullable here), the test emulator image. */
export function pipelineRunEnv(): Record<string, string> {
  const python = repoVenvPython();
  if (!python) throw new Error('No venv Python: run npm run setup first.');
  return {
    LUIGI_SPANNER_PYTHON: python,
    TESTCONTAINERS_RYUK_DISABLED: 'true',
    ...(process.env.LUIGI_SPANNER_EMULATOR_IMAGE ? { LUIGI_SPANNER_EMULATOR_IMAGE: process.env.LUIGI_SPANNER_EMULATOR_IMAGE } : {}),
  };
}

/**
 * One session for the enclosing describe block: started before its tests, closed after them,
 * with a screenshot of the window for every failing test. Returns the running session.
 */
export function sessionForSuite(options: StartOptions): () => CodeServerSession {
  let session: CodeServerSession | undefined;
  beforeAll(async () => {
    session = await CodeServerSession.start(options);
  });
  afterAll(async () => {
    await session?.close();
  });
  beforeEach(({ task, onTestFailed }) => {
    onTestFailed(async () => {
      await session?.screenshot(`failed-${task.name.replace(/\W+/g, '-').slice(0, 60)}`);
    });
  });
  return () => {
    if (!session) throw new Error('The code-server session did not start (see the beforeAll error).');
    return session;
  };
}

export class CodeServerSession {
  private constructor(
    readonly page: Page,
    private readonly context: BrowserContext,
    private readonly server: ChildProcess,
    /** The temp copy of the sample that the window has open. */
    readonly workspaceDir: string,
    /** Private root holding user-data, extensions, XDG and TMPDIR folders of this session. */
    readonly sessionDir: string,
    readonly url: string,
  ) {}

  static async start(options: StartOptions): Promise<CodeServerSession> {
    const install = locateCodeServer();
    const vsixPath = options.vsixPath ?? (await ensurePackagedExtension());
    const sampleDirOf = (sample: string) => {
      const dir = path.isAbsolute(sample) ? sample : path.join(REPO_ROOT, 'samples', sample);
      if (!existsSync(dir)) throw new Error(`no sample folder ${dir}`);
      return dir;
    };
    const samples = options.folders ?? [{ sample: options.sample, name: path.basename(options.sample) }];
    const sampleDirs = samples.map((s) => sampleDirOf(s.sample));
    mkdirSync(TEST_RESULTS_DIR, { recursive: true });

    const sessionDir = mkdtempSync(path.join(tmpdir(), 'luigi-spanner-e2e-'));
    const dirs = {
      userData: path.join(sessionDir, 'user-data'),
      extensions: path.join(sessionDir, 'extensions'),
      xdgConfig: path.join(sessionDir, 'xdg-config'),
      xdgData: path.join(sessionDir, 'xdg-data'),
      tmp: path.join(sessionDir, 'tmp'),
      chromiumProfile: path.join(sessionDir, 'chromium-profile'),
      workspace: options.folders ? path.join(sessionDir, 'workspace') : path.join(sessionDir, 'workspace', path.basename(options.sample)),
    };
    for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
    samples.forEach((sample, i) =>
      cpSync(sampleDirs[i]!, options.folders ? path.join(dirs.workspace, sample.name) : dirs.workspace, {
        recursive: true,
        filter: (source) => !['__pycache__', '.luigi-spanner', 'node_modules'].includes(path.basename(source)),
      }),
    );
    for (const folder of options.folders ?? []) {
      for (const [relative, text] of Object.entries(folder.files ?? {})) {
        const file = path.join(dirs.workspace, folder.name, relative);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, text);
      }
    }
    // What the window opens: the folder, or a workspace file listing the folders.
    const workspaceFile = options.folders ? path.join(dirs.workspace, `${path.basename(options.sample)}.code-workspace`) : undefined;
    if (workspaceFile) {
      writeFileSync(workspaceFile, JSON.stringify({ folders: options.folders!.map((f) => ({ path: f.name })), settings: options.workspaceSettings ?? {} }, null, 2));
    }
    mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
    writeFileSync(path.join(dirs.userData, 'User', 'settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, ...options.settings }, null, 2));

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      XDG_CONFIG_HOME: dirs.xdgConfig,
      XDG_DATA_HOME: dirs.xdgData,
      TMPDIR: dirs.tmp,
      // The editor's emulator in these sessions has a name of its own: never the developer's `default`.
      LUIGI_SPANNER_EMULATOR_NAME: E2E_EMULATOR_NAME,
      // The first lens's milestones (extension/shared/startupTrace.ts), for a test that finds no lens to say why.
      [STARTUP_TRACE_ENV]: path.join(sessionDir, STARTUP_TRACE_FILE),
      ...options.env,
    };
    // Vitest's own variables would leak into the extension host's child processes.
    for (const key of Object.keys(env)) if (key.startsWith('VITEST') || key === 'NODE_OPTIONS') delete env[key];
    const profileArgs = ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];

    const installOutput = await runToCompletion(install.node, [install.entry, ...profileArgs, '--install-extension', vsixPath, '--force'], {
      env,
      logFile: path.join(TEST_RESULTS_DIR, 'e2e-install-extension.log'),
    });
    if (!/successfully installed/i.test(installOutput)) throw new Error(`installing ${vsixPath} printed no success line:\n${installOutput}`);

    const port = await freeLoopbackPort();
    const logPath = path.join(TEST_RESULTS_DIR, `e2e-code-server-${path.basename(options.sample)}-${port}.log`);
    const log = createWriteStream(logPath);
    const server = spawn(
      install.node,
      [
        install.entry,
        '--auth', 'none',
        '--bind-addr', `127.0.0.1:${port}`,
        '--disable-telemetry',
        '--disable-update-check',
        // Runs and the emulator need a trusted workspace; the folder is the test's own temp copy.
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--ignore-last-opened',
        ...profileArgs,
        workspaceFile ?? dirs.workspace,
      ],
      { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    server.stdout!.pipe(log);
    server.stderr!.pipe(log);
    // A worker that dies without close() must not leave code-server (a process group of its own) behind.
    const killOnExit = () => {
      try {
        process.kill(-server.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    process.once('exit', killOnExit);
    server.once('exit', () => process.removeListener('exit', killOnExit));

    let context: BrowserContext | undefined;
    try {
      const url = workspaceFile
        ? `http://127.0.0.1:${port}/?workspace=${encodeURIComponent(workspaceFile)}`
        : `http://127.0.0.1:${port}/?folder=${encodeURIComponent(dirs.workspace)}`;
      await waitForHealthy(port, server, logPath);
      // A loopback origin counts as secure, which webviews (service workers) require.
      context = await chromium.launchPersistentContext(dirs.chromiumProfile, {
        executablePath: CHROMIUM_PATH,
        headless: true,
        args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'],
        viewport: { width: 1440, height: 900 },
      });
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(url);
      await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
      // The explorer lists the folder once the remote file system is connected.
      await page.locator('.explorer-folders-view').waitFor({ state: 'visible', timeout: 60_000 });
      return new CodeServerSession(page, context, server, dirs.workspace, sessionDir, url);
    } catch (error) {
      await context?.close().catch(() => undefined);
      await stopProcessGroup(server);
      throw error;
    }
  }

  /** Opens a workspace file in the editor through Quick Open and waits for its tab. */
  async openFile(relativePath: string): Promise<void> {
    const absolute = path.join(this.workspaceDir, relativePath);
    if (!existsSync(absolute)) throw new Error(`no file ${relativePath} in the workspace ${this.workspaceDir}`);
    await this.focusWorkbench();
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    // An absolute path is resolved directly rather than fuzzy-matched, so a same-named file elsewhere cannot win.
    await input.fill(absolute);
    const baseName = path.basename(relativePath);
    // Recently opened files of the same name are listed too (a multi-root window's other folder):
    // the row whose description names the file's first folder, when it has one.
    const [first] = relativePath.split(/[\\/]/);
    const rows = this.page.locator('.quick-input-list .monaco-list-row', { hasText: baseName });
    const row = first === relativePath ? rows.first() : rows.filter({ has: this.page.locator('.label-description', { hasText: first }) }).first();
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    if (first === relativePath) await this.page.keyboard.press('Enter');
    else await row.click();
    await this.page.locator(`.tabs-container .tab.active[data-resource-name="${baseName}"]`).waitFor({ state: 'visible', timeout: 30_000 });
    await this.page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor({ state: 'visible' });
  }

  /** Runs a command by its palette title, e.g. "Luigi Spanner: Check Prerequisites (Doctor)". */
  async runCommand(title: string, timeout = 30_000): Promise<void> {
    // Exact label match: fuzzy search would also offer commands whose titles merely contain the words.
    const row = this.page.locator('.quick-input-list .monaco-list-row').filter({
      has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }),
    });
    const deadline = Date.now() + timeout;
    // The palette lists what is enabled when it opens: a command whose `enablement` context key
    // settles late (isWorkspaceTrusted right after start-up) appears on a later opening.
    for (;;) {
      await this.focusWorkbench();
      await this.page.keyboard.press('F1');
      const input = this.page.locator('.quick-input-widget input');
      try {
        const attempt = Math.max(1_000, Math.min(5_000, deadline - Date.now()));
        await input.waitFor({ state: 'visible', timeout: attempt });
        // A palette opened while something modal closes (a context menu) can come up inert and
        // close again: it is opened afresh rather than waited on.
        await input.fill(`>${title}`, { timeout: attempt });
        await row.first().waitFor({ state: 'visible', timeout: attempt });
        break;
      } catch (error) {
        if (Date.now() < deadline) continue;
        const offered = await this.page.locator('.quick-input-list .monaco-list-row .label-name').allInnerTexts();
        throw new Error(`command "${title}" is not in the palette; it offers: ${JSON.stringify(offered)}`, { cause: error });
      }
    }
    // Callers wait for the command's own effect: it may open a quick pick of its own at once.
    await row.first().click();
  }

  /** Waits for a quick pick whose title matches (one a command opened) and returns its rows. */
  async waitForQuickPick(title: string | RegExp, timeout = 60_000): Promise<Array<{ label: string; description: string }>> {
    const widget = this.page.locator('.quick-input-widget').filter({ has: this.page.locator('.quick-input-title', { hasText: title }) });
    await widget.waitFor({ state: 'visible', timeout });
    const rows = widget.locator('.quick-input-list .monaco-list-row');
    await rows.first().waitFor({ state: 'visible', timeout });
    const items: Array<{ label: string; description: string }> = [];
    for (const row of await rows.all()) {
      const label = (await row.locator('.label-name').first().innerText()).trim();
      // Items without a description have no such element: do not wait for one.
      const description = row.locator('.label-description').first();
      items.push({ label, description: (await description.count()) ? (await description.innerText()).trim() : '' });
    }
    return items;
  }

  /** CodeLenses of the visible editors reading `text` (e.g. "Run", "Show graph"), an icon or symbol before it allowed. */
  codeLens(text: string): Locator {
    return this.page.locator('.monaco-editor .codelens-decoration a', { hasText: codeLensText(text) });
  }

  /**
   * Waits until the editor has a CodeLens reading `text` (lenses of lines outside the viewport
   * exist but are hidden: use `codeLensesAboveClass` or `clickCodeLens` to see or press one).
   */
  async waitForCodeLens(text: string, timeout = 60_000): Promise<Locator> {
    const lenses = this.codeLens(text);
    await lenses.first().waitFor({ state: 'attached', timeout });
    return lenses;
  }

  /** Scrolls the active editor to the first match of `text` (the find widget, so no language support is needed). */
  async revealInEditor(text: string): Promise<void> {
    await this.focusWorkbench();
    await this.page.keyboard.press('Control+F');
    const findWidget = this.page.locator('.editor-widget.find-widget.visible');
    const findInput = findWidget.locator('textarea').first();
    await findInput.waitFor({ state: 'visible' });
    await findInput.fill(text);
    try {
      await findWidget.locator('.matchesCount', { hasText: /^\d+ of \d+/ }).waitFor({ timeout: 10_000 });
    } catch (error) {
      throw new Error(`"${text}" is not in the active editor`, { cause: error });
    }
    await this.page.keyboard.press('Escape');
  }

  /** The CodeLens texts rendered right above the line that declares `class <className>` in the active editor. */
  async codeLensesAboveClass(className: string, timeout = 60_000): Promise<string[]> {
    return (await this.lensRowAboveClass(className, timeout)).texts;
  }

  /** Presses the CodeLens reading `text` (e.g. "Run") above `class <className>` in the active editor. */
  async clickCodeLens(className: string, text: string, timeout = 60_000): Promise<void> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const { texts, tag } = await this.lensRowAboveClass(className, Math.max(1_000, deadline - Date.now()), codeLensText(text));
      if (tag === undefined) throw new Error(`no "${text}" CodeLens above class ${className}; there are ${JSON.stringify(texts)}`);
      try {
        // The very link read above (tagged in the page): if Monaco redrew the row meanwhile, it is
        // gone and the row is read again, rather than a click landing on whatever took its place.
        await this.page.locator(`[${LENS_TAG}="${tag}"]`).click({ timeout: 5_000 });
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
    }
  }

  /**
   * The lens row right above `class <className>`: its texts once two reads 150 ms apart agree (and,
   * given `link`, the tag of its link matching it); throws, saying what the editor shows, when none
   * comes within `timeout`.
   */
  private async lensRowAboveClass(className: string, timeout: number, link?: RegExp): Promise<{ texts: string[]; tag?: string }> {
    await this.revealInEditor(`class ${className}`);
    const deadline = Date.now() + timeout;
    let revealed = Date.now();
    let last: LensRead | undefined;
    for (;;) {
      if (Date.now() - revealed > 15_000) {
        // The row may have come while the line sat at the viewport's top edge, its zone scrolled out
        // of view: scroll to the class again.
        console.warn(`no lens row above class ${className} after 15 s: revealing the class again`);
        await this.revealInEditor(`class ${className}`);
        revealed = Date.now();
      }
      const read = await this.readLensRow(className, link);
      // Monaco empties a lens row while it redraws it (a scroll, the server's refresh), and a read
      // taken mid-scroll can pair the line with the row of the class above (seen in CI: "Show graph"
      // alone above LoadOrders; and a row emptied between two separate reads: []). So one read of
      // the whole picture in the page, and the same picture twice.
      const agreed =
        read.above !== null &&
        read.above.texts.length > 0 &&
        last?.above !== null &&
        last?.above !== undefined &&
        last.line?.y === read.line?.y &&
        last.above.y === read.above.y &&
        JSON.stringify(last.above.texts) === JSON.stringify(read.above.texts);
      if (agreed) return { texts: read.above!.texts, ...(read.tag === undefined ? {} : { tag: read.tag }) };
      last = read;
      if (Date.now() > deadline) {
        const activeTabs = await this.page.locator('.tabs-container .tab.active').evaluateAll((tabs) => tabs.map((tab) => tab.getAttribute('aria-label') ?? tab.textContent));
        throw new Error(
          `no lens row above class ${className} within ${timeout / 1000} s: active tabs ${JSON.stringify(activeTabs)}; ` +
            `the line ${read.line ? `at y=${read.line.y.toFixed(0)} (height ${read.line.height.toFixed(0)})` : 'not shown'}, ` +
            `${read.rows.length} visible lens row(s): ${read.rows.map((r) => `y=${r.y.toFixed(0)} ${JSON.stringify(r.texts)}`).join('; ') || 'none'}; ` +
            `the lens milestones:\n${this.lensMilestones()}`,
        );
      }
      await sleep(150);
    }
  }

  /** The class's line and the lens rows, read in one go in the page (one layout, nothing redrawn between reads). */
  private readLensRow(className: string, link?: RegExp): Promise<LensRead> {
    const tag = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
    return this.page.evaluate(
      ({ linePattern, linkPattern, linkFlags, tag, attribute }) => {
        const lineRe = new RegExp(linePattern);
        // The editor's own line, not a sticky-scroll header repeating it.
        const line = [...document.querySelectorAll<HTMLElement>('.monaco-editor .view-line')].find(
          (el) => !el.closest('.sticky-widget') && lineRe.test(el.textContent ?? '') && el.getBoundingClientRect().height > 0,
        );
        const lineBox = line?.getBoundingClientRect();
        const rows = [...document.querySelectorAll<HTMLElement>('.monaco-editor .codelens-decoration')]
          .map((el) => ({ el, box: el.getBoundingClientRect(), texts: [...el.querySelectorAll<HTMLElement>('a')].map((a) => a.innerText.trim()) }))
          .filter(({ box }) => box.width > 0 && box.height > 0);
        // A lens row sits in the view zone directly above its line, less than one line height away.
        const above = lineBox ? rows.find(({ box }) => box.y < lineBox.y && lineBox.y - box.y <= lineBox.height * 1.5) : undefined;
        let tagged: string | undefined;
        if (above && linkPattern !== null) {
          const linkRe = new RegExp(linkPattern, linkFlags);
          const target = [...above.el.querySelectorAll<HTMLElement>('a')].find((a) => linkRe.test(a.innerText.trim()));
          if (target) {
            target.setAttribute(attribute, tag);
            tagged = tag;
          }
        }
        return {
          line: lineBox ? { y: lineBox.y, height: lineBox.height } : null,
          rows: rows.map(({ box, texts }) => ({ y: box.y, texts })),
          above: above ? { y: above.box.y, texts: above.texts } : null,
          ...(tagged === undefined ? {} : { tag: tagged }),
        };
      },
      { linePattern: `^\\s*class\\s+${escapeRegExp(className)}\\b`, linkPattern: link?.source ?? null, linkFlags: link?.flags ?? '', tag, attribute: LENS_TAG },
    );
  }

  /** The startup trace's lens milestones of this session, relative to its first line, one per line. */
  lensMilestones(): string {
    const file = path.join(this.sessionDir, STARTUP_TRACE_FILE);
    if (!existsSync(file)) return 'no startup trace';
    const events = readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { at: number; event: string; lenses?: number; file?: string });
    const start = events[0]?.at ?? 0;
    return events
      .map(({ at, event, lenses, file: doc }) => `  +${at - start} ms ${event}${doc ? ` ${path.basename(doc)}` : ''}${lenses === undefined ? '' : ` (${lenses} lenses)`}`)
      .join('\n');
  }

  /** A notification toast whose message matches `text`. */
  notification(text: string | RegExp): Locator {
    return this.page.locator('.notifications-toasts .notification-toast', {
      has: this.page.locator('.notification-list-item-message', { hasText: text }),
    });
  }

  /**
   * The document inside the visible webview of this extension (or of `extensionId`, e.g. the
   * Markdown preview's `vscode.markdown-language-features`): VS Code nests it in `iframe.webview`
   * (its host page) and then `#active-frame`. Locators on it wait for the content to appear.
   */
  webviewFrame(extensionId = EXTENSION_ID): FrameLocator {
    return this.page
      .locator(`iframe.webview.ready[src*="extensionId=${extensionId}"]`)
      .filter({ visible: true })
      .first()
      .contentFrame()
      .locator('#active-frame')
      .contentFrame();
  }

  /** Log files of this session whose name is `fileName`, e.g. `remoteexthost.log` or `Luigi Spanner.log`. */
  private logFiles(fileName: string): string[] {
    const found: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name === fileName) found.push(full);
      }
    };
    const logsRoot = path.join(this.sessionDir, 'user-data', 'logs');
    if (existsSync(logsRoot)) walk(logsRoot);
    return found;
  }

  /** Text of the extension host log: activations (`ExtensionService#_doActivateExtension <id>`) and their errors. */
  extensionHostLog(): string {
    return this.logFiles('remoteexthost.log').map((file) => readFileSync(file, 'utf8')).join('\n');
  }

  /** Text of an output channel the extension logs to, by its name (e.g. "Luigi Spanner"). */
  outputChannelLog(channelName: string): string {
    return this.logFiles(`${channelName}.log`).map((file) => readFileSync(file, 'utf8')).join('\n');
  }

  /** The folder the packaged extension was unpacked to. */
  installedExtensionDir(): string {
    const extensionsDir = path.join(this.sessionDir, 'extensions');
    const match = readdirSync(extensionsDir).find((name) => name.startsWith(`${EXTENSION_ID}-`));
    if (match === undefined) throw new Error(`${EXTENSION_ID} is not installed in ${extensionsDir}`);
    return path.join(extensionsDir, match);
  }

  /** Saves a PNG under test-results/ (kept by CI as an artifact) and returns its path. */
  async screenshot(name: string): Promise<string> {
    const file = path.join(TEST_RESULTS_DIR, `e2e-${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
    await stopProcessGroup(this.server);
    // The extension may leave its emulator running (luigiSpanner.emulator.keepRunning); the session's goes with it.
    await stopEmulators(E2E_EMULATOR_NAME).catch(() => undefined);
    if (!process.env.LUIGI_SPANNER_E2E_KEEP) rmSync(this.sessionDir, { recursive: true, force: true });
  }

  private async focusWorkbench(): Promise<void> {
    // Keyboard shortcuts go to the focused element; an open quick input would swallow them.
    await this.page.keyboard.press('Escape');
  }
}

async function waitForHealthy(port: number, server: ChildProcess, logPath: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) {
      throw new Error(`code-server exited with ${server.exitCode} before answering; log ${logPath}:\n${readFileSync(logPath, 'utf8').slice(-3000)}`);
    }
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (response.ok) return;
    } catch {
      /* not listening yet */
    }
    await sleep(200);
  }
  throw new Error(`code-server did not answer on 127.0.0.1:${port} within 60 s; log ${logPath}`);
}

/** Matches a lens title with or without a leading icon or symbol ("▶ Run", "$(play) Run" render as " Run"). */
export function codeLensText(text: string): RegExp {
  return new RegExp(`^[^\\p{L}\\p{N}]*${escapeRegExp(text)}\\s*$`, 'u');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
