// The user's cache folder for this tool: one place for where caches live (the graph facts, the
// layout cache, the language server's compiled code). Per user, never a shared temporary folder:
// what is read back from a cache (compiled code above all) must be the user's own.
import os from 'node:os';
import path from 'node:path';

/** `$LUIGI_SPANNER_CACHE_DIR`, else `$XDG_CACHE_HOME/luigi-spanner`, else `~/.cache/luigi-spanner`. */
export function defaultCacheFolder(): string {
  if (process.env.LUIGI_SPANNER_CACHE_DIR) return process.env.LUIGI_SPANNER_CACHE_DIR;
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'luigi-spanner');
}
