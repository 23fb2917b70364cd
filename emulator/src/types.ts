import type { BackendKind } from './settings';

/** A reachable emulator, however it was started. */
export interface RunningEmulator {
  backend: BackendKind;
  /** gRPC endpoint, `127.0.0.1:PORT` (what SPANNER_EMULATOR_HOST takes). */
  host: string;
  /** REST endpoint `127.0.0.1:PORT` when published; lets light callers skip loading the gRPC client. */
  restHost?: string;
  /** Container id (docker), process group id (binary) or the env value (external). */
  handle: string;
  /** True when an emulator that was already running was found again. */
  reused: boolean;
  faultInjection: boolean;
  /** The emulator's name (settings.name); `default` unless set. */
  name?: string;
  /**
   * Something the user should hear once, when this emulator was started: e.g. that `auto` fell
   * back to the installed binary because the image could not be had. Absent on reuse.
   */
  notice?: string;
}

export interface EmulatorStatus {
  state: 'stopped' | 'running';
  emulators: RunningEmulator[];
}
