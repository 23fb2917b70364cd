// Test access to the one emulator the integration suite shares (started in emulator.global.ts).
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { emulatorSpanner, provision, type Target } from '../../emulator/src';

declare module 'vitest' {
  export interface ProvidedContext {
    emulatorHost: string;
    /** The shared emulator's REST gateway (empty when it has none). */
    emulatorRestHost: string;
  }
}

export const TEST_PROJECT = 'luigi-spanner-test';
export const TEST_INSTANCE = 'test';

export function emulatorHost(): string {
  return inject('emulatorHost');
}

export function emulatorRestHost(): string {
  return inject('emulatorRestHost');
}

/** A database nobody else uses: isolation per test without restarting the container. */
export function uniqueDatabaseId(prefix = 't'): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`.slice(0, 30);
}

export async function freshDatabase(migrationsDir?: string, prefix?: string): Promise<Target> {
  const target: Target = { host: emulatorHost(), projectId: TEST_PROJECT, instanceId: TEST_INSTANCE, databaseId: uniqueDatabaseId(prefix) };
  await provision({ ...target, migrationsDir });
  return target;
}

/** Runs a query against a test database and returns plain JSON rows. */
export async function query<T = Record<string, unknown>>(target: Target, sql: string, params?: Record<string, unknown>): Promise<T[]> {
  const spanner = emulatorSpanner(target.host, target.projectId);
  const database = spanner.instance(target.instanceId).database(target.databaseId);
  try {
    const [rows] = await database.run({ sql, params, json: true });
    return rows as T[];
  } finally {
    await database.close();
    spanner.close();
  }
}
