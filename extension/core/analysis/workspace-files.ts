// The disk side of the index: finds the .py files of a workspace, reads them safely and feeds
// them to a WorkspaceIndex. Binary, huge and non-UTF-8 files are skipped with a diagnostic.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { UserFacingError } from '../errors';
import type { ModuleFacts } from './module-facts';
import { WorkspaceIndex } from './workspace-index';

/** Folders never searched for pipeline code. */
const SKIPPED_FOLDERS = new Set(['node_modules', '__pycache__', 'site-packages', 'venv', 'env']);
/** Larger files are generated or data, not pipeline code. */
export const MAX_FILE_BYTES = 2 * 1024 * 1024;

export type SourceRead = { text: string } | { skipped: string };

/** Reads a Python file as UTF-8 text, or says why it is skipped. */
export function readPythonSource(file: string): SourceRead {
  const size = statSync(file).size;
  if (size > MAX_FILE_BYTES) {
    return { skipped: `Skipped: ${(size / 1024 / 1024).toFixed(1)} MB is larger than the ${MAX_FILE_BYTES / 1024 / 1024} MB analysed per file` };
  }
  const bytes = readFileSync(file);
  if (bytes.subarray(0, 8192).includes(0)) return { skipped: 'Skipped: binary file (contains NUL bytes)' };
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
  } catch {
    return { skipped: 'Skipped: not valid UTF-8 (re-save the file as UTF-8 to analyse it)' };
  }
}

function skipFolder(folder: string, name: string): boolean {
  if (name.startsWith('.') || SKIPPED_FOLDERS.has(name)) return true;
  // Any virtual environment, whatever its name.
  try {
    statSync(path.join(folder, name, 'pyvenv.cfg'));
    return true;
  } catch {
    return false;
  }
}

/** Every .py file under `start` (a file or a folder), absolute paths, sorted. */
export function findPythonFiles(start: string): string[] {
  const stat = statSync(start);
  if (stat.isFile()) return start.endsWith('.py') ? [start] : [];
  const found: string[] = [];
  const pending = [start];
  while (pending.length > 0) {
    const folder = pending.pop()!;
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      continue; // unreadable folder: nothing to analyse there
    }
    for (const entry of entries) {
      if (entry.isDirectory()) {
        if (!skipFolder(folder, entry.name)) pending.push(path.join(folder, entry.name));
      } else if (entry.isFile() && entry.name.endsWith('.py')) found.push(path.join(folder, entry.name));
    }
  }
  return found.sort();
}

export interface IndexWorkspaceOptions {
  /** Files or folders to analyse, absolute or relative to `root`; default: the root. */
  paths?: string[];
  /**
   * Also index workspace modules that the analysed files import from outside `paths`
   * (so `graph pipeline.py` still resolves its upstream tasks). Default true.
   */
  followImports?: boolean;
  /** Index to fill; default a new one rooted at `root`. */
  index?: WorkspaceIndex;
}

export interface IndexedWorkspace {
  index: WorkspaceIndex;
  /** Root-relative paths of the files read. */
  files: string[];
}

/** Walks `root` (or `paths` under it), reads every .py file and indexes it. */
export function indexWorkspace(root: string, options: IndexWorkspaceOptions = {}): IndexedWorkspace {
  const absoluteRoot = path.resolve(root);
  if (!existsFolder(absoluteRoot)) {
    throw new UserFacingError(`Root folder ${absoluteRoot} does not exist`, 'Pass an existing folder with --root, or run from the workspace folder.');
  }
  const index = options.index ?? new WorkspaceIndex({ root: absoluteRoot });
  const starts = (options.paths?.length ? options.paths : [absoluteRoot]).map((p) => path.resolve(absoluteRoot, p));
  const files = new Set<string>();
  const add = (absolute: string) => {
    const relative = toRelative(absoluteRoot, absolute);
    if (files.has(relative)) return;
    files.add(relative);
    const source = readPythonSource(absolute);
    if ('skipped' in source) index.markSkipped(relative, source.skipped);
    else index.setFile(relative, source.text);
  };
  for (const start of starts) {
    if (!exists(start)) throw new UserFacingError(`Path ${start} does not exist`, 'Check the path; paths are relative to the current folder.');
    const relative = path.relative(absoluteRoot, start);
    if (relative.startsWith('..') || path.isAbsolute(relative)) {
      throw new UserFacingError(`Path ${start} is outside the root ${absoluteRoot}`, 'Pass a --root that contains every analysed path.');
    }
    for (const file of findPythonFiles(start)) add(file);
  }
  // Following imports only matters when part of the root was left out.
  if ((options.followImports ?? true) && !starts.includes(absoluteRoot)) {
    let pending = [...files];
    while (pending.length > 0) {
      const before = files.size;
      for (const file of pending) {
        const facts = index.facts(file);
        if (!facts) continue;
        for (const candidate of importCandidates(file, facts)) {
          const absolute = path.join(absoluteRoot, candidate);
          if (!files.has(candidate) && isFile(absolute)) add(absolute);
        }
      }
      pending = [...files].slice(before);
    }
  }
  return { index, files: [...files].sort() };
}

/** Root-relative files an import could be read from: the module, its packages, submodules. */
function importCandidates(file: string, facts: ModuleFacts): string[] {
  const candidates: string[] = [];
  const folder = path.posix.dirname(file) === '.' ? '' : path.posix.dirname(file);
  const allImports = [...facts.imports, ...facts.classes.flatMap((c) => c.methods.flatMap((m) => m.imports))];
  for (const binding of allImports) {
    const parts = binding.module ? binding.module.split('.') : [];
    if (binding.name && binding.name !== '*') parts.push(binding.name);
    let bases: string[];
    if (binding.level > 0) {
      let base = folder;
      for (let i = 1; i < binding.level; i++) base = path.posix.dirname(base) === '.' ? '' : path.posix.dirname(base);
      bases = [base];
    } else {
      // The importing file's folder and every folder above it, up to the root.
      bases = [];
      for (let f = folder; ; f = path.posix.dirname(f) === '.' ? '' : path.posix.dirname(f)) {
        bases.push(f);
        if (f === '') break;
      }
    }
    for (const base of bases) {
      for (let i = 1; i <= parts.length; i++) {
        const module = path.posix.join(base, ...parts.slice(0, i));
        candidates.push(`${module}.py`, `${module}/__init__.py`);
      }
      if (binding.level > 0) candidates.push(path.posix.join(base, '__init__.py'));
    }
  }
  return candidates.filter((c) => !c.startsWith('..') && !c.split('/').some((segment) => segment.startsWith('.') && segment !== '.'));
}

function toRelative(root: string, absolute: string): string {
  return path.relative(root, absolute).split(path.sep).join('/');
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

function existsFolder(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
