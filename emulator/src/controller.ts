// The editor's view of one emulator: state (stopped, starting, ready, error), the actions on it
// and its log lines. No `vscode` here: extension/vscode/emulator binds it to a status-bar item,
// a LogOutputChannel and commands, and the tests drive it directly.
//
// The one source of truth for "which emulator runs" is emulatorStatus() (lifecycle.ts): docker
// containers by their labels, binaries by their state files. The CLI, runs, Reproduce and chaos
// start and find emulators through it, so this controller never keeps its own belief: refresh()
// reads it, and watch() re-reads it every couple of seconds (a label-filtered container list over
// the Docker socket and a few small files: milliseconds) so an emulator started or stopped by
// another window, the CLI or a run shows here within that interval.
import { closeSync, existsSync, openSync, readSync, statSync, unwatchFile, watchFile } from 'node:fs';
import { describeError, UserFacingError } from '../../extension/core/errors';
import { binaryLogFile } from './binary';
import { dockerLogs } from './docker';
import { followContainerLogs, plainDockerTransport } from './dockerApi';
import { emulatorClientEnv } from './env';
import { emulatorStatus, ensureDatabase, resetEmulator, startEmulator, stopEmulators, type EnsureDatabaseResult } from './lifecycle';
import type { EmulatorSettings } from './settings';
import type { RunningEmulator } from './types';

export type EmulatorState = 'stopped' | 'starting' | 'ready' | 'error';

export interface EmulatorSnapshot {
  state: EmulatorState;
  running?: RunningEmulator;
  /** The database the settings name, as last provisioned. */
  database?: EnsureDatabaseResult;
  error?: { message: string; fix?: string };
  /** True when this controller started the emulator (it then stops it on dispose unless kept). */
  startedHere: boolean;
}

type Listener<T> = (value: T) => void;

/** An emulator this controller saw ready that went away without this controller stopping it. */
export interface EmulatorGone {
  emulator: RunningEmulator;
}

/** How often watch() re-reads the emulators that run, unless told otherwise. */
export const WATCH_INTERVAL_MS = 2_000;

export class EmulatorController {
  private snapshotValue: EmulatorSnapshot = { state: 'stopped', startedHere: false };
  private readonly changeListeners = new Set<Listener<EmulatorSnapshot>>();
  private readonly logListeners = new Set<Listener<string>>();
  private readonly goneListeners = new Set<Listener<EmulatorGone>>();
  /** Actions queued or running; watch() skips a tick while one is (it would race its transitions). */
  private busy = 0;
  private stopFollowing: (() => void) | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    /** Read on every action, so changed settings apply to the next one. */
    private readonly settings: () => EmulatorSettings,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  get snapshot(): EmulatorSnapshot {
    return this.snapshotValue;
  }

  onDidChange(listener: Listener<EmulatorSnapshot>): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** The emulator this controller showed as ready is gone (stopped elsewhere, crashed, Docker quit). */
  onDidGoAway(listener: Listener<EmulatorGone>): () => void {
    this.goneListeners.add(listener);
    return () => this.goneListeners.delete(listener);
  }

  /**
   * Re-reads the running emulators every `intervalMs` (skipping a tick while an action runs or the
   * previous read has not answered). Returns the function that stops watching.
   */
  watch(intervalMs = WATCH_INTERVAL_MS): () => void {
    let reading = false;
    const timer = setInterval(() => {
      if (reading || this.busy > 0) return;
      reading = true;
      void this.refresh()
        .catch(() => undefined)
        .finally(() => (reading = false));
    }, intervalMs);
    timer.unref?.();
    return () => clearInterval(timer);
  }

  /** Lines of the emulator's own log (container output or the binary's log file). */
  onLog(listener: Listener<string>): () => void {
    this.logListeners.add(listener);
    return () => this.logListeners.delete(listener);
  }

  /** The environment a pipeline process needs to reach the ready emulator's database. */
  connectionEnv(): Record<string, string> {
    const running = this.requireReady();
    const s = this.settings();
    return { ...emulatorClientEnv(running.host), GOOGLE_CLOUD_PROJECT: s.projectId, SPANNER_INSTANCE: s.instanceId, SPANNER_DATABASE: s.databaseId };
  }

