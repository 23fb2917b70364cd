// `npm run demo`: the whole loop on the orders sample, in one command.
import path from 'node:path';
import type { Command } from 'commander';
import { databaseHandle, emulatorSpanner, type Target } from '../../../emulator/src';
import { indexWorkspace } from '../../core/analysis';
import type { GraphJson } from '../../core/analysis/types';
import { UserFacingError } from '../../core/errors';
import { addEmulatorOptions, type EmulatorCliOptions } from '../options';
import { formatTable } from '../table';
import { runTaskFromCli } from './run';

interface DemoOptions extends EmulatorCliOptions {
  sample: string;
  task: string;
  python?: string;
  root: string;
}

/** Tasks upstream first, each with what it requires. */
export function describeGraph(graph: GraphJson): string[] {
  const upstream = new Map<string, string[]>();
  for (const edge of graph.edges) upstream.set(edge.to, [...(upstream.get(edge.to) ?? []), edge.from]);
  const byId = new Map(graph.tasks.map((t) => [t.id, t]));
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string, path: Set<string>) => {
    if (seen.has(id) || path.has(id)) return;
    path.add(id);
    for (const up of upstream.get(id) ?? []) visit(up, path);
    seen.add(id);
    order.push(id);
  };
  graph.tasks.forEach((t) => visit(t.id, new Set()));
  return order.map((id) => {
    const task = byId.get(id)!;
    const needs = (upstream.get(id) ?? []).map((u) => byId.get(u)?.name ?? u);
    const tables = task.tables?.length ? `  writes ${task.tables.join(', ')}` : '';
    return `  ${task.name.padEnd(18)} ${task.kind.padEnd(8)} ${needs.length ? `<- ${needs.join(', ')}` : ''}${tables}`;
  });
}

async function userTables(target: Target): Promise<string[]> {
  const spanner = emulatorSpanner(target.host, target.projectId);
  const database = databaseHandle(spanner, target.instanceId, target.databaseId);
  try {
    const [rows] = await database.run({ sql: "SELECT table_name FROM information_schema.tables WHERE table_schema = '' ORDER BY table_name", json: true });
    return (rows as Array<{ table_name: string }>).map((r) => r.table_name).filter((t) => t !== 'LuigiSpannerMigrations');
  } finally {
    await database.close();
    spanner.close();
  }
}

async function tableRows(target: Target, table: string): Promise<Array<Record<string, unknown>>> {
  const spanner = emulatorSpanner(target.host, target.projectId);
  const database = databaseHandle(spanner, target.instanceId, target.databaseId);
  try {
    const [keys] = await database.run({
      sql: "SELECT column_name FROM information_schema.index_columns WHERE table_name = @table AND index_name = 'PRIMARY_KEY' ORDER BY ordinal_position",
      params: { table },
      json: true,
    });
    const orderBy = (keys as Array<{ column_name: string }>).map((k) => `\`${k.column_name}\``).join(', ');
    // Table and column names come from information_schema, not from user input.
    const [rows] = await database.run({ sql: `SELECT * FROM \`${table}\`${orderBy ? ` ORDER BY ${orderBy}` : ''} LIMIT 20`, json: true });
    return rows as Array<Record<string, unknown>>;
  } finally {
    await database.close();
    spanner.close();
  }
}

export function registerDemoCommand(program: Command): void {
  addEmulatorOptions(
    program
      .command('demo')
      .description('start the emulator, run the sample pipeline, print its task graph and the rows written')
      .option('--sample <dir>', 'sample folder', 'samples/orders')
      .option('--task <name>', 'task to build', 'AllReports')
      .option('--python <path>', 'interpreter (default: the managed venv)')
      .option('--root <dir>', 'workspace root holding luigi-spanner.json', process.cwd()),
  ).action(async (options: DemoOptions) => {
    const sampleDir = path.resolve(options.sample);
    const pipeline = path.join(sampleDir, 'pipeline.py');
    const { index } = indexWorkspace(process.cwd(), { paths: [sampleDir] });
    const graph = index.graph();
    if (graph.tasks.length === 0) throw new UserFacingError(`No Luigi tasks found in ${sampleDir}.`, 'Pass --sample with a folder holding pipeline.py.');
    console.log(`Task graph of ${path.relative(process.cwd(), pipeline)} (parsed, not imported): ${graph.tasks.length} tasks, ${graph.edges.length} edges`);
    describeGraph(graph).forEach((line) => console.log(line));
    console.log('');

    const { outcome, prepared } = await runTaskFromCli(pipeline, options.task, { ...options, param: [] }, (line) => console.log(line));
    const summary = outcome.summary;
    console.log(`\n${summary?.status ?? 'NO SUMMARY'}: ${summary?.tasks.filter((t) => t.status === 'succeeded').length ?? 0} tasks ran` +
      ` in database ${prepared.target.databaseId} at ${prepared.target.host}\n`);
    for (const table of await userTables(prepared.target)) {
      console.log(`${table}:`);
      console.log(formatTable(await tableRows(prepared.target, table)));
      console.log('');
    }
    console.log(`Query it yourself: SPANNER_EMULATOR_HOST=${prepared.target.host} (project ${prepared.target.projectId}, instance ${prepared.target.instanceId}, database ${prepared.target.databaseId}).`);
    if (!summary?.success) process.exitCode = 1;
  });
}
