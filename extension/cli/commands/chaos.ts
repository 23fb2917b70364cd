// `luigi-spanner chaos`: N runs from fresh databases on a fault-injecting emulator, a worker killed
// at a random commit boundary in each, each followed by a clean rerun, all compared with one clean run.
import path from 'node:path';
import { Option, type Command } from 'commander';
import { startEmulator } from '../../../emulator/src';
import { chaosRuns, parseEnvPairs, type ChaosAttempt, type ChaosReport } from '../../core/debugger';
import { UserFacingError } from '../../core/errors';
import { addEmulatorOptions, type EmulatorCliOptions } from '../options';
import { formatTable } from '../table';
import { addPipelineArguments, collect, parseParams, pipelineInputs } from './run';

interface ChaosOptions extends EmulatorCliOptions {
  param: string[];
  env: string[];
  runs: number;
  seed?: number;
  parallel?: number;
  workers?: number;
  keepDatabases?: boolean;
  json?: boolean;
  python?: string;
  root: string;
  minimalEnv?: boolean;
}

/**
 * The emulator chaos runs use: a name of its own, so the workspace's emulator keeps running without
 * faults. `chaos` beside the `default` emulator; `<name>-chaos` beside any other (the test suite's).
 */
export function chaosEmulatorName(name: string): string {
  return name === 'default' ? 'chaos' : `${name}-chaos`;
}

function attemptLine(a: ChaosAttempt): string {
  const kill = a.kill ? `killed ${a.kill.task} ${a.kill.point === 'after-commit' ? 'after' : 'before'} data commit ${a.kill.commit}` : 'not killed (fewer commits than drawn)';
  const verdict = a.ok ? 'ok' : `FAILED: ${a.duplicates} duplicate, ${a.partial} partial${a.findings.length ? `, ${[...new Set(a.findings.map((f) => f.code))].join(' ')}` : ''}${a.kept ? `; database ${a.database} kept` : ''}`;
  return `  #${a.index} (seed ${a.seed}): ${kill} → rerun ${a.rerunStatus} — ${verdict} (${a.seconds.toFixed(1)}s)`;
}

function printReport(report: ChaosReport): void {
  console.log('');
  console.log('Per table (summed over all attempts):');
  console.log(
    formatTable(
      report.tables.map((t) => ({
        table: t.table,
        'clean rows': t.expectedRows,
        duplicates: t.duplicates,
        partial: t.partial,
        'attempts affected': t.attemptsAffected,
        'written by': t.writers.join(', '),
      })),
      60,
    ),
  );
  console.log('');
  console.log('Per task:');
  console.log(
    formatTable(
      report.tasks.map((t) => ({
        task: t.task,
        'killed in': t.killed,
        duplicates: t.duplicates,
        partial: t.partial,
        findings: Object.entries(t.findings).map(([c, n]) => `${c}×${n}`).join(' '),
      })),
      60,
    ),
  );
  console.log('');
  const total = (key: 'duplicates' | 'partial') => report.tables.reduce((n, t) => n + t[key], 0);
  console.log(
    `${report.ok ? 'PASSED' : 'FAILED'}: ${report.passed}/${report.runs} attempts ended with exactly the clean run's rows ` +
      `(${total('duplicates')} duplicate and ${total('partial')} partial rows in all) in ${report.seconds.toFixed(1)}s; replay with --seed ${report.seed}.`,
  );
}

export function registerChaosCommand(program: Command): void {
  addEmulatorOptions(
    addPipelineArguments(program.command('chaos').description('run a task N times on a fault-injecting emulator, killing a worker at random each time, rerun, compare with a clean run'), 'workspace root holding luigi-spanner.json (finding paths are relative to it)')
      .requiredOption('--runs <n>', 'attempts (each: a fresh database, a killed run, a clean rerun)', (v) => Number.parseInt(v, 10))
      .option('--env <name=value>', 'environment for the pipeline (repeatable); {scratch} is a fresh folder per attempt', collect, [])
      .addOption(new Option('--seed <n>', 'first attempt seed (default: random); attempt i uses seed + i - 1').argParser((v) => Number.parseInt(v, 10)))
      .addOption(new Option('--parallel <n>', 'attempts side by side, each on its own database (default 1)').argParser((v) => Number.parseInt(v, 10)))
      .addOption(new Option('--workers <n>', 'Luigi workers per run').argParser((v) => Number.parseInt(v, 10)))
      .option('--keep-databases', 'keep every database (default: only failing attempts keep theirs)')
      .option('--json', 'print the report as JSON')
  ).action(async (file: string, task: string, options: ChaosOptions) => {
    if (!Number.isInteger(options.runs) || options.runs < 1) throw new UserFacingError(`--runs ${String(options.runs)} is not a positive whole number.`, 'Pass --runs 20, for example.');
    const root = path.resolve(options.root);
    const say = (line: string) => (options.json ? process.stderr.write(`${line}\n`) : console.log(line));
    const inputs = await pipelineInputs(file, { ...options, faultInjection: true }, say);
    const { pipeline, python, migrationsDir } = inputs;
    const settings = { ...inputs.settings, name: chaosEmulatorName(inputs.settings.name) };
    say('Starting the fault-injecting Spanner emulator ...');
    const emulator = await startEmulator(settings);
    if (emulator.notice) say(`note: ${emulator.notice}`);
    if (!emulator.faultInjection) say(`warning: the emulator at ${emulator.host} was not started by luigi-spanner with fault injection; runs get kills but no injected aborts.`);
    const seed = options.seed ?? Math.floor(Math.random() * 1_000_000);
    const report = await chaosRuns({
      python,
      file: pipeline,
      task,
      params: parseParams(options.param),
      workers: options.workers,
      root,
      migrationsDir,
      env: parseEnvPairs(options.env),
      minimalEnv: options.minimalEnv,
      runs: options.runs,
      seed,
      parallel: options.parallel,
      keepDatabases: options.keepDatabases ? 'all' : 'failing',
      emulator: { host: emulator.host, projectId: settings.projectId, instanceId: settings.instanceId, markerTable: settings.markerTable },
      onProgress: say,
      onAttempt: (attempt) => say(attemptLine(attempt)),
    });
    if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else printReport(report);
    process.exitCode = report.ok ? 0 : 1;
  });
}
