// One emulator for the whole integration suite, of its own name; each test makes its own database.
// The suite never touches the emulator a developer works with (named `default` unless configured):
// the name reaches every test process and every CLI the tests spawn through the environment (Vitest
// starts its workers with process.env as global setup leaves it), and the suite stops its emulator
// when it ends.
import type { TestProject } from 'vitest/node';
import { emulatorSpanner, resolveSettings, startEmulator, stopEmulators } from '../../emulator/src';
import { chaosEmulatorName } from '../../extension/cli/commands/chaos';
import { TEST_EMULATOR_NAME } from '../support/names';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // CI cannot pull Ryuk's image; reused containers are never reaped anyway.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  process.env.LUIGI_SPANNER_EMULATOR_NAME = TEST_EMULATOR_NAME;
  const settings = resolveSettings({ backend: process.env.LUIGI_SPANNER_TEST_BACKEND === 'binary' ? 'binary' : 'docker', name: TEST_EMULATOR_NAME });
  const emulator = await startEmulator(settings);
  project.provide('emulatorHost', emulator.host);
  project.provide('emulatorRestHost', emulator.restHost ?? '');
  // Left behind by a suite that was killed before its teardown.
  if (emulator.reused) await pruneStaleTestDatabases(emulator.host);
  return async () => {
    await stopEmulators(TEST_EMULATOR_NAME);
    // `luigi-spanner chaos`, run by the CLI tests, starts its fault-injecting one beside it.
    await stopEmulators(chaosEmulatorName(TEST_EMULATOR_NAME));
  };
}

/**
 * A reused emulator keeps every test database of earlier runs, and an instance holds at most
 * 100. Databases named by uniqueDatabaseId (prefix-<base36 ms>-<hex>) older than 20 minutes
 * belong to finished runs: drop them. Younger ones may belong to a suite running right now.
 */
async function pruneStaleTestDatabases(host: string): Promise<void> {
  // TEST_PROJECT and TEST_INSTANCE of test/support/emulator.ts (which needs a test context to import).
  const spanner = emulatorSpanner(host, 'luigi-spanner-test');
  try {
    const instance = spanner.instance('test');
    const [exists] = await instance.exists();
    if (!exists) return;
    const [databases] = await instance.getDatabases();
    const cutoff = Date.now() - 20 * 60_000;
    for (const database of databases) {
      const id = database.formattedName_.split('/').pop() ?? '';
      const created = /-([0-9a-z]{8,9})-[0-9a-f]{1,6}$/.exec(id);
      if (created && parseInt(created[1]!, 36) < cutoff) await instance.database(id).delete().catch(() => undefined);
    }
  } finally {
    spanner.close();
  }
}
