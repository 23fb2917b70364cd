// The contract between the halves (extension/shared/contract.json): the generated constants are
// current, and the TypeScript side applies it (test/python applies the same examples to Python).
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMigrations } from '../../emulator/src/migrations';
import { emulatorClientEnv } from '../../emulator/src/env';
import { EVENT_TYPES, MIGRATION_FILE_EXAMPLE, MIGRATION_FILE_EXAMPLES, RunEventSchema } from '../../extension/shared/contract';
import { readContract, staleFiles } from '../../scripts/contract.mjs';

describe('the contract', () => {
  it('has its generated TypeScript and Python files up to date (node scripts/contract.mjs)', () => {
    expect(staleFiles()).toEqual([]);
  });

  it.each(MIGRATION_FILE_EXAMPLES.accepted)('loadMigrations accepts %s, as luigi_spanner does', (name) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'contract-'));
    writeFileSync(path.join(dir, name), 'CREATE TABLE A (Id INT64) PRIMARY KEY (Id);');
    const [migration] = loadMigrations(dir);
    expect(migration!.version).toBe(Number(/^\d+/.exec(name)![0]));
  });

  it.each(MIGRATION_FILE_EXAMPLES.rejected)('loadMigrations refuses %s, as luigi_spanner does', (name) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'contract-'));
    writeFileSync(path.join(dir, name), 'CREATE TABLE A (Id INT64) PRIMARY KEY (Id);');
    expect(() => loadMigrations(dir)).toThrow(new RegExp(`not named <version>_<description>\\.sql: ${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(() => loadMigrations(dir)).toThrow(expect.objectContaining({ fix: expect.stringContaining(MIGRATION_FILE_EXAMPLE) }));
  });

  it('parses every event type it declares, and refuses one without a required field', () => {
    const contract = readContract();
    expect([...EVENT_TYPES]).toEqual(Object.keys(contract.events.types));
    const sample: Record<string, unknown> = { string: 's', integer: 1, number: 1.5, boolean: true, object: {}, array: [], 'string[]': ['a'] };
    const valueOf = (type: string): unknown => {
      const bare = type.replace(/^\?/, '');
      if (bare.endsWith('[]')) return [];
      if (bare.startsWith('record(')) return {};
      if (bare.startsWith('enum(')) return bare.slice(5, -1).split('|')[0];
      return sample[bare];
    };
    for (const [type, spec] of Object.entries(contract.events.types)) {
      const event: Record<string, unknown> = { type, time: 1, runId: 'r', ...(spec.task ? { id: 'T_1', family: 'T' } : {}) };
      for (const [name, fieldType] of Object.entries(spec.fields)) event[name] = valueOf(fieldType);
      expect(RunEventSchema.safeParse(event).success, `${type}: ${JSON.stringify(event)}`).toBe(true);
      const required = Object.entries(spec.fields).find(([, fieldType]) => !fieldType.startsWith('?'));
      if (required) {
        const { [required[0]]: _dropped, ...without } = event;
        expect(RunEventSchema.safeParse(without).success, `${type} without ${required[0]}`).toBe(false);
      }
    }
  });

  it('gives emulator clients the environment names luigi_spanner reads', () => {
    const contract = readContract();
    expect(Object.keys(emulatorClientEnv('127.0.0.1:9010')).sort()).toEqual([contract.env.emulatorHost, ...contract.env.multiplexedSessionSwitches].sort());
  });
});
