// Which Python runs pipelines, and the managed virtual environment when none is chosen.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { UserFacingError } from '../errors';

const execFileAsync = promisify(execFile);

/**
 * Root of the installed tool: the repo in development, the extension folder when packaged.
 * Bundles live in <root>/dist or <root>/dist/commands, sources in <root>/extension/core/python:
 * the nearest folder above that ships the Python helpers.
 */
export function toolRoot(): string {
  let dir = __dirname;
  for (let depth = 0; depth < 5; depth++) {
    if (existsSync(path.join(dir, 'extension', 'python', 'runner.py'))) return dir;
    dir = path.dirname(dir);
  }
  return path.resolve(__dirname, '..');
}

export const PYTHON_HELPERS_DIR = () => path.join(toolRoot(), 'extension', 'python');
export const REQUIREMENTS_FILE = () => path.join(PYTHON_HELPERS_DIR(), 'requirements.txt');

export function managedVenvDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LUIGI_SPANNER_VENV) return env.LUIGI_SPANNER_VENV;
  const repoVenv = path.join(toolRoot(), '.venv');
  if (existsSync(repoVenv)) return repoVenv;
  const cache = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cache, 'luigi-spanner', 'venv');
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
  error?: string;
}

/** Asks the interpreter itself which versions it has; never imports user code. */
export async function probePython(python: string): Promise<PythonProbe> {
  const script =
    'import json, sys\n' +
    'out = {"version": sys.version.split()[0]}\n' +
    'try:\n import luigi; out["luigi"] = luigi.__version__\nexcept Exception: pass\n' +
    'try:\n from google.cloud.spanner_v1 import gapic_version as g; out["spanner"] = g.__version__\nexcept Exception: pass\n' +
    'print(json.dumps(out))\n';
  try {
    const { stdout } = await execFileAsync(python, ['-c', script], { timeout: 30_000 });
    return { python, ...(JSON.parse(stdout) as Omit<PythonProbe, 'python'>) };
  } catch (error) {
    return { python, error: (error as Error).message.split('\n')[0] };
  }
}

/**
 * Creates (or completes) the managed venv with the pinned requirements.
 * `onProgress` receives pip's lines so callers can show progress.
 */
export async function ensureManagedVenv(onProgress: (line: string) => void = () => {}, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const venv = managedVenvDir(env);
  const python = venvPython(venv);
  if (existsSync(python)) {
    const probe = await probePython(python);
    if (probe.luigi && probe.spanner) return python;
  }
  const base = env.LUIGI_SPANNER_BASE_PYTHON || 'python3';
  onProgress(`Creating the Python environment in ${venv} ...`);
  await run(base, ['-m', 'venv', venv], onProgress, `${base} is missing or cannot create virtual environments`);
  onProgress('Installing luigi and google-cloud-spanner (pinned) ...');
  await run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', '-r', REQUIREMENTS_FILE()], onProgress, 'pip could not install the pinned requirements');
  return python;
}

function run(command: string, args: string[], onLine: (line: string) => void, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const forward = (chunk: Buffer) => chunk.toString().split('\n').filter(Boolean).forEach(onLine);
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.on('error', (error) =>
      reject(new UserFacingError(`${what}: ${error.message}.`, 'Install Python 3.9+ with venv (Debian: apt-get install python3-venv) or set LUIGI_SPANNER_BASE_PYTHON.', 'NO_PYTHON')),
    );
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new UserFacingError(`${what} (exit ${code}).`, 'Check the output above; set LUIGI_SPANNER_PYTHON to an interpreter that has luigi and google-cloud-spanner.', 'NO_PYTHON')),
    );
  });
}
