// Reproduce a rerun: run the task, kill it right after its first data commit (the runner's hook,
// never an edit of user code), run it again on the same database, and tell whether that was safe.
import type { Target } from '../../../emulator/src';
import type { FaultEvent } from '../runs/events';
import { SpannerReader } from './database';
import { analyzeRuns } from './findings';
import { afterKill, RUNNER_ENV, runTrace, Scratch, summaryOf, type PipelineRequest } from './runs';
import { buildTimeline, describeEnd, type TimelineEntry } from './timeline';
import type { RunTrace, RuntimeFinding } from './types';

export type ReproduceVerdict = 'rerun-safe' | 'unsafe' | 'inconclusive';

export interface ReproduceRequest extends PipelineRequest {
  /** A database with the pipeline's migrations applied, on the emulator; the runs leave it as they end. */
  target: Target;
}

export interface ReproducedRun {
  label: string;
  runId: string;
  status: string;
  success: boolean;
  exitCode: number | null;
  signal: string | null;
  fault?: FaultEvent;
}

export interface ReproduceResult {
  verdict: ReproduceVerdict;
  /** One line each: why the verdict. */
  reasons: string[];
  findings: RuntimeFinding[];
  runs: ReproducedRun[];
  timeline: TimelineEntry[];
  database: Target;
  seconds: number;
  /** The traces themselves, for callers that show more (the editor's Explain view). */
  traces: RunTrace[];
}

export const FIRST_RUN_LABEL = 'Run 1: cut right after the first data commit';
export const RERUN_LABEL = 'Run 2: rerun with the state kept';

function described(label: string, trace: RunTrace): ReproducedRun {
  const fault = trace.events.find((e): e is FaultEvent => e.type === 'fault');
  return {
    label,
    runId: trace.events[0]?.runId ?? '',
    ...summaryOf(trace),
    exitCode: trace.exitCode,
    signal: trace.signal,
    ...(fault ? { fault } : {}),
  };
}

export async function reproduceRerun(request: ReproduceRequest): Promise<ReproduceResult> {
  const started = performance.now();
  const progress = request.onProgress ?? (() => {});
  const scratch = new Scratch();
  const reader = new SpannerReader(request.target);
  try {
    progress(`${FIRST_RUN_LABEL} ...`);
    const first = await runTrace(request, request.target, FIRST_RUN_LABEL, { [RUNNER_ENV.failAfterCommits]: '1', [RUNNER_ENV.traceCommits]: '1' }, scratch);
    const fault = first.events.find((e): e is FaultEvent => e.type === 'fault');
    const traces: RunTrace[] = [first];
    const reasons: string[] = [];
    if (fault) {
      progress(`  killed after data commit ${fault.commit} (${fault.family ?? 'task'}); ${RERUN_LABEL} ...`);
      await afterKill(first, request.target);
      traces.push(await runTrace(request, request.target, RERUN_LABEL, { [RUNNER_ENV.traceCommits]: '1' }, scratch));
    }
    const findings = await analyzeRuns(traces, { reader, root: request.root, migrationsDir: request.migrationsDir });
    const errors = findings.filter((f) => f.severity === 'error');
    let verdict: ReproduceVerdict;
    if (!fault) {
      const end = summaryOf(first);
      verdict = end.success && errors.length === 0 ? 'inconclusive' : 'unsafe';
      reasons.push(
        end.success
          ? 'The run made no data commit, so there was nothing to cut: the task writes nothing to Spanner, or was already complete.'
          : `The first run failed before any data commit: ${describeEnd(first)}.`,
      );
    } else {
      const rerun = summaryOf(traces[1]!);
      if (!rerun.success) reasons.push(`The rerun did not succeed: ${describeEnd(traces[1]!)}.`);
      for (const f of errors) reasons.push(`${f.code}: ${f.message}`);
      verdict = rerun.success && errors.length === 0 ? 'rerun-safe' : 'unsafe';
      if (verdict === 'rerun-safe') {
        const killed = fault.family ?? 'the task';
        const redone = traces[1]!.events.some((e) => e.type === 'started' && e.id === fault.id);
        reasons.push(
          redone
            ? `${killed} ran again after the cut and the rerun succeeded with no duplicate and no partial rows.`
            : `${killed} committed its completion marker with its rows, so the rerun found it complete and finished the rest.`,
        );
      }
    }
    const labels = [FIRST_RUN_LABEL, RERUN_LABEL];
    return {
      verdict,
      reasons,
      findings,
      runs: traces.map((t, i) => described(labels[i]!, t)),
      timeline: buildTimeline(traces.map((trace, i) => ({ label: labels[i]!, trace })), request.root),
      database: request.target,
      seconds: (performance.now() - started) / 1000,
      traces,
    };
  } finally {
    scratch.dispose();
    await reader.close();
  }
}
