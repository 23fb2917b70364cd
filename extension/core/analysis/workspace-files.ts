// The disk side of the index: finds the .py files of a workspace, reads them and feeds them to
// a WorkspaceIndex, on the main thread or spread over worker threads.
import { statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { UserFacingError } from '../errors';
import { isolated } from './analysis-failure';
import { contentHash, type FactsCache } from './facts-cache';
import { type FactsRequest, type FactsResponse, type FileFacts } from './facts-worker';
import { extractModuleFacts, type ModuleFacts } from './module-facts';
import { decodePython, findPythonFiles, readPythonBytes } from './source-files';
import { WorkspaceIndex } from './workspace-index';

export { findPythonFiles, MAX_FILE_BYTES, readPythonSource, type SourceRead } from './source-files';

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
  /** For a new index: keep texts and trees for later edits (default true; the CLI needs none). */
  keepTrees?: boolean;
  /** Facts of unchanged files are taken from here, new ones stored (and saved at the end). */
  cache?: FactsCache;
}

export interface ParallelIndexOptions extends IndexWorkspaceOptions {
  /**
   * Starts a worker thread serving facts requests: a Worker on a script containing
   * facts-worker.ts, with `workerData: FACTS_WORKER_DATA`. Without it everything runs here.
   */
  startWorker?: () => Worker;
  /** Worker threads besides this one (default: available cores - 1, at most 3). */
  workers?: number;
  /** Below this many bytes of Python the work stays on this thread (default 1 MB). */
  parallelFromBytes?: number;
}

export interface IndexedWorkspace {
  index: WorkspaceIndex;
  /** Root-relative paths of the files read. */
  files: string[];
}

interface Plan {
  root: string;
  index: WorkspaceIndex;
  /** Root-relative key -> absolute path, in order. */
  files: Map<string, string>;
  followImports: boolean;
  keepTrees: boolean;
  cache?: FactsCache;
}

/** Walks `root` (or `paths` under it), reads every .py file and indexes it, on this thread. */
export function indexWorkspace(root: string, options: IndexWorkspaceOptions = {}): IndexedWorkspace {
  const plan = planIndex(root, options);
  for (const [key, absolute] of plan.files) addSource(plan, key, absolute);
  followImports(plan);
  plan.cache?.save();
  return { index: plan.index, files: [...plan.files.keys()].sort() };
}

/**
 * Same as indexWorkspace, but large workspaces are read and parsed on worker threads as well
 * as this one. Files parsed elsewhere keep no tree: their first edit is parsed in full.
 */
export async function indexWorkspaceParallel(root: string, options: ParallelIndexOptions = {}): Promise<IndexedWorkspace> {
  const plan = planIndex(root, options);
  // Files whose facts are cached need no parsing anywhere.
  const toParse: Array<{ key: string; absolute: string; bytes: Buffer; hash?: string }> = [];
  for (const [key, absolute] of plan.files) {
    const read = readBytes(absolute);
    if ('skipped' in read) {
      plan.index.markSkipped(key, read.skipped);
      continue;
    }
    const hash = plan.cache ? contentHash(read.bytes) : undefined;
    const cached = hash === undefined ? undefined : plan.cache!.get(key, hash);
    if (cached) plan.index.setFacts(key, cached);
    else toParse.push({ key, absolute, bytes: read.bytes, ...(hash ? { hash } : {}) });
  }
  const totalBytes = toParse.reduce((sum, e) => sum + e.bytes.length, 0);
  const threads = Math.max(0, Math.min(options.workers ?? defaultWorkers(), toParse.length - 1));
  if (!options.startWorker || threads === 0 || totalBytes < (options.parallelFromBytes ?? 1024 * 1024)) {
    for (const { key, bytes, hash } of toParse) parseInto(plan, key, bytes, hash);
  } else {
    // Biggest files first, each to the least loaded share; share 0 is this thread's.
    const shares = Array.from({ length: threads + 1 }, () => ({ bytes: 0, files: [] as typeof toParse }));
    for (const entry of [...toParse].sort((a, b) => b.bytes.length - a.bytes.length)) {
      const share = shares.reduce((least, s) => (s.bytes < least.bytes ? s : least));
      share.bytes += entry.bytes.length;
      share.files.push(entry);
    }
    const hashes = new Map(toParse.map((e) => [e.key, e.hash]));
    const workers = shares.slice(1).map(() => options.startWorker!());
    try {
      // A worker that dies (out of memory, a crash in the runtime) loses no file: its share is
      // parsed here instead, each file on its own.
      const pending = workers.map((worker, i) =>
        askWorker(worker, { files: shares[i + 1]!.files.map(({ key, absolute }) => ({ key, absolute })) }).catch(() => undefined),
      );
      for (const { key, bytes, hash } of shares[0]!.files) parseInto(plan, key, bytes, hash);
      const answers = await Promise.all(pending);
      answers.forEach((results, i) => {
        if (!results) {
          for (const { key, bytes, hash } of shares[i + 1]!.files) parseInto(plan, key, bytes, hash);
          return;
        }
        for (const result of results) {
          if ('skipped' in result) plan.index.markSkipped(result.key, result.skipped);
          else if ('failed' in result) plan.index.markFailed(result.key, result.failed);
          else {
            plan.index.setFacts(result.key, result.facts);
            const hash = hashes.get(result.key);
            if (hash) plan.cache?.set(result.key, hash, result.facts);
          }
        }
      });
    } finally {
      await Promise.all(workers.map((worker) => worker.terminate()));
    }
  }
  followImports(plan);
  plan.cache?.save();
  return { index: plan.index, files: [...plan.files.keys()].sort() };
}

