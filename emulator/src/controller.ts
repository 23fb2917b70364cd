// The editor's view of one emulator: state (stopped, starting, ready, error), the actions on it
// and its log lines. No `vscode` here: extension/vscode/emulator binds it to a status-bar item,
// a LogOutputChannel and commands, and the tests drive it directly.
import { closeSync, existsSync, openSync, readSync, statSync, unwatchFile, watchFile } from 'node:fs';
import { describeError, UserFacingError } from '../../extension/core/errors';
import { binaryLogFile } from './binary';
import { dockerLogs } from './docker';
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

export class EmulatorController {
  private snapshotValue: EmulatorSnapshot = { state: 'stopped', startedHere: false };
  private readonly changeListeners = new Set<Listener<EmulatorSnapshot>>();
  private readonly logListeners = new Set<Listener<string>>();
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
      const found = settings.backend === 'external' ? undefined : (await emulatorStatus(settings.name)).emulators.find((e) => e.faultInjection === settings.faultInjection);
      if (found) {
        this.update({ state: 'ready', running: found, startedHere: this.snapshotValue.startedHere && this.snapshotValue.running?.handle === found.handle });
        await this.follow(found);
      } else if (this.snapshotValue.state !== 'error') {
        this.detach();
        this.update({ state: 'stopped', startedHere: false });
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

  stop(): Promise<EmulatorSnapshot> {
    return this.serialize(async () => {
      this.detach();
      const { backend, name } = { backend: this.snapshotValue.running?.backend, name: this.settings().name };
      // An external emulator is not ours to stop: just let go of it.
      if (backend !== 'external') await stopEmulators(name);
      this.update({ state: 'stopped', startedHere: false });
      return this.snapshotValue;
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

  /** `allowWrites`: the user confirmed a statement that may change data (see runQuery). */
  async query(sql: string, options: { maxRows?: number; allowWrites?: boolean } = {}) {
    const running = this.requireReady();
    const { runQuery } = await import('./inspect');
    return runQuery({ ...this.settings(), host: running.host }, sql, options);
  }

  /** The database queries go to (the workspace's). */
  get databaseId(): string {
    return this.settings().databaseId;
  }

  async inspect() {
    const running = this.requireReady();
    const { inspectDatabase } = await import('./inspect');
    return inspectDatabase({ ...this.settings(), host: running.host });
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
  }

  private requireReady(): RunningEmulator {
    const running = this.snapshotValue.running;
    if (this.snapshotValue.state !== 'ready' || !running) {
      throw new UserFacingError('The Spanner emulator is not running.', 'Start it first: Luigi Spanner: Start Emulator (or luigi-spanner emulator start).', 'NOT_RUNNING');
    }
    return running;
  }

  private serialize<T>(action: () => Promise<T>): Promise<T> {
    const next = this.queue.then(action, action);
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
    if (running.backend === 'docker') {
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
