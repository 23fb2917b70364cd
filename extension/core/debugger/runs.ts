// Runs for the debugger: the runner shim with fault options (passed through the environment, which
// startRun forwards), against one database, each with its own scratch folder for local state.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Target } from '../../../emulator/src';
import { ENV } from '../../shared/contract';
import { UserFacingError } from '../errors';
import type { RunEvent } from '../runs/events';
import { startRun } from '../runs/runPipeline';
import { runEnv } from '../runs/runTarget';
import { SpannerReader } from './database';
import type { RunTrace } from './types';

/** Read by the runner (luigi_spanner.runner.faults, its force option); names from the contract. */
export const RUNNER_ENV = {
  failAfterCommits: ENV.failAfterCommits,
  killAtRandom: ENV.killAtRandom,
  killHorizon: ENV.killHorizon,
  traceCommits: ENV.traceCommits,
  force: ENV.force,
} as const;

/** Written in an --env value, replaced by a fresh folder per attempt (state a pipeline keeps outside Spanner). */
export const SCRATCH_PLACEHOLDER = '{scratch}';

export interface PipelineRequest {
  python: string;
  /** The pipeline file, absolute. */
  file: string;
  task: string;
  params?: Record<string, string>;
  workers?: number;
  /** Workspace root: findings are relative to it. */
  root: string;
  migrationsDir?: string;
  /** Extra environment for the pipeline; `{scratch}` in a value becomes a fresh folder per attempt. */
  env?: Record<string, string>;
  /** Inherit only a minimal allow-list of this process's environment (runs/environment.ts). */
  minimalEnv?: boolean;
  onProgress?: (line: string) => void;
  /** Every event of every run, with the run's label. */
  onEvent?: (runLabel: string, event: RunEvent) => void;
  onLog?: (line: string) => void;
}

export function parseEnvPairs(values: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(value.slice(0, eq))) {
      throw new UserFacingError(`--env "${value}" is not NAME=VALUE.`, 'Write it as --env PIPELINE_STATE_DIR={scratch} ({scratch} is a fresh folder per attempt).');
    }
    env[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return env;
}

/** A scratch folder for one attempt (a cut run and its rerun share it), removed by `dispose`. */
export class Scratch {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'luigi-spanner-debug-'));

  expand(env: Record<string, string> | undefined): Record<string, string> {
    return Object.fromEntries(Object.entries(env ?? {}).map(([k, v]) => [k, v.split(SCRATCH_PLACEHOLDER).join(this.dir)]));
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** One run of the request's task against `target`, to its end. */
export async function runTrace(request: PipelineRequest, target: Target, label: string, extraEnv: Record<string, string>, scratch: Scratch): Promise<RunTrace> {
  const logTail: string[] = [];
  const handle = startRun({
    python: request.python,
    file: request.file,
    task: request.task,
    params: request.params,
    workers: request.workers,
    env: { ...scratch.expand(request.env), ...extraEnv, ...runEnv(target) },
    minimalEnv: request.minimalEnv,
    onEvent: (event) => request.onEvent?.(label, event),
    onLog: (line) => {
      logTail.push(line);
      if (logTail.length > 20) logTail.shift();
      request.onLog?.(line);
    },
  });
  const outcome = await handle.done;
  return { events: outcome.events, exitCode: outcome.exitCode, signal: outcome.signal, logTail };
}

/** After a killed run: free the database of the killed worker's open transaction (see SpannerReader.releaseAbandonedTransactions). */
export async function afterKill(trace: RunTrace, target: Target): Promise<void> {
  if (!trace.signal && !trace.events.some((e) => e.type === 'fault')) return;
  const reader = new SpannerReader(target);
  try {
    await reader.releaseAbandonedTransactions();
  } finally {
    await reader.close();
  }
}

export function summaryOf(trace: RunTrace): { status: string; success: boolean } {
  const summary = trace.events.find((e) => e.type === 'summary');
  if (summary && summary.type === 'summary') return { status: summary.status, success: summary.success };
  return { status: trace.signal ? `KILLED (${trace.signal})` : trace.events.some((e) => e.type === 'error') ? 'NOT_STARTED' : 'NO_SUMMARY', success: false };
}
