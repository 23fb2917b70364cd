// The samples: the clean pipeline stays silent, each broken twin produces what its README promises.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintWorkspace } from '../../../extension/core/lint/workspace';

const SAMPLES = path.resolve(__dirname, '..', '..', '..', 'samples');

/** Codes listed in the README's "Lint codes it should trigger" table. */
function promisedCodes(readme: string): string[] {
  const section = readme.split(/\*\*Lint codes it should trigger\.\*\*/)[1]?.split(/\n\*\*/)[0] ?? '';
  return [...new Set([...section.matchAll(/^\|\s*(LS\d{3})\b/gm)].map((m) => m[1]!))].sort();
}

describe('samples', () => {
  it('the clean orders pipeline (code and migrations) has no finding', () => {
    const { findings, pythonFiles, migrationFiles } = lintWorkspace(SAMPLES, { paths: [path.join(SAMPLES, 'orders')] });
    expect(pythonFiles).toContain('orders/pipeline.py');
    expect(migrationFiles.length).toBe(2);
    expect(findings).toEqual([]);
  });

  const twins = readdirSync(path.join(SAMPLES, 'broken')).sort();
  it('has broken twins with promises', () => {
    expect(twins.length).toBeGreaterThanOrEqual(3);
  });

  for (const twin of twins) {
    it(`broken/${twin} triggers exactly the codes its README promises`, () => {
      const folder = path.join(SAMPLES, 'broken', twin);
      const promised = promisedCodes(readFileSync(path.join(folder, 'README.md'), 'utf8'));
      expect(promised.length).toBeGreaterThan(0);
      const { findings } = lintWorkspace(SAMPLES, { paths: [folder] });
      const produced = [...new Set(findings.map((f) => f.code))].sort();
      expect(produced).toEqual(promised);
    });
  }

  it('places each twin finding on the line the catalog names', () => {
    const at = (twin: string) =>
      lintWorkspace(SAMPLES, { paths: [path.join(SAMPLES, 'broken', twin)] })
        .findings.map((f) => `${f.code} ${f.file}:${f.line}`)
        .sort();
    // self.output().touch() after run_in_transaction(load): the marker write and the second commit.
    expect(at('marker_outside_txn')).toEqual(['LS001 broken/marker_outside_txn/pipeline.py:104', 'LS003 broken/marker_outside_txn/pipeline.py:104']);
    // batch.insert (64), the batch commit inside the loop (63), the LocalTarget marker (70).
    expect(at('plain_insert_replay')).toEqual([
      'LS001 broken/plain_insert_replay/pipeline.py:70',
      'LS002 broken/plain_insert_replay/pipeline.py:64',
      'LS003 broken/plain_insert_replay/pipeline.py:63',
    ]);
    // IngestedAt = datetime.now() (45), the hour window parameter (59), utcnow() in requires (87).
    expect(at('time_window')).toEqual([
      'LS004 broken/time_window/pipeline.py:59',
      'LS004 broken/time_window/pipeline.py:87',
      'LS005 broken/time_window/pipeline.py:45',
      'LS101 broken/time_window/migrations/0002_hourly_revenue_and_markers.sql:7',
      'LS104 broken/time_window/migrations/0001_raw_orders.sql:12',
    ]);
  });
});
