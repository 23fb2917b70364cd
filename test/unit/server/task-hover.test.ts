// The task hover names where its tables come from: a Parameter's default is marked, table names
// that are not known statically are listed with their line (fixture lineage_names).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderGraph } from '../../../extension/cli/commands/graph';
import { taskHover } from '../../../extension/server/features';

const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures', 'graph');

describe('taskHover', () => {
  it('marks tables named by a default and lists the names not known statically', async () => {
    const { graph } = await renderGraph([path.join(FIXTURES, 'lineage_names')], { root: FIXTURES, cache: false });
    const hover = (name: string) => (taskHover(graph, graph.tasks.find((t) => t.name === name)!).contents as { value: string }).value;
    expect(hover('YcsbLoad')).toContain("Spanner tables: usertable (a parameter's default)");
    expect(hover('YcsbUpdate')).toContain('Table names not known statically: write `table` (line 74), read `query` (line 78)');
    expect(hover('UpdateTableA')).toContain('Spanner tables: tableA');
    expect(hover('UpdateTableA')).not.toContain('not known statically');
  });
});