  /** Finds an emulator that already runs (a CLI or an earlier window started it) without starting one. */
  refresh(): Promise<EmulatorSnapshot> {
    return this.serialize(async () => {
      const settings = this.settings();
      // The one of the settings' kind first; else whatever runs under the name (a chaos run's
      // fault-injecting emulator is still an emulator the status bar must not call stopped), as the CLI does.
      const running = settings.backend === 'external' ? [] : (await emulatorStatus(settings.name)).emulators;
      const found = running.find((e) => e.faultInjection === settings.faultInjection) ?? running[0];
      const before = this.snapshotValue;
      if (found) {
        // Unchanged: no event (watch() calls this every couple of seconds).
        if (before.state === 'ready' && before.running?.handle === found.handle) return before;
        const same = before.running?.handle === found.handle;
        this.update({ state: 'ready', running: found, ...(same && before.database ? { database: before.database } : {}), startedHere: before.startedHere && same });
        await this.follow(found);
      } else if (before.state !== 'error' && before.state !== 'stopped') {
        this.detach();
        this.update({ state: 'stopped', startedHere: false });
        if (before.state === 'ready' && before.running) for (const listener of this.goneListeners) listener({ emulator: before.running });
      }
      return this.snapshotValue;
    });
  }

  start(): Promise<EmulatorSnapshot> {
    return this.serialize(async () => {
      const settings = this.settings();
      this.update({ ...this.snapshotValue, state: 'starting', error: undefined });
      try {
        const running = await startEmulator(settings, this.env);
        if (running.notice) this.emitLog(running.notice);
        await this.follow(running);
        const database = await ensureDatabase(running, settings);
        this.update({ state: 'ready', running, database, startedHere: this.snapshotValue.startedHere || !running.reused });
      } catch (error) {
        this.fail(error);
      }
      return this.snapshotValue;
    });
  }

  /** Stops the emulators of the settings' name; `stopped` says which (none when nothing ran). */
  stop(): Promise<EmulatorSnapshot & { stopped: RunningEmulator[] }> {
    return this.serialize(async () => {
      this.detach();
      const { backend, name } = { backend: this.snapshotValue.running?.backend, name: this.settings().name };
      let stopped: RunningEmulator[] = [];
      // An external emulator is not ours to stop: just let go of it.
      if (backend !== 'external') {
        const running = (await emulatorStatus(name).catch(() => ({ emulators: [] as RunningEmulator[] }))).emulators;
        const handles = new Set(await stopEmulators(name));
        stopped = running.filter((e) => handles.has(e.handle));
      }
      this.update({ state: 'stopped', startedHere: false });
      return { ...this.snapshotValue, stopped };
    });
  }

  /** Fresh database (fast), or with `full` a new emulator. */
  reset(options: { full?: boolean } = {}): Promise<EmulatorSnapshot> {
    return this.serialize(async () => {
      this.update({ ...this.snapshotValue, state: 'starting', error: undefined });
      try {
        if (options.full) this.detach();
        const result = await resetEmulator(this.settings(), options, this.env);
        await this.follow(result.emulator);
        this.update({
          state: 'ready',
          running: result.emulator,
          database: result.database,
          startedHere: options.full ? true : this.snapshotValue.startedHere || !result.emulator.reused,
        });
      } catch (error) {
        this.fail(error);
      }
      return this.snapshotValue;
    });
  }

  /**
   * `allowWrites`: the user confirmed a statement that may change data (see runQuery).
   * `databaseId`: another database on this emulator (a run's), instead of the workspace's.
   */
  async query(sql: string, options: { maxRows?: number; allowWrites?: boolean; databaseId?: string } = {}) {
    const running = this.requireReady();
    const { runQuery } = await import('./inspect');
    const { databaseId, ...rest } = options;
    return runQuery({ ...this.settings(), ...(databaseId ? { databaseId } : {}), host: running.host }, sql, rest);
  }

  /** The database queries go to (the workspace's). */
  get databaseId(): string {
    return this.settings().databaseId;
  }

