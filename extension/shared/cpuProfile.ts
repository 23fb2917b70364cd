// A measuring aid for bench/code-server-scenario.mjs (--profile): a process's own thread profiled
// with V8's sampling profiler from the call for a while, saved as a .cpuprofile (Chrome DevTools,
// VS Code). Off unless the bench names a file through the environment; the extension host and the
// language server each take their own variable. Node only, no `vscode`.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

/** The extension host's profile file (extension.ts). */
export const HOST_PROFILE_ENV = 'LUIGI_SPANNER_HOST_PROFILE';
/** The language server's profile file (server/main.ts); the forked server inherits the host's environment. */
export const SERVER_PROFILE_ENV = 'LUIGI_SPANNER_SERVER_PROFILE';
const PROFILE_MS = 60_000;

/** Profiles this thread for `ms` from now (1 ms samples) into `file`; nothing when `file` is unset. */
export function startCpuProfile(file: string | undefined, ms = PROFILE_MS): void {
  if (!file) return;
  const session = new Session();
  session.connect();
  session.post('Profiler.enable', () =>
    session.post('Profiler.setSamplingInterval', { interval: 1000 }, () =>
      session.post('Profiler.start', () => {
        setTimeout(() => {
          session.post('Profiler.stop', (error, result) => {
            if (!error) writeFileSync(file, JSON.stringify(result.profile));
            session.disconnect();
          });
        }, ms).unref();
      }),
    ),
  );
}
