// Fault injection: a second, fault-injecting emulator aborts a share of commits at random;
// runTransactionAsync retries them, and every transaction must commit exactly once.
import { afterAll, describe, expect, it } from 'vitest';
import { emulatorSpanner, ensureDatabase, resolveSettings, startEmulator, stopEmulators } from '../../emulator/src';

const NAME = `chaos-${process.pid}`;
const settings = resolveSettings({
  backend: 'docker',
  image: process.env.LUIGI_SPANNER_EMULATOR_IMAGE || 'luigi-spanner/emulator:local',
  name: NAME,
  faultInjection: true,
  projectId: 'luigi-spanner-test',
  instanceId: 'chaos',
  databaseId: 'chaos',
});

afterAll(async () => {
  await stopEmulators(NAME);
});

describe('fault injection (real emulator with --enable_fault_injection)', () => {
  it('aborts some commits, and a retrying client commits every transaction exactly once', async () => {
    const running = await startEmulator(settings);
    expect(running).toMatchObject({ faultInjection: true, reused: false, name: NAME });
    await ensureDatabase(running, settings);

    const spanner = emulatorSpanner(running.host, settings.projectId);
    const database = spanner.instance('chaos').database('chaos');
    try {
      const [ddl] = await database.updateSchema([
        'CREATE TABLE Counter (Id INT64 NOT NULL, Value INT64 NOT NULL) PRIMARY KEY (Id)',
        'CREATE TABLE Events (Id INT64 NOT NULL) PRIMARY KEY (Id)',
      ]);
      await ddl.promise();
      await database.runTransactionAsync(async (tx) => {
        tx.insert('Counter', { Id: 1, Value: 0 });
        await tx.commit();
      });

      // About 5% of first commits abort: run until one has been seen (bounded), at least 60.
      let attempts = 0;
      let committed = 0;
      const aborts: string[] = [];
      while ((committed < 60 || aborts.length === 0) && committed < 600) {
        const id = committed + 1;
        let tries = 0;
        await database.runTransactionAsync(async (tx) => {
          tries += 1;
          attempts += 1;
          const [rows] = await tx.read('Counter', { keys: ['1'], columns: ['Value'], json: true });
          const value = Number((rows as Array<{ Value: number }>)[0]!.Value);
          tx.update('Counter', { Id: 1, Value: value + 1 });
          tx.insert('Events', { Id: id });
          await tx.commit();
        });
        if (tries > 1) aborts.push(`transaction ${id}: ${tries} attempts`);
        committed += 1;
      }
      expect(aborts.length).toBeGreaterThan(0);
      expect(attempts).toBeGreaterThan(committed);
      const [counter] = await database.run({ sql: 'SELECT Value FROM Counter WHERE Id = 1', json: true });
      const [events] = await database.run({ sql: 'SELECT COUNT(*) AS n, COUNT(DISTINCT Id) AS d FROM Events', json: true });
      // Exactly once: the read-modify-write counter equals the number of transactions.
      expect(counter).toEqual([{ Value: committed }]);
      expect(events).toEqual([{ n: committed, d: committed }]);
    } finally {
      await database.close();
      spanner.close();
    }
  });
});
