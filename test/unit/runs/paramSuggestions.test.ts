// Parameter suggestions for Run, Reproduce and Force rerun: last used, earlier runs, the pipeline's literals.
import { describe, expect, it } from 'vitest';
import { literalArguments, literalToParam, suggestParams } from '../../../extension/core/runs/paramSuggestions';
import type { RunRecord } from '../../../extension/core/runs/history';

const pipeline = `
import datetime
import luigi

class LoadOrders(luigi.Task):
    batch = luigi.Parameter()
    day = luigi.DateParameter()
    limit = luigi.IntParameter(default=100)

class Report(luigi.WrapperTask):
    def requires(self):
        yield LoadOrders(batch='2024-01-05', day=datetime.date(2024, 1, 5))
        yield LoadOrders(batch="nightly", day=datetime.date(2024, 1, 6), limit=5)
        yield OtherLoadOrders(batch='not-this-one')
        yield LoadOrders(batch=self.batch)
`;

describe('literal arguments in the pipeline', () => {
  it('reads keyword literals of calls of the task, as the command line takes them', () => {
    const found = literalArguments('LoadOrders', [pipeline]);
    expect(found.get('batch')).toEqual(['2024-01-05', 'nightly']);
    expect(found.get('day')).toEqual(['2024-01-05', '2024-01-06']);
    expect(found.get('limit')).toEqual(['5']);
  });

  it('converts literals and leaves expressions out', () => {
    expect(literalToParam("'a\\'b'")).toBe("a'b");
    expect(literalToParam('True')).toBe('true');
    expect(literalToParam('date(2024, 3, 7)')).toBe('2024-03-07');
    expect(literalToParam('self.batch')).toBeUndefined();
  });
});

describe('suggestParams', () => {
  it('offers the last value first, then earlier runs, then the pipeline literals, then the default; each value once', () => {
    const run = (batch: string, at: string): RunRecord => ({
      runId: at, task: 'LoadOrders', file: 'p.py', params: { batch }, startedAt: at, status: 'SUCCESS', success: true, cancelled: false, database: 'run-1-a', tasks: [],
    });
    const task = {
      name: 'LoadOrders',
      params: [
        { name: 'batch', type: 'luigi.Parameter', significant: true },
        { name: 'limit', type: 'luigi.IntParameter', default: '100', significant: true },
      ],
    };
    const suggestions = suggestParams(task, { last: { batch: 'b3' }, history: [run('b3', '2026-12-05T10:00:00Z'), run('b2', '2026-12-04T10:00:00Z')], sources: [pipeline] });
    expect(suggestions.get('batch')!.map((s) => [s.value, s.source.split(' ')[0]])).toEqual([
      ['b3', 'last'],
      ['b2', 'run'],
      ['2024-01-05', 'in'],
      ['nightly', 'in'],
    ]);
    expect(suggestions.get('limit')!.map((s) => s.value)).toEqual(['5', '100']);
  });
});
