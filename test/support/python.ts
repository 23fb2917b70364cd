// The venv's real Python for tests (created by scripts/setup.sh).
import { existsSync } from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export function testPython(): string {
  const python = process.env.LUIGI_SPANNER_PYTHON ?? path.join(REPO_ROOT, '.venv', 'bin', 'python');
  if (!existsSync(python)) throw new Error(`No Python at ${python}: run npm run setup (or set LUIGI_SPANNER_PYTHON).`);
  return python;
}
