// `luigi-spanner reproduce`: is this task safe to rerun after a crash? Cut it right after its first
// data commit, rerun it on the same database, and report "rerun-safe" or the runtime findings.
import path from 'node:path';
import { Option, type Command } from 'commander';
import { formatFinding, formatTimeline, parseEnvPairs, reproduceRerun } from '../../core/debugger';
import { prepareRunTarget } from '../../core/runs/runTarget';
import { addEmulatorOptions, type EmulatorCliOptions } from '../options';
import { addPipelineArguments, collect, parseParams, pipelineInputs } from './run';

interface ReproduceOptions extends EmulatorCliOptions {
  param: string[];
  env: string[];
  workers?: number;
  json?: boolean;
  python?: string;
  root: string;
  minimalEnv?: boolean;
}

export function registerReproduceCommand(program: Command): void {
  addEmulatorOptions(
    addPipelineArguments(program.command('reproduce').description('prove a task rerun-safe: cut it right after its first data commit, rerun it on the same database, report findings'), 'workspace root holding luigi-spanner.json (finding paths are relative to it)')
      .option('--env <name=value>', 'environment for the pipeline (repeatable); {scratch} is a fresh folder shared by the two runs', collect, [])
      .addOption(new Option('--workers <n>', 'Luigi workers').argParser((v) => Number.parseInt(v, 10)))
      .option('--json', 'print the verdict and the findings (lint JSON shape plus runtime details) as JSON')
  ).action(async (file: string, task: string, options: ReproduceOptions) => {
    const root = path.resolve(options.root);
    const say = (line: string) => (options.json ? process.stderr.write(`${line}\n`) : console.log(line));
    const { pipeline, python, settings, migrationsDir } = await pipelineInputs(file, options, say);
    const prepared = await prepareRunTarget({ settings, migrationsDir, onProgress: say });
    const result = await reproduceRerun({
      python,
      file: pipeline,
      task,
      params: parseParams(options.param),
      workers: options.workers,
      root,
      migrationsDir,
      env: parseEnvPairs(options.env),
      minimalEnv: options.minimalEnv,
      target: prepared.target,
      onProgress: say,
      onLog: options.json ? undefined : () => {},
    });
    if (options.json) {
      const { traces: _traces, ...printable } = result;
      process.stdout.write(`${JSON.stringify(printable, null, 2)}\n`);
    } else {
      console.log('');
      for (const line of formatTimeline(result.timeline)) console.log(line);
      console.log('');
      for (const finding of result.findings) for (const line of formatFinding(finding)) console.log(line);
      if (result.findings.length) console.log('');
      const headline = result.verdict === 'rerun-safe' ? 'rerun-safe' : result.verdict === 'unsafe' ? 'UNSAFE to rerun' : 'inconclusive';
      console.log(`${headline}: ${task} (${result.seconds.toFixed(1)}s, database ${result.database.databaseId} kept for inspection)`);
      for (const reason of result.reasons) if (!/^LS2\d\d: /.test(reason)) console.log(`  ${reason}`);
    }
    process.exitCode = result.verdict === 'rerun-safe' ? 0 : 1;
  });
}
