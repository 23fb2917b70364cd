// Runs one Luigi task (and its upstream) through the runner (python -m luigi_spanner.runner) in a child process.
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { UserFacingError } from '../errors';
import { signalProcessGroup, stopProcessGroup } from '../processGroup';
import { RUNNER_MODULE } from '../../shared/contract';
import { installCommand } from '../python/interpreter';
import { pipelineEnv } from './environment';
import { EventLineParser, type RunEvent, type SummaryEvent } from './events';

export interface RunRequest {
  python: string;
  /** The pipeline file, absolute. */
  file: string;
  task: string;
  params?: Record<string, string>;
  workers?: number;
  /** A central scheduler (`luigid`) instead of the local one. */
  scheduler?: { host: string; port?: number };
  runId?: string;
  /** Connection and anything else the pipeline reads (emulatorClientEnv + SPANNER_* ids). */
  env: Record<string, string>;
  /** Inherit only a minimal allow-list of this process's environment (see environment.ts), not all of it. */
  minimalEnv?: boolean;
  cwd?: string;
  onEvent?: (event: RunEvent) => void;
  /** Everything the pipeline and Luigi print (stdout and stderr), line by line. */
  onLog?: (line: string) => void;
  /**
   * Start Python now but hold the pipeline until `release()`: Luigi and the Spanner client load
   * while the caller provisions the database (see launchRun).
   */
  awaitGo?: boolean;
}

export interface RunOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  cancelled: boolean;
  summary?: SummaryEvent;
  events: RunEvent[];
}

export interface RunHandle {
  pid: number | undefined;
  done: Promise<RunOutcome>;
  /** Stops the whole process tree (Luigi forks a process per task with --workers > 1). */
  cancel(): void;
  /** With `awaitGo`: the database is ready, go on. A no-op otherwise, or after cancel. */
  release(): void;
}

/** What Python prints when the interpreter lacks the package (the runner cannot even start). */
const NO_PACKAGE = /No module named '?luigi_spanner/;

export function runnerArgs(request: RunRequest): string[] {
  const args = ['-m', RUNNER_MODULE, '--file', request.file, '--task', request.task, '--events-fd', '3'];
  for (const [name, value] of Object.entries(request.params ?? {})) args.push('--param', `${name}=${value}`);
  if (request.workers) args.push('--workers', String(request.workers));
  if (request.scheduler) {
    args.push('--scheduler-host', request.scheduler.host);
    if (request.scheduler.port) args.push('--scheduler-port', String(request.scheduler.port));
  }
  if (request.runId) args.push('--run-id', request.runId);
  if (request.awaitGo) args.push('--await-go');
  return args;
}

export function startRun(request: RunRequest): RunHandle {
  const events: RunEvent[] = [];
  let summary: SummaryEvent | undefined;
  let cancelled = false;
  const onEvent = (event: RunEvent) => {
    events.push(event);
    if (event.type === 'summary') summary = event;
    request.onEvent?.(event);
  };
  const child = spawn(request.python, runnerArgs(request), {
    cwd: request.cwd ?? path.dirname(request.file),
    env: pipelineEnv(process.env, { PYTHONUNBUFFERED: '1', ...request.env }, { minimal: request.minimalEnv }),
    // Own process group, so cancel reaches Luigi's forked workers too.
    detached: true,
    stdio: [request.awaitGo ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'],
  });
  // A runner that died before `release` closed its end: the write fails, the outcome tells why.
  child.stdin?.on('error', () => {});
  let noPackage = false;
  const log = (line: string) => {
    if (NO_PACKAGE.test(line)) noPackage = true;
    request.onLog?.(line);
  };
  const eventParser = new EventLineParser(onEvent, log);
  // The runner keeps stdout for user prints; it only ever writes events on fd 3.
  const logParser = (stream: Readable) => {
    let buffer = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      lines.forEach(log);
    });
    stream.on('end', () => buffer && log(buffer));
  };
  logParser(child.stdout!);
  logParser(child.stderr!);
  const eventStream = child.stdio[3] as Readable;
  eventStream.setEncoding('utf8');
  eventStream.on('data', (chunk: string) => eventParser.push(chunk));

  const done = new Promise<RunOutcome>((resolve, reject) => {
    child.on('error', (error) =>
      reject(
        new UserFacingError(
          `Could not start Python (${request.python}): ${error.message}.`,
          'Run npm run setup (managed venv), or set LUIGI_SPANNER_PYTHON / luigiSpanner.pythonPath to an interpreter with luigi and google-cloud-spanner.',
          'NO_PYTHON',
        ),
      ),
    );
    child.on('close', (exitCode, signal) => {
      eventParser.end();
      if (noPackage && events.length === 0) {
        reject(
          new UserFacingError(
            `${request.python} has no luigi-spanner package: runs start python -m ${RUNNER_MODULE}, and pipelines import luigi_spanner.`,
            `Install it into that interpreter: ${installCommand(request.python)}. Or choose no interpreter (luigiSpanner.pythonPath, --python, LUIGI_SPANNER_PYTHON) and runs use the managed venv, which has it.`,
            'NO_PACKAGE',
          ),
        );
        return;
      }
      const outcome = { exitCode, signal, cancelled, summary, events };
      // After a cancel, report done only once every process of the group is gone.
      if (cancelled && child.pid !== undefined) void stopProcessGroup(child.pid, { graceMs: 3_000, alreadySignalled: true }).then(() => resolve(outcome));
      else resolve(outcome);
    });
  });

  const cancel = () => {
    if (child.pid === undefined || child.exitCode !== null) return;
    cancelled = true;
    signalProcessGroup(child.pid, 'SIGTERM');
  };
  const release = () => {
    if (!child.stdin || child.stdin.writableEnded) return;
    if (!cancelled) child.stdin.write('go\n');
    child.stdin.end();
  };
  return { pid: child.pid, done, cancel, release };
}

