// A disk cache of per-file facts, keyed by the file's content hash, so that running
// `luigi-spanner graph` again parses only the files that changed (as Python keeps bytecode in
// __pycache__). One JSON file per workspace root under the user's cache folder; a cache that
// cannot be read or written is ignored, never an error.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FACTS_FORMAT, type ModuleFacts } from './module-facts';
import { defaultCacheFolder } from '../../shared/cacheFolder';

interface CacheFile {
  format: number;
  /** Root-relative path -> content hash and facts. */
  entries: Record<string, { hash: string; facts: ModuleFacts }>;
}

export { defaultCacheFolder } from '../../shared/cacheFolder';

export function contentHash(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex');
}

export class FactsCache {
  /** Lookups answered and not answered in this run. */
  readonly stats = { hits: 0, misses: 0 };
  private changed = false;

  private constructor(
    readonly root: string,
    readonly file: string,
    private readonly entries: CacheFile['entries'],
  ) {}

  /** The cache of the workspace at `root` (empty when there is none yet or it is unreadable). */
  static open(root: string, folder = defaultCacheFolder()): FactsCache {
    const file = path.join(folder, `graph-facts-${createHash('sha1').update(path.resolve(root)).digest('hex').slice(0, 16)}.json`);
    let entries: CacheFile['entries'] = {};
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
      if (parsed.format === FACTS_FORMAT && parsed.entries && typeof parsed.entries === 'object') entries = parsed.entries;
    } catch {
      // missing or damaged: start empty
    }
    return new FactsCache(path.resolve(root), file, entries);
  }

  get(key: string, hash: string): ModuleFacts | undefined {
    const entry = this.entries[key];
    if (entry?.hash !== hash) {
      this.stats.misses++;
      return undefined;
    }
    this.stats.hits++;
    return entry.facts;
  }

  set(key: string, hash: string, facts: ModuleFacts): void {
    this.entries[key] = { hash, facts };
    this.changed = true;
  }

  /** Writes the cache if anything changed, without the entries of files that no longer exist. */
  save(): void {
    if (!this.changed) return;
    for (const key of Object.keys(this.entries)) if (!existsSync(path.join(this.root, key))) delete this.entries[key];
    const content: CacheFile = { format: FACTS_FORMAT, entries: this.entries };
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      const temporary = `${this.file}.${process.pid}.tmp`;
      writeFileSync(temporary, JSON.stringify(content));
      renameSync(temporary, this.file); // atomic: a concurrent reader sees the old or the new file
      this.changed = false;
    } catch {
      // read-only home, full disk: the next run parses again
    }
  }
}
