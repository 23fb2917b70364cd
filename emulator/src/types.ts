import type { BackendKind } from './settings';

/** A reachable emulator, however it was started. */
export interface RunningEmulator {
  backend: BackendKind;
  /** gRPC endpoint, `127.0.0.1:PORT` (what SPANNER_EMULATOR_HOST takes). */
  host: string;
  /** Container id (docker), process group id (binary) or the env value (external). */
  handle: string;
  /** True when an emulator that was already running was found again. */
  reused: boolean;
  faultInjection: boolean;
}

export interface EmulatorStatus {
  state: 'stopped' | 'running';
  emulators: RunningEmulator[];
}
