// One diagnostic per bug: runtime findings of a real reproduction (the plain-insert sample's, as
// `luigi-spanner reproduce --json` printed them) merged into the static findings the real lint
// reports on the same file.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { confirmationSuffix, confirms, mergeFindings, runtimeEvidence, type RuntimeFinding, type StaticSpan } from '../../../extension/core/debugger';
import { lintWorkspace } from '../../../extension/core/lint/workspace';

const repo = path.resolve(__dirname, '..', '..', '..');
const SAMPLE = 'samples/broken/plain_insert_replay/pipeline.py';
const fixture = JSON.parse(readFileSync(path.join(repo, 'test/fixtures/debugger/plain-insert-replay-findings.json'), 'utf8')) as { findings: RuntimeFinding[] };
const runtime = fixture.findings;
const byCode = (code: string) => runtime.find((f) => f.code === code)!;

describe('runtime findings merged into the static diagnostics they confirm', () => {
  const statics: StaticSpan[] = lintWorkspace(repo, { paths: [SAMPLE] })
    .findings.filter((f) => f.file === SAMPLE)
    .map((f) => ({ code: f.code, line: f.line, endLine: f.endLine }));

  it('puts each runtime finding of the reproduction on the static diagnostic of its line: five diagnostics become three', () => {
    expect(statics.map((s) => `${s.code}:${s.line}`)).toEqual(['LS003:63', 'LS002:64', 'LS001:70']);
    const plan = mergeFindings(statics, runtime);
    expect(plan.standalone).toEqual([]);
    // The duplicate insert on the plain insert's line; the partial results on the loop's commit.
    expect(plan.merged.get(1)?.map((f) => f.code)).toEqual(['LS201']);
    expect(plan.merged.get(0)?.map((f) => f.code)).toEqual(['LS204']);
    expect(plan.merged.has(2)).toBe(false);
  });

  it('keeps a finding apart when the static rule on its line is of another family, or its line has none', () => {
    const duplicate = byCode('LS201');
    expect(confirms({ code: 'LS003', line: 64, endLine: 64 }, duplicate)).toBe(false);
    expect(confirms({ code: 'LS002', line: 65, endLine: 66 }, duplicate)).toBe(false);
    const plan = mergeFindings([{ code: 'LS003', line: 64, endLine: 64 }, { code: 'LS002', line: 60, endLine: 60 }], [duplicate]);
    expect(plan.merged.size).toBe(0);
    expect(plan.standalone).toEqual([duplicate]);
  });

  it('accepts a static diagnostic whose range spans the line, and prefers one starting on it', () => {
    const duplicate = byCode('LS201');
    expect(confirms({ code: 'LS002', line: 62, endLine: 66 }, duplicate)).toBe(true);
    const plan = mergeFindings([{ code: 'LS002', line: 62, endLine: 66 }, { code: 'LS002', line: 64, endLine: 64 }], [duplicate]);
    expect([...plan.merged.keys()]).toEqual([1]);
  });

  it('gives a finding one carrier when two rules of its family share the line', () => {
    const partial = byCode('LS204');
    const plan = mergeFindings([{ code: 'LS001', line: 63, endLine: 63 }, { code: 'LS003', line: 63, endLine: 63 }], [partial]);
    expect([...plan.merged.entries()].map(([i, f]) => [i, f.length])).toEqual([[0, 1]]);
  });

  it('says in the message which run confirmed it and what it saw, in words', () => {
    expect(confirmationSuffix([byCode('LS201')])).toBe(' Confirmed at runtime (run 20261206T005439Z-f561bb32): duplicate insert (LS201); Explain shows the rows.');
  });

  it('carries the rows, the writer with its run and update id, and the places as related information', () => {
    const evidence = runtimeEvidence(byCode('LS201'));
    expect(evidence[0]).toMatchObject({ file: SAMPLE, line: 64 });
    // The rerun saw it; the first run wrote the row.
    expect(evidence[0]!.message).toBe('LS201 Duplicate insert at runtime (run 20261206T005439Z-f561bb32): Duplicate insert into Orders: row OrderId=5001 already exists (and 2 more of its rows) (ALREADY_EXISTS)');
    expect(evidence[1]!.message).toBe('row Orders(OrderId = 5001) already existed, 3 rows of the refused insert did');
    expect(evidence[2]).toEqual({
      file: SAMPLE,
      line: 64,
      message:
        'written by LoadOrders(batch=2024-03-01, chunk_size=3) (run 20261206T005438Z-4ed2ba50, update id LoadOrders_2024_03_01_8dbde4e3af, committed 2026-12-06T00:54:38.991037+00:00, completion marker missing)',
    });
    const partial = runtimeEvidence(byCode('LS204'));
    expect(partial.map((e) => e.message)[1]).toBe(
      'commit 1 of LoadOrders(batch=2024-03-01, chunk_size=3) wrote 3 row(s) to Orders at 2026-12-06T00:54:38.991037+00:00; no completion marker vouches for them',
    );
  });
});
