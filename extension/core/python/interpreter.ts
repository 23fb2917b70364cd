// Which Python runs pipelines, and the managed virtual environment when none is chosen.
// Runs start `python -m luigi_spanner.runner`, so the interpreter needs the luigi-spanner package
// installed (the pipelines import it anyway): the managed venv gets the wheel this tool ships; an
// interpreter the user chose without it gets an error naming the pip command (runPipeline.ts).
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { defaultCacheFolder } from '../../shared/cacheFolder';
import { PYTHON_DISTRIBUTION } from '../../shared/contract';
import { UserFacingError } from '../errors';

const execFileAsync = promisify(execFile);

/**
 * Root of the installed tool: the repo in development, the extension folder when packaged.
 * Bundles live in <root>/dist or <root>/dist/commands, sources in <root>/extension/core/python:
 * the nearest folder above that ships the pinned Python requirements.
 */
export function toolRoot(): string {
  let dir = __dirname;
  for (let depth = 0; depth < 5; depth++) {
    if (existsSync(path.join(dir, 'extension', 'python', 'requirements.txt'))) return dir;
    dir = path.dirname(dir);
  }
  return path.resolve(__dirname, '..');
}

export const REQUIREMENTS_FILE = () => path.join(toolRoot(), 'extension', 'python', 'requirements.txt');
/** Where scripts/build-wheel.mjs writes the luigi-spanner wheel (shipped in the vsix). */
export const WHEEL_DIR = () => path.join(toolRoot(), 'dist', 'python');

/** The luigi-spanner wheel this tool ships, or undefined before a build. */
export function shippedWheel(): string | undefined {
  const dir = WHEEL_DIR();
  if (!existsSync(dir)) return undefined;
  const wheel = readdirSync(dir).find((f) => /^luigi_spanner-.+\.whl$/.test(f));
  return wheel ? path.join(dir, wheel) : undefined;
}

/** `luigi_spanner-0.1.0-py3-none-any.whl` -> `0.1.0`. */
export function wheelVersion(wheel: string): string | undefined {
  return /^luigi_spanner-([^-]+)-/.exec(path.basename(wheel))?.[1];
}

/** The one command that gives an interpreter this tool's package. */
export function installCommand(python: string): string {
  const wheel = shippedWheel();
  return `${python} -m pip install ${wheel ? `"${wheel}"` : PYTHON_DISTRIBUTION}`;
}

export function managedVenvDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LUIGI_SPANNER_VENV) return env.LUIGI_SPANNER_VENV;
  const repoVenv = path.join(toolRoot(), '.venv');
  if (existsSync(repoVenv)) return repoVenv;
  return path.join(defaultCacheFolder(env), 'venv');
}

export function venvPython(venv: string): string {
  return process.platform === 'win32' ? path.join(venv, 'Scripts', 'python.exe') : path.join(venv, 'bin', 'python');
}

/**
 * The interpreter, in order: an explicit choice (flag, setting, the Python extension's
 * selection), $LUIGI_SPANNER_PYTHON, the managed venv when it exists.
 */
export function resolvePython(explicit?: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (explicit) return explicit;
  if (env.LUIGI_SPANNER_PYTHON) return env.LUIGI_SPANNER_PYTHON;
  const managed = venvPython(managedVenvDir(env));
  return existsSync(managed) ? managed : undefined;
}

export interface PythonProbe {
  python: string;
  version?: string;
  luigi?: string;
  spanner?: string;
  /** The installed luigi-spanner package (what runs import as luigi_spanner and the runner). */
  luigiSpanner?: string;
  error?: string;
}

/** Asks the interpreter itself which versions it has; never imports user code. */
export async function probePython(python: string): Promise<PythonProbe> {
  const script =
    'import json, sys\n' +
    'out = {"version": sys.version.split()[0]}\n' +
    'try:\n import luigi; out["luigi"] = luigi.__version__\nexcept Exception: pass\n' +
    'try:\n from google.cloud.spanner_v1 import gapic_version as g; out["spanner"] = g.__version__\nexcept Exception: pass\n' +
    // Cheap: the package's __init__ loads its modules lazily.
    'try:\n import luigi_spanner; out["luigiSpanner"] = luigi_spanner.__version__\nexcept Exception: pass\n' +
    'print(json.dumps(out))\n';
  try {
    const { stdout } = await execFileAsync(python, ['-c', script], { timeout: 30_000 });
    return { python, ...(JSON.parse(stdout) as Omit<PythonProbe, 'python'>) };
  } catch (error) {
    return { python, error: (error as Error).message.split('\n')[0] };
  }
}

/**
 * Creates (or completes) the managed venv: the pinned requirements, then the luigi-spanner wheel
 * this tool ships (reinstalled when the tool brings another version). `onProgress` receives pip's
 * lines so callers can show progress.
 */
export async function ensureManagedVenv(onProgress: (line: string) => void = () => {}, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const venv = managedVenvDir(env);
  const python = venvPython(venv);
  const wheel = shippedWheel();
  const wanted = wheel ? wheelVersion(wheel) : undefined;
  const probe = existsSync(python) ? await probePython(python) : undefined;
  if (!probe?.luigi || !probe.spanner) {
    const base = env.LUIGI_SPANNER_BASE_PYTHON || 'python3';
    onProgress(`Creating the Python environment in ${venv} ...`);
    await run(base, ['-m', 'venv', venv], onProgress, `${base} is missing or cannot create virtual environments`);
    onProgress('Installing luigi and google-cloud-spanner (pinned) ...');
    await run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', '-r', REQUIREMENTS_FILE()], onProgress, 'pip could not install the pinned requirements');
  }
  if (probe?.luigiSpanner && (!wanted || probe.luigiSpanner === wanted)) return python;
  if (!wheel) {
    throw new UserFacingError(
      `The managed venv ${venv} has no luigi-spanner package, and this build ships no wheel (${WHEEL_DIR()} is empty).`,
      'Run bash scripts/setup.sh (or node scripts/build-wheel.mjs), then run again.',
      'NO_PACKAGE',
    );
  }
  onProgress(`Installing ${path.basename(wheel)} ...`);
  await run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', '--no-deps', '--force-reinstall', wheel], onProgress, 'pip could not install the luigi-spanner wheel');
  return python;
}

function run(command: string, args: string[], onLine: (line: string) => void, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const forward = (chunk: Buffer) => chunk.toString().split('\n').filter(Boolean).forEach(onLine);
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.on('error', (error) =>
      reject(new UserFacingError(`${what}: ${error.message}.`, 'Install Python 3.10+ with venv (Debian: apt-get install python3-venv) or set LUIGI_SPANNER_BASE_PYTHON.', 'NO_PYTHON')),
    );
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new UserFacingError(`${what} (exit ${code}).`, 'Check the output above; set LUIGI_SPANNER_PYTHON to an interpreter that has luigi and google-cloud-spanner.', 'NO_PYTHON')),
    );
  });
}
