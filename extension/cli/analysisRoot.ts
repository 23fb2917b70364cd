// The root of the analysis commands (lint, graph) when --root is not given. Its own module so the
// lint and graph bundles do not load the emulator settings that options.ts brings.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { WORKSPACE_CONFIG_FILE } from '../core/workspaceConfig';

/**
 * The folder the analysis commands (lint, graph) report paths relative to. `--root` when given;
 * otherwise the current folder when it holds every path, as before. Paths elsewhere
 * (`luigi-spanner lint ../other-project`) get their own workspace: the nearest folder above them
 * with a luigi-spanner.json, or else the deepest folder that holds them all, so a project is
 * linted from anywhere with its own settings, as ruff and eslint allow, instead of failing.
 */
export function analysisRoot(paths: string[], root: string | undefined, cwd: string = process.cwd()): string {
  if (root !== undefined) return path.resolve(root);
  const absolute = paths.map((p) => path.resolve(cwd, p));
  const inside = (dir: string, p: string) => {
    const relative = path.relative(dir, p);
    return !relative.startsWith('..') && !path.isAbsolute(relative);
  };
  if (absolute.every((p) => inside(cwd, p))) return path.resolve(cwd);
  const folders = absolute.map((p) => (isFolder(p) ? p : path.dirname(p)));
  let common = folders[0]!;
  while (!folders.every((f) => inside(common, f))) common = path.dirname(common);
  for (let dir = common; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, WORKSPACE_CONFIG_FILE))) return dir;
    if (path.dirname(dir) === dir) return common;
  }
}

function isFolder(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
