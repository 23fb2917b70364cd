// Process groups: the emulator binary (gateway_main + emulator_main) and Luigi runs (a process
// per worker) each run in their own group, so that stopping one reaches every process in it.

export function processGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sends `signal` to the whole group; false when it is already gone. */
export function signalProcessGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * SIGTERM (unless the caller already sent it), then SIGKILL after `graceMs` for processes that
 * ignore it (a Luigi worker inside a commit); resolves once no process of the group is left.
 */
export async function stopProcessGroup(pgid: number, options: { graceMs: number; alreadySignalled?: boolean }): Promise<void> {
  if (!options.alreadySignalled && !signalProcessGroup(pgid, 'SIGTERM')) return;
  const deadline = Date.now() + options.graceMs;
  while (processGroupAlive(pgid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (processGroupAlive(pgid)) signalProcessGroup(pgid, 'SIGKILL');
  while (processGroupAlive(pgid)) await new Promise((r) => setTimeout(r, 20));
}
