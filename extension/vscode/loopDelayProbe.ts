// A measuring aid for bench/code-server-scenario.mjs, off unless LUIGI_SPANNER_LOOP_DELAY_LOG names
// a file: the extension host's event-loop delay (perf_hooks), one JSON line per second with the
// longest delay seen in it. A delay is how late a timer fired: how long some task (ours or another
// extension's) held the host's one thread.
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export const LOOP_DELAY_LOG_ENV = 'LUIGI_SPANNER_LOOP_DELAY_LOG';

export function startLoopDelayProbe(file: string | undefined): { dispose(): void } {
  if (!file) return { dispose() {} };
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const write = () => {
    try {
      appendFileSync(file, `${JSON.stringify({ at: Date.now(), maxMs: histogram.max / 1e6, p99Ms: histogram.percentile(99) / 1e6 })}\n`);
    } catch {
      // A measuring aid: a file that cannot be written stops nothing.
    }
    histogram.reset();
  };
  write();
  const timer = setInterval(write, 1000);
  timer.unref();
  return {
    dispose() {
      clearInterval(timer);
      histogram.disable();
    },
  };
}
