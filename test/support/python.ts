// The venv's real Python for tests (created by scripts/setup.sh, with the luigi-spanner wheel installed).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
const PACKAGE_SOURCES = path.join(REPO_ROOT, 'extension', 'python', 'luigi_spanner');

let checked = false;

export function testPython(): string {
  const python = process.env.LUIGI_SPANNER_PYTHON ?? path.join(REPO_ROOT, '.venv', 'bin', 'python');
  if (!existsSync(python)) throw new Error(`No Python at ${python}: run npm run setup (or set LUIGI_SPANNER_PYTHON).`);
  if (!checked && !process.env.LUIGI_SPANNER_PYTHON) assertInstalledPackageCurrent();
  checked = true;
  return python;
}

/** The runs use the wheel installed in .venv, not the sources: after an edit they must be reinstalled. */
function assertInstalledPackageCurrent(): void {
  const lib = path.join(REPO_ROOT, '.venv', 'lib');
  const site = readdirSync(lib).map((v) => path.join(lib, v, 'site-packages', 'luigi_spanner')).find(existsSync);
  const stale: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const source = path.join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== '__pycache__') walk(source);
      else if (entry.name.endsWith('.py')) {
        const installed = site && path.join(site, path.relative(PACKAGE_SOURCES, source));
        if (!installed || !existsSync(installed) || readFileSync(installed, 'utf8') !== readFileSync(source, 'utf8')) stale.push(path.relative(REPO_ROOT, source));
      }
    }
  };
  walk(PACKAGE_SOURCES);
  if (stale.length) throw new Error(`.venv holds an older luigi-spanner than the sources (${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ', ...' : ''}). Fix: bash scripts/setup.sh (rebuilds and reinstalls the wheel).`);
}
