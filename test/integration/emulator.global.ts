// One emulator container for the whole integration suite; each test makes its own database.
import type { TestProject } from 'vitest/node';
import { resolveSettings, startEmulator, stopEmulators } from '../../emulator/src';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // CI cannot pull Ryuk's image; reused containers are never reaped anyway.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  const settings = resolveSettings({ backend: process.env.LUIGI_SPANNER_TEST_BACKEND === 'binary' ? 'binary' : 'docker' });
  const emulator = await startEmulator(settings);
  project.provide('emulatorHost', emulator.host);
  return async () => {
    // Leave an emulator a developer already had running; stop the one the suite started.
    if (!emulator.reused) await stopEmulators();
  };
}
