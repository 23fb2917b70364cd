import { defineConfig } from 'vitest/config';

// Projects by what a test needs: `unit` only Node; `integration` a real emulator container
// (one shared by the suite, a fresh database per test) and the venv's real Luigi;
// `browser` the built webview in Debian's Chromium; `e2e` the packaged extension in code-server.
export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 20_000 } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/emulator.global.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // One emulator only serves one read-write transaction at a time: files in sequence.
          fileParallelism: false,
        },
      },
      { test: { name: 'browser', include: ['test/browser/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000, fileParallelism: false } },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 300_000, hookTimeout: 600_000, fileParallelism: false } },
    ],
  },
});
