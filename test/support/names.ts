// Names the tests give their emulators, so that no test ever starts, reuses or stops the emulator a
// developer works with (`default`, unless their luigi-spanner.json names another). Plain constants,
// importable from global setup and the e2e harness, which have no test context.

/** The integration suite's shared emulator (test/integration/emulator.global.ts). */
export const TEST_EMULATOR_NAME = 'luigi-spanner-tests';

/** The emulator the editor starts in code-server sessions (test/e2e/harness.ts). */
export const E2E_EMULATOR_NAME = 'luigi-spanner-e2e';