function defaultWorkers(): number {
  return Math.min(3, Math.max(0, os.availableParallelism() - 1));
}

function askWorker(worker: Worker, request: FactsRequest): Promise<FileFacts[]> {
  return new Promise((resolve, reject) => {
    worker.once('message', (response: FactsResponse) => resolve(response.results));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`analysis worker exited with code ${code} before answering`)));
    worker.postMessage(request);
  });
}

/** Reads one file into the index: from the cache, parsed with its tree kept, or facts only. */
function addSource(plan: Plan, key: string, absolute: string): void {
  const { index, cache } = plan;
  const read = readBytes(absolute);
  if ('skipped' in read) {
    index.markSkipped(key, read.skipped);
    return;
  }
  const hash = cache ? contentHash(read.bytes) : undefined;
  const cached = hash === undefined ? undefined : cache!.get(key, hash);
  if (cached) index.setFacts(key, cached);
  else parseInto(plan, key, read.bytes, hash);
}

/** Parses one file's bytes into the index (and the cache, given the content hash). */
function parseInto(plan: Plan, key: string, bytes: Buffer, hash: string | undefined): void {
  const { index, cache } = plan;
  const source = decodePython(bytes);
  if ('skipped' in source) {
    index.markSkipped(key, source.skipped);
    return;
  }
  if (plan.keepTrees) {
    // setFile records a failed analysis itself.
    const facts = index.setFile(key, source.text);
    if (hash && index.has(key)) cache?.set(key, hash, facts);
    return;
  }
  const analysed = isolated(() => extractModuleFacts(source.text));
  if ('failed' in analysed) {
    index.markFailed(key, analysed.failed);
    return;
  }
  index.setFacts(key, analysed.value);
  if (hash) cache?.set(key, hash, analysed.value);
}

/** The bytes of a file, or why not: a file removed or made unreadable since the walk is skipped, not fatal. */
function readBytes(absolute: string): ReturnType<typeof readPythonBytes> {
  try {
    return readPythonBytes(absolute);
  } catch (error) {
    return { skipped: `Skipped: could not be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  }
}

function planIndex(root: string, options: IndexWorkspaceOptions): Plan {
  const absoluteRoot = path.resolve(root);
  if (!isFolder(absoluteRoot)) {
    throw new UserFacingError(`Root folder ${absoluteRoot} does not exist`, 'Pass an existing folder with --root, or run from the workspace folder.');
  }
  const index = options.index ?? new WorkspaceIndex({ root: absoluteRoot, keepTrees: options.keepTrees ?? true });
  const starts = (options.paths?.length ? options.paths : [absoluteRoot]).map((p) => path.resolve(absoluteRoot, p));
  const files = new Map<string, string>();
  for (const start of starts) {
    if (!exists(start)) throw new UserFacingError(`Path ${start} does not exist`, 'Check the path; paths are relative to the current folder.');
    const relative = path.relative(absoluteRoot, start);
    if (relative.startsWith('..') || path.isAbsolute(relative)) {
      throw new UserFacingError(`Path ${start} is outside the root ${absoluteRoot}`, 'Pass a --root that contains every analysed path.');
    }
    for (const file of findPythonFiles(start)) files.set(toKey(absoluteRoot, file), file);
  }
  // Following imports only matters when part of the root was left out.
  const followImports = (options.followImports ?? true) && !starts.includes(absoluteRoot);
  return { root: absoluteRoot, index, files, followImports, keepTrees: options.keepTrees ?? true, ...(options.cache ? { cache: options.cache } : {}) };
}

/** Adds the workspace modules the indexed files import, until nothing new turns up. */
function followImports(plan: Plan): void {
  if (!plan.followImports) return;
  let pending = [...plan.files.keys()];
  while (pending.length > 0) {
    const found: string[] = [];
    for (const file of pending) {
      const facts = plan.index.facts(file);
      if (!facts) continue;
      for (const candidate of importCandidates(file, facts)) {
        if (plan.files.has(candidate)) continue;
        const absolute = path.join(plan.root, candidate);
        if (!isFile(absolute)) continue;
        plan.files.set(candidate, absolute);
        addSource(plan, candidate, absolute);
        found.push(candidate);
      }
    }
    pending = found;
  }
}

/** Root-relative files an import could be read from: the module, its packages, submodules. */
export function importCandidates(file: string, facts: ModuleFacts): string[] {
  const parent = (p: string) => (path.posix.dirname(p) === '.' ? '' : path.posix.dirname(p));
  const candidates: string[] = [];
  const folder = parent(file);
  const allImports = [...facts.imports, ...facts.classes.flatMap((c) => c.methods.flatMap((m) => m.imports))];
  for (const binding of allImports) {
    const module = binding.loads ?? binding.module;
    const parts = module ? module.split('.') : [];
    if (binding.name && binding.name !== '*') parts.push(binding.name);
    const bases: string[] = [];
    if (binding.level > 0) {
      let base = folder;
      for (let i = 1; i < binding.level; i++) base = parent(base);
      bases.push(base);
    } else {
      // The importing file's folder and every folder above it, up to the root.
      for (let f = folder; ; f = parent(f)) {
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
  return candidates.filter((c) => !c.startsWith('..') && !c.split('/').some((segment) => segment.startsWith('.')));
}

function toKey(root: string, absolute: string): string {
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

function isFolder(p: string): boolean {
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
