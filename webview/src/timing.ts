// Steps of the UI thread as User Timing measures ("graph:<step>"): visible in the webview's
// developer tools and read by the benchmark to attribute long tasks. Costs a microsecond.
export function timed<T>(step: string, fn: () => T): T {
  const start = performance.now();
  try {
    return fn();
  } finally {
    performance.measure(`graph:${step}`, { start, end: performance.now() });
  }
}

/**
 * Measures a step that pauses (yields) along the way as one measure per slice of work between
 * pauses: `pause` for the step to pass on, `end()` once it is done.
 */
export function timedSlices(step: string, pause: () => Promise<void>): { pause: () => Promise<void>; end(): void } {
  let start = performance.now();
  const measure = () => performance.measure(`graph:${step}`, { start, end: performance.now() });
  return {
    pause: async () => {
      measure();
      await pause();
      start = performance.now();
    },
    end: measure,
  };
}
