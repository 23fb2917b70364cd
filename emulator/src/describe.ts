// How an emulator is named to a person (CLI output, notifications): enough to tell two apart.
import type { RunningEmulator } from './types';

/** `emulator "default" (docker at 127.0.0.1:PORT, container abc123def456)`. */
export function describeEmulator(e: RunningEmulator): string {
  const what = e.backend === 'docker' ? `, container ${e.handle.slice(0, 12)}` : e.backend === 'binary' ? `, process group ${e.handle}` : '';
  return `emulator "${e.name ?? 'default'}" (${e.backend} at ${e.host}${e.faultInjection ? ', fault injection' : ''}${what})`;
}
