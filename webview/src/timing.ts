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
