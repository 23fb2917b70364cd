// The graph view's layouts, computed in the language server where ELK stays warm (a worker
// thread, layoutWorker.ts) and early: right after a folder's index settles, and again shortly
// after each graph change, the graphs a user is likely to open are laid out speculatively (the
// workspace as a new panel shows it, and the scope of the files last opened or edited). Results
// are kept by structure key (components.ts) in memory and in the layout cache folder the editor
// shares (fileCache.ts), so a new graph panel receives positions instead of running ELK.
// Knows nothing of LSP: server.ts wires it to `luigiSpanner/graphLayout`.
import type { GraphJson } from '../core/analysis/types';
import type { LayoutJobSpec } from '../core/graphLayout/elk';
import { FileLayoutCache } from '../core/graphLayout/fileCache';
import { layoutGraph, MemoryLayoutCache, type LayoutCache, type LayoutRunner } from '../core/graphLayout/layout';
import type { ComponentLayout } from '../core/graphLayout/types';
import { buildVisibleGraph, indexGraph } from '../core/graphLayout/viewModel';
import type { GraphScope, LayoutDirection } from '../shared/protocol';
import { LayoutMemoryError } from './layoutWorker';

export interface LayoutServiceOptions {
  runner: LayoutRunner;
  /** The layout cache folder shared with the editor (initializationOptions.layoutCacheDirectory). */
  cacheDirectory?: string;
  log?: (message: string) => void;
  /** Quiet time after a graph change before speculating again (default 250 ms). */
  debounceMs?: number;
}

/** How long a lookup waits for keys that a running speculative layout will produce. */
const INFLIGHT_WAIT_MS = 10_000;
/** File scopes laid out besides the workspace: the last few files opened or edited. */
const RECENT_FILES = 2;

export class LayoutService {
  private readonly memory = new MemoryLayoutCache();
  private readonly disk: FileLayoutCache | undefined;
  /** Component keys an ELK job is computing now -> resolves when it is done (either way). */
  private readonly inflight = new Map<string, Promise<unknown>>();
  /**
   * Component keys whose job ran the worker out of its heap: refused at once afterwards, so a graph
   * too large for the server is not retried on every change (the graph view lays it out itself).
   */
  private readonly tooLarge = new Set<string>();
  private readonly cache: LayoutCache;
  private readonly runner: LayoutRunner;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private generation = 0;
  private running: Promise<void> = Promise.resolve();
  private readonly recent: string[] = [];
  private direction: LayoutDirection = 'RIGHT';
  private disposed = false;
  /** The graph of the last `schedule`, read again when a newly opened file adds a scope. */
  private source: (() => GraphJson) | undefined;

  constructor(private readonly options: LayoutServiceOptions) {
    this.disk = options.cacheDirectory ? new FileLayoutCache(options.cacheDirectory) : undefined;
    this.cache = {
      get: async (keys) => {
        const found = this.memory.get(keys);
        const missing = keys.filter((k) => !this.memory.has(k));
        if (missing.length === 0 || !this.disk) return found;
        const fromDisk = await this.disk.get(missing);
        this.memory.put(fromDisk);
        return [...found, ...fromDisk];
      },
      put: (entries) => {
        this.memory.put(entries);
        this.disk?.put(entries);
      },
    };
    // Records which keys each ELK job computes, so lookups can wait for them instead of missing.
    this.runner = {
      run: (jobs) => {
        const keys = jobs.flatMap((job) => job.components.map((c) => c.key));
        if (keys.some((key) => this.tooLarge.has(key))) {
          return Promise.reject(new LayoutMemoryError('the graph is too large for the language server to lay out (it ran out of memory before); the graph view lays it out'));
        }
        const result = options.runner.run(jobs);
        const settled = result.catch((error: unknown) => {
          if (error instanceof LayoutMemoryError) for (const key of keys) this.tooLarge.add(key);
        });
        for (const key of keys) this.inflight.set(key, settled);
        void settled.then(() => {
          for (const key of keys) if (this.inflight.get(key) === settled) this.inflight.delete(key);
        });
        return result;
      },
    };
  }

  /** The direction new panels lay out in (the editor's luigiSpanner.graph.direction). */
  setDirection(direction: LayoutDirection): void {
    this.direction = direction;
  }

  /** A file was opened or edited: its scope is likely to be asked for next (laid out soon if new). */
  noteFile(file: string): void {
    if (this.recent[0] === file) return;
    const at = this.recent.indexOf(file);
    if (at >= 0) this.recent.splice(at, 1);
    this.recent.unshift(file);
    this.recent.length = Math.min(this.recent.length, RECENT_FILES);
    if (this.source) this.schedule(this.source);
  }

  /** Speculates on `graph()` after a quiet time (0: now); a newer call supersedes a waiting one. */
  schedule(graph: () => GraphJson, delayMs = this.options.debounceMs ?? 250): void {
    this.source = graph;
    clearTimeout(this.timer);
    const generation = ++this.generation;
    this.timer = setTimeout(() => {
      this.running = this.running.then(() => (generation === this.generation && !this.disposed ? this.speculate(graph(), generation) : undefined));
    }, delayMs);
  }

  /**
   * Resolves once the speculation running or scheduled now is done, or after `maxMs` (a client's
   * prefetch after a graph change: `afterAhead`; tests, benchmarks). Edits that keep coming keep it
   * waiting, hence the bound.
   */
  async idle(maxMs = Infinity): Promise<void> {
    const deadline = performance.now() + maxMs;
    for (let seen = -1; seen !== this.generation && performance.now() < deadline; ) {
      seen = this.generation;
      await new Promise((resolve) => setTimeout(resolve, (this.options.debounceMs ?? 250) + 5));
      if (maxMs === Infinity) await this.running;
      else await Promise.race([this.running, new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - performance.now())))]);
    }
  }

  private async speculate(graph: GraphJson, generation: number): Promise<void> {
    const started = performance.now();
    const index = indexGraph(graph);
    const scopes: GraphScope[] = [{ kind: 'workspace' }];
    for (const file of this.recent) if (graph.tasks.some((t) => t.file === file)) scopes.push({ kind: 'file', file });
    let computed = 0;
    for (const scope of scopes) {
      if (generation !== this.generation || this.disposed) return;
      // The view a new panel starts with: no focus, no collapsed module, families grouped.
      const visible = buildVisibleGraph(index, { scope });
      if (visible.nodes.length === 0) continue;
      try {
        const { stats } = await layoutGraph(visible, this.direction, { runner: this.runner, cache: this.cache });
        computed += stats.computedComponents;
      } catch (error) {
        this.options.log?.(`speculative layout failed: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
    }
    if (computed > 0) this.options.log?.(`laid out ${computed} graph components ahead of the graph view in ${(performance.now() - started).toFixed(0)} ms`);
  }

  /** Layouts held for `keys` (waiting for those being computed), and `jobs` laid out on the warm ELK. */
  async lookup(keys: readonly string[], jobs: readonly LayoutJobSpec[] = []): Promise<{ entries: ComponentLayout[]; layouts?: ComponentLayout[][] }> {
    const waits = [...new Set(keys.map((k) => this.inflight.get(k)).filter((p): p is Promise<unknown> => p !== undefined))];
    if (waits.length > 0) await Promise.race([Promise.all(waits), new Promise((resolve) => setTimeout(resolve, INFLIGHT_WAIT_MS))]);
    const entries = await this.cache.get(keys);
    if (jobs.length === 0) return { entries };
    const layouts = await this.runner.run(jobs);
    this.cache.put(layouts.flat());
    return { entries, layouts };
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
  }
}