  /** Tables, ledger and newest markers of the workspace's database, or of `databaseId` (a run's). */
  async inspect(options: { databaseId?: string } = {}) {
    const running = this.requireReady();
    const { inspectDatabase } = await import('./inspect');
    return inspectDatabase({ ...this.settings(), ...(options.databaseId ? { databaseId: options.databaseId } : {}), host: running.host });
  }

  /** Lets go of the emulator; stops it when this controller started it, unless `keepRunning`. */
  async dispose(options: { keepRunning: boolean }): Promise<void> {
    this.detach();
    const { startedHere, running } = this.snapshotValue;
    if (startedHere && running && running.backend !== 'external' && !options.keepRunning) {
      await stopEmulators(running.name ?? this.settings().name);
    }
    this.changeListeners.clear();
    this.logListeners.clear();
    this.goneListeners.clear();
  }

  private requireReady(): RunningEmulator {
    const running = this.snapshotValue.running;
    if (this.snapshotValue.state !== 'ready' || !running) {
      throw new UserFacingError('The Spanner emulator is not running.', 'Start it first: Luigi Spanner: Start Emulator (or luigi-spanner emulator start).', 'NOT_RUNNING');
    }
    return running;
  }

  private serialize<T>(action: () => Promise<T>): Promise<T> {
    this.busy++;
    const next = this.queue.then(action, action).finally(() => this.busy--);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private update(snapshot: EmulatorSnapshot): void {
    this.snapshotValue = snapshot;
    for (const listener of this.changeListeners) listener(snapshot);
  }

  private fail(error: unknown): never {
    const { message, fix } = describeError(error);
    this.update({ ...this.snapshotValue, state: 'error', error: { message, ...(fix ? { fix } : {}) } });
    throw error;
  }

  private emitLog(text: string): void {
    for (const line of text.split(/\r?\n/)) if (line.trim()) for (const listener of this.logListeners) listener(line);
  }

  /** Follows the emulator's own log from its last lines on; replaces any earlier follower. */
  private async follow(running: RunningEmulator): Promise<void> {
    if (this.snapshotValue.running?.handle === running.handle && this.stopFollowing) return;
    this.detach();
    const transport = running.backend === 'docker' ? plainDockerTransport() : undefined;
    if (transport) {
      // The Engine API directly: loading Testcontainers for this held the editor's extension host
      // for 350 ms at start-up whenever an emulator already ran (bench/code-server-scenario.mjs).
      this.stopFollowing = followContainerLogs(transport, running.handle, { tail: 200, onText: (text) => this.emitLog(text) });
    } else if (running.backend === 'docker') {
      const stream = await dockerLogs(running.handle, { tail: 200 });
      const onData = (chunk: Buffer | string) => this.emitLog(chunk.toString());
      stream.on('data', onData);
      stream.on('error', () => undefined);
      this.stopFollowing = () => {
        stream.removeListener('data', onData);
        (stream as unknown as { destroy?: () => void }).destroy?.();
      };
    } else if (running.backend === 'binary') {
      this.stopFollowing = tailFile(binaryLogFile(running.name), (text) => this.emitLog(text));
    } else {
      this.emitLog(`External emulator at ${running.host}: its log is wherever it was started.`);
      this.stopFollowing = () => undefined;
    }
  }

  private detach(): void {
    this.stopFollowing?.();
    this.stopFollowing = undefined;
  }
}

/** Emits what is appended to `file` (starting with its last 16 KiB), polling twice a second. */
function tailFile(file: string, onText: (text: string) => void): () => void {
  let offset = existsSync(file) ? Math.max(0, statSync(file).size - 16_384) : 0;
  const readNew = () => {
    if (!existsSync(file)) return;
    const size = statSync(file).size;
    if (size < offset) offset = 0;
    if (size === offset) return;
    const fd = openSync(file, 'r');
    try {
      const buffer = Buffer.alloc(size - offset);
      readSync(fd, buffer, 0, buffer.length, offset);
      offset = size;
      onText(buffer.toString('utf8'));
    } finally {
      closeSync(fd);
    }
  };
  readNew();
  watchFile(file, { interval: 500 }, readNew);
  return () => unwatchFile(file, readNew);
}
