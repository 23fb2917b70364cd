// Component layouts kept on disk (one JSON file per structure hash), so a graph seen before
// opens without running ELK, across restarts. Used by the extension host (globalStorage) and
// available to the CLI. Bounded: the least recently used files beyond `maxEntries` go.
import { mkdir, readdir, readFile, rm, stat, utimes, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { LayoutCache } from './layout';
import { componentLayoutSchema } from './schema';
import type { ComponentLayout } from './types';

export class FileLayoutCache implements LayoutCache {
  private writes: Promise<unknown> = Promise.resolve();
  private writesSinceTrim = 0;

  constructor(
    readonly directory: string,
    private readonly maxEntries = 2000,
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  private file(key: string): string {
    return path.join(this.directory, `${key}.json`);
  }

  async get(keys: readonly string[]): Promise<ComponentLayout[]> {
    const found = await Promise.all(keys.map((key) => this.read(key)));
    return found.filter((entry): entry is ComponentLayout => entry !== undefined);
  }

  private async read(key: string): Promise<ComponentLayout | undefined> {
    if (!/^[0-9a-f]{28}$/.test(key)) return undefined;
    const file = this.file(key);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return undefined;
    }
    const parsed = componentLayoutSchema.safeParse(safeJson(text));
    if (!parsed.success || parsed.data.key !== key) {
      // A damaged or foreign file: drop it so it is recomputed and rewritten.
      await rm(file, { force: true });
      return undefined;
    }
    // Touch it: the access time decides what is trimmed first.
    const now = new Date();
    await utimes(file, now, now).catch(() => undefined);
    return parsed.data;
  }

  put(entries: readonly ComponentLayout[]): void {
    const batch = [...entries];
    this.writes = this.writes.then(() => this.write(batch)).catch(() => undefined);
  }

  /** Resolves when every `put` so far is on disk. */
  flush(): Promise<void> {
    return this.writes.then(() => undefined);
  }

  private async write(entries: readonly ComponentLayout[]): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    for (const entry of entries) {
      if (!/^[0-9a-f]{28}$/.test(entry.key)) continue;
      // Write then rename: a crash mid-write never leaves a half file under the final name.
      const temporary = `${this.file(entry.key)}.${process.pid}.tmp`;
      await writeFile(temporary, JSON.stringify(entry));
      await rename(temporary, this.file(entry.key));
    }
    this.writesSinceTrim += entries.length;
    if (this.writesSinceTrim >= 50) {
      this.writesSinceTrim = 0;
      await this.trim();
    }
  }

  /** Deletes the least recently used entries beyond `maxEntries` or `maxBytes`. */
  async trim(): Promise<void> {
    const names = (await readdir(this.directory).catch(() => [] as string[])).filter((name) => name.endsWith('.json'));
    const files = await Promise.all(
      names.map(async (name) => {
        const info = await stat(path.join(this.directory, name)).catch(() => undefined);
        return { name, time: info?.mtimeMs ?? 0, size: info?.size ?? 0 };
      }),
    );
    files.sort((a, b) => a.time - b.time);
    let count = files.length;
    let bytes = files.reduce((sum, f) => sum + f.size, 0);
    const doomed: string[] = [];
    for (const file of files) {
      if (count <= this.maxEntries && bytes <= this.maxBytes) break;
      doomed.push(file.name);
      count--;
      bytes -= file.size;
    }
    await Promise.all(doomed.map((name) => rm(path.join(this.directory, name), { force: true })));
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
