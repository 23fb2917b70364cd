// Loads a CommonJS bundle of this extension (dist/features.js) with V8's code cache, the way Node's
// own compile cache does for the language server (languageClient.ts): compiling its 250 KB took
// 47-64 ms of the extension host's thread in one task at start-up (code-server bench, host profile),
// the longest task of ours. With the code kept from a previous window, it takes a few milliseconds.
// Not Node's module.enableCompileCache(): that would change how every other extension in the host
// loads its code. The cache entry is named by the source's hash; V8 rejects data made by another V8
// or other flags (then the bundle compiles as without a cache, and the entry is written again).
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { Script } from 'node:vm';

/** What loadWithCodeCache did, for the log. */
export interface CodeCacheResult<T> {
  exports: T;
  /** 'used': compiled from the cache; 'missing' or 'rejected': compiled from source (the cache is written later by `save`). */
  cache: 'used' | 'missing' | 'rejected';
  /** Writes the code compiled so far (call once the bundle has run its start-up: lazily compiled functions are in then). */
  save: () => void;
}

/**
 * Runs `file` (a CommonJS bundle) as require() would, compiled with the code cache kept in
 * `cacheFolder`. `require` inside it resolves from the bundle's own folder (so `vscode` is the
 * extension host's API object for this extension, as for a plain require()).
 */
export function loadWithCodeCache<T>(file: string, cacheFolder: string): CodeCacheResult<T> {
  const source = readFileSync(file, 'utf8');
  const hash = createHash('sha256').update(source).update(process.version).digest('hex').slice(0, 16);
  const name = path.basename(file, '.js');
  const cacheFile = path.join(cacheFolder, `${name}-${hash}.bin`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new Script(Module.wrap(source), { filename: file, ...(cachedData ? { cachedData } : {}) });
  const cache = !cachedData ? 'missing' : script.cachedDataRejected ? 'rejected' : 'used';
  const module = { exports: {} as T, filename: file, id: file, loaded: false };
  const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
  run.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  module.loaded = true;
  return {
    exports: module.exports,
    cache,
    save() {
      if (cache === 'used') return;
      // Written aside and renamed: two windows starting at once never read half a file.
      const partial = `${cacheFile}.${process.pid}.tmp`;
      mkdirSync(cacheFolder, { recursive: true });
      writeFileSync(partial, script.createCachedData());
      renameSync(partial, cacheFile);
      // Entries of earlier versions of the bundle are never read again.
      for (const entry of readdirSync(cacheFolder)) {
        if (entry.startsWith(`${name}-`) && entry.endsWith('.bin') && entry !== path.basename(cacheFile)) rmSync(path.join(cacheFolder, entry), { force: true });
      }
    },
  };
}
