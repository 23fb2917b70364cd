// Scores the analyzer on the labelled corpus (test/fixtures/lint/corpus): precision and recall
// per rule, printed, and at least 0.95 overall. Every finding is matched to a label by file,
// line and code; unmatched findings are false positives, unmatched labels false negatives.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../../extension/core/lint/catalog';
import { lintWorkspace } from '../../../extension/core/lint/workspace';
import { readLabels } from './labels';

const CORPUS = path.resolve(__dirname, '..', '..', 'fixtures', 'lint', 'corpus');

describe('labelled corpus', () => {
  const labels = readLabels(CORPUS);
  const { findings } = lintWorkspace(CORPUS);
  const key = (f: { file: string; line: number; code: string }) => `${f.file}:${f.line}:${f.code}`;
  const expected = new Set(labels.map(key));
  const reported = new Set(findings.map(key));

  it('has positives for every rule', () => {
    for (const rule of RULES) expect(labels.filter((l) => l.code === rule.code).length, rule.code).toBeGreaterThanOrEqual(2);
  });

  it('reaches precision and recall of at least 0.95 overall', () => {
    const rows: string[] = [];
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const rule of RULES) {
      const ruleExpected = [...expected].filter((k) => k.endsWith(`:${rule.code}`));
      const ruleReported = [...reported].filter((k) => k.endsWith(`:${rule.code}`));
      const hits = ruleReported.filter((k) => expected.has(k)).length;
      tp += hits;
      fp += ruleReported.length - hits;
      fn += ruleExpected.length - hits;
      const precision = ruleReported.length ? hits / ruleReported.length : 1;
      const recall = ruleExpected.length ? hits / ruleExpected.length : 1;
      rows.push(`${rule.code}  labels ${String(ruleExpected.length).padStart(3)}  found ${String(ruleReported.length).padStart(3)}  precision ${precision.toFixed(2)}  recall ${recall.toFixed(2)}`);
    }
    const precision = tp / (tp + fp);
    const recall = tp / (tp + fn);
    rows.push(`overall  true positives ${tp}, false positives ${fp}, false negatives ${fn}: precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}`);
    const missed = [...expected].filter((k) => !reported.has(k));
    const extra = [...reported].filter((k) => !expected.has(k));
    if (missed.length) rows.push(`missed: ${missed.join(', ')}`);
    if (extra.length) rows.push(`unexpected: ${extra.join(', ')}`);
    console.log(rows.join('\n'));
    expect(precision).toBeGreaterThanOrEqual(0.95);
    expect(recall).toBeGreaterThanOrEqual(0.95);
  });
});
