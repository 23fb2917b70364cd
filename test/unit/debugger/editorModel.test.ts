// The editor's view of runtime findings, without an editor: keys, related locations, names.
import { describe, expect, it } from 'vitest';
import type { RuntimeFinding } from '../../../extension/core/debugger';
import { explainPath, findingKey, relatedLocations } from '../../../extension/vscode/debugger/model';

const duplicate: RuntimeFinding = {
  code: 'LS201',
  severity: 'error',
  file: 'samples/broken/plain_insert_replay/pipeline.py',
  line: 64,
  column: 17,
  endLine: 64,
  endColumn: 32,
  message: 'Duplicate insert into Orders',
  taskId: 'LoadOrders_2024_03_01_x',
  staticRules: ['LS002'],
  docs: 'docs/rules/LS201.md',
  related: [{ file: 'samples/broken/plain_insert_replay/pipeline.py', line: 64, message: 'first written here' }],
  runtime: {
    kind: 'duplicate-insert',
    runId: 'run-2',
    taskId: 'LoadOrders_2024_03_01_x',
    taskLabel: 'LoadOrders(batch=2024-03-01)',
    table: 'Orders',
    key: { OrderId: 5001 },
    keySource: 'mutation',
    conflictingRows: 3,
    writers: [
      { source: 'trace', exact: true, taskFamily: 'LoadOrders', taskLabel: 'LoadOrders(batch=2024-03-01)', runId: 'run-1', location: { file: 'samples/broken/plain_insert_replay/pipeline.py', line: 64 } },
      { source: 'marker', exact: false, taskFamily: 'Unknown', taskLabel: 'Unknown()', location: { file: 'other.py', line: 3 } },
    ],
    grpcCode: 6,
  },
};

describe('runtime findings in the editor', () => {
  it('points related information at the writer task class, found by family in the workspace', () => {
    const classes: Record<string, { file: string; line: number }> = { LoadOrders: { file: 'samples/broken/plain_insert_replay/pipeline.py', line: 37 } };
    const related = relatedLocations(duplicate, (family) => classes[family]);
    expect(related).toEqual([
      { file: 'samples/broken/plain_insert_replay/pipeline.py', line: 64, message: 'first written here' },
      { file: 'samples/broken/plain_insert_replay/pipeline.py', line: 37, message: 'task LoadOrders(batch=2024-03-01) wrote the existing row (run run-1)' },
      // A writer whose class is not in the workspace keeps the location the run reported.
      { file: 'other.py', line: 3, message: 'Unknown() wrote the existing row' },
    ]);
  });

  it('keys a finding by code, run, task and place, and names its explanation after them', () => {
    expect(findingKey(duplicate)).toBe('LS201:run-2:LoadOrders_2024_03_01_x:samples/broken/plain_insert_replay/pipeline.py:64');
    expect(explainPath({ key: findingKey(duplicate), finding: duplicate })).toBe('/LS201 pipeline.py line 64.md');
  });
});
