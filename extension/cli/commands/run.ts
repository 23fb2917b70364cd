import path from 'node:path';
import { Option, type Command } from 'commander';
import { UserFacingError } from '../../core/errors';
import { ensureManagedVenv, resolvePython } from '../../core/python/interpreter';
import type { RunEvent } from '../../core/runs/events';
import { launchRun, parseScheduler } from '../../core/runs/launch';
import type { RunOutcome } from '../../core/runs/runPipeline';
import type { PreparedTarget } from '../../core/runs/runTarget';
import type { WorkspaceSettings } from '../../core/settings';
import { addEmulatorOptions, settingsFrom, type EmulatorCliOptions } from '../options';
import { findingsOfRun, formatFinding, RUNNER_ENV } from '../../core/debugger';

interface RunOptions extends EmulatorCliOptions {
  param: string[];
  workers?: number;
  keepState?: boolean;
  /** Delete the task's own completion markers first (emulator only), so it runs again. */
  force?: boolean;
  json?: boolean;
  python?: string;
  /** A central luigid, HOST:PORT (default: Luigi's local scheduler). */
  scheduler?: string;
  root: string;
  minimalEnv?: boolean;
}

export const collect = (value: string, all: string[]) => [...all, value];

/**
 * The arguments and options of every command that starts a pipeline (run, reproduce, chaos):
 * one wording and one default each. `rootHelp` says what else the root is for in that command.
 */
export function addPipelineArguments(command: Command, rootHelp = 'workspace root holding luigi-spanner.json'): Command {
  return command
    .argument('<file>', 'the pipeline file (.py)')
    .argument('<task>', 'the task class to build')
    .option('-p, --param <name=value>', 'a task parameter (repeatable)', collect, [])
    .option('--migrations <dir>', 'migrations folder (default: luigi-spanner.json "migrationsDir", else the nearest migrations/ above the pipeline)')
    .option('--python <path>', 'interpreter (default: $LUIGI_SPANNER_PYTHON or the managed venv)')
    .option('--root <dir>', rootHelp, process.cwd())
    .option('--minimal-env', 'give the pipeline only PATH, HOME, locale and a few more of this environment, plus its own variables (no cloud credentials); see the README');
}

export function parseParams(values: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0) throw new UserFacingError(`--param "${value}" is not name=value.`, 'Write parameters as --param batch=2024-03-01.');
    params[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return params;
}

/**
 * What every command that runs a pipeline resolves first: the file, the workspace's settings
 * (before the interpreter, so a bad setting fails at once) and the interpreter.
 */
export async function pipelineInputs(
  file: string,
  options: EmulatorCliOptions & { python?: string },
  onProgress: (line: string) => void,
): Promise<{ pipeline: string; python: string; settings: WorkspaceSettings; migrationsDir: string | undefined }> {
  const pipeline = path.resolve(file);
  const settings = settingsFrom(options, { pipelineFile: pipeline });
  const python = resolvePython(options.python) ?? (await ensureManagedVenv(onProgress));
  return { pipeline, python, settings, migrationsDir: settings.migrationsDir };
}

/** Human-readable one-liners for a terminal; --json prints the events themselves. */
export function describeEvent(event: RunEvent, labels: Map<string, string> = new Map()): string | undefined {
  if (event.type === 'discovered') labels.set(event.id, taskLabel(event.family, event.params));
  const id = typeof event.id === 'string' ? event.id : '';
  const name = labels.get(id) ?? id;
  switch (event.type) {
    case 'started':
      return `  ▶ ${name}`;
    case 'succeeded':
      return `  ✓ ${name}${event.seconds != null ? ` (${event.seconds.toFixed(2)}s)` : ''}`;
    case 'complete':
      return `  · ${name} (already complete)`;
    case 'missing':
      return `  ? ${name}: its input is missing`;
    case 'retried':
      return `  ↻ ${name} (retry)`;
    case 'forced':
      return `  ↺ ${name}: completion marker deleted (--force)${event.kept?.length ? `; other outputs kept: ${event.kept.join(', ')}` : ''}`;
    case 'failed':
      return `  ✗ ${name}: ${event.exception ?? 'failed'}: ${event.message ?? ''}${event.file ? `\n      at ${event.file}:${event.line}` : ''}`;
    case 'error':
      return `error: ${event.message}${event.file ? ` (${event.file}:${event.line})` : ''}${event.fix ? `\nfix:   ${event.fix}` : ''}`;
    default:
      return undefined;
  }
}

/** `LoadOrders(batch=2024-03-01)`, as Luigi prints tasks. */
export function taskLabel(family: string, params: Record<string, unknown> | undefined): string {
  const args = Object.entries(params ?? {}).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return `${family}(${args.join(', ')})`;
}

export async function runTaskFromCli(
  file: string,
  task: string,
  options: RunOptions,
  write: (line: string) => void,
): Promise<{ outcome: RunOutcome; prepared: PreparedTarget }> {
  const progress = (line: string) => (options.json ? process.stderr.write(`${line}\n`) : write(line));
  const { pipeline, python, settings, migrationsDir } = await pipelineInputs(file, options, progress);
  const labels = new Map<string, string>();
  const { prepared, handle } = await launchRun({
    settings,
    migrationsDir,
    keepState: options.keepState,
    onProgress: progress,
    python,
    file: pipeline,
    task,
    params: parseParams(options.param),
    workers: options.workers,
    scheduler: parseScheduler(options.scheduler),
    env: options.force ? { [RUNNER_ENV.force]: '1' } : undefined,
    minimalEnv: options.minimalEnv,
    onEvent: (event) => {
      if (options.json) return write(JSON.stringify(event));
      const line = describeEvent(event, labels);
      if (line) write(line);
    },
    onLog: options.json ? (line) => process.stderr.write(`${line}\n`) : undefined,
  });
  progress(`Running ${task} from ${path.relative(process.cwd(), pipeline)} in database ${prepared.target.databaseId} ...`);
  process.once('SIGINT', () => handle.cancel());
  const outcome = await handle.done;
  return { outcome, prepared };
}

export function registerRunCommand(program: Command): void {
  addEmulatorOptions(
    addPipelineArguments(program.command('run').description('run a task and its upstream with real Luigi against the local emulator'))
      .addOption(new Option('--workers <n>', 'Luigi workers').argParser((v) => Number.parseInt(v, 10)))
      .option('--keep-state', "use the workspace's database and leave it as it is (default: a fresh database per run)")
      .option('--force', "delete the task's own completion marker first so it runs again (emulator only; useful with --keep-state)")
      .option('--scheduler <host:port>', "a central Luigi scheduler (luigid) instead of the local one; several runs with --keep-state then share one database's work, as workers on many machines do")
      .option('--json', 'print one JSON event per line, the last one the summary')
  ).action(async (file: string, task: string, options: RunOptions) => {
    const { outcome, prepared } = await runTaskFromCli(file, task, options, (line) => console.log(line));
    if (!options.json) {
      const summary = outcome.summary;
      console.log(summary ? `\n${summary.status} in ${summary.seconds?.toFixed(1) ?? '?'}s — database ${prepared.target.databaseId}` : '\nThe run ended without a summary.');
      // Runtime findings (duplicate inserts, abort storms, ...) with the rows involved.
      const findings = await findingsOfRun(outcome, prepared.target, { root: options.root, migrationsDir: prepared.migrationsDir });
      if (findings.length) console.log(['', ...findings.flatMap(formatFinding)].join('\n'));
    }
    process.exitCode = outcome.summary?.success ? 0 : outcome.exitCode === 2 ? 2 : 1;
  });
}
