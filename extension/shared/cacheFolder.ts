// The user's cache folder for this tool: one place for where caches live (the managed venv, the
// graph facts, the compiled code of the language server and of the extension's features bundle). Per user, never a shared temporary folder:
// what is read back from a cache (compiled code above all) must be the user's own.
import os from 'node:os';
import path from 'node:path';

/** `$LUIGI_SPANNER_CACHE_DIR`, else `$XDG_CACHE_HOME/luigi-spanner`, else `~/.cache/luigi-spanner`. */
export function defaultCacheFolder(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LUIGI_SPANNER_CACHE_DIR) return env.LUIGI_SPANNER_CACHE_DIR;
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'luigi-spanner');
}
