// Builds the luigi-spanner wheel (extension/python) into dist/python with pip, no dependencies:
// the file the managed venv installs (core/python/interpreter.ts), the vsix ships, and users
// install into their own interpreters. Python: $LUIGI_SPANNER_BASE_PYTHON, else the repo's .venv,
// else python3. With flit_core in that interpreter (the pinned requirements have it) nothing is
// downloaded; without it pip fetches the build backend pyproject.toml names.
//   node scripts/build-wheel.mjs      prints the wheel's path
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const WHEEL_DIR = path.join(root, 'dist', 'python');

function buildPython() {
  if (process.env.LUIGI_SPANNER_BASE_PYTHON) return process.env.LUIGI_SPANNER_BASE_PYTHON;
  const venv = path.join(root, '.venv', process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python');
  return existsSync(venv) ? venv : 'python3';
}

export function buildWheel(python = buildPython()) {
  rmSync(WHEEL_DIR, { recursive: true, force: true });
  mkdirSync(WHEEL_DIR, { recursive: true });
  let isolated = true;
  try {
    execFileSync(python, ['-c', 'import flit_core'], { stdio: 'ignore' });
    isolated = false;
  } catch {
    // pip fetches flit_core into an isolated build environment
  }
  const args = ['-m', 'pip', 'wheel', '--no-deps', '--disable-pip-version-check', '-q', '-w', WHEEL_DIR, ...(isolated ? [] : ['--no-build-isolation']), path.join(root, 'extension', 'python')];
  try {
    execFileSync(python, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = String(error.stderr ?? error.message).trim();
    throw new Error(`Building the luigi-spanner wheel with ${python} failed:\n${stderr}\nFix: run bash scripts/setup.sh (it makes .venv with pip and flit_core), or set LUIGI_SPANNER_BASE_PYTHON to a Python 3.10+ with pip.`);
  }
  const wheels = readdirSync(WHEEL_DIR).filter((f) => f.endsWith('.whl'));
  if (wheels.length !== 1) throw new Error(`Expected one wheel in ${WHEEL_DIR}, found: ${wheels.join(', ') || 'none'}.`);
  return path.join(WHEEL_DIR, wheels[0]);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    console.log(buildWheel());
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
