// One diagnostic per bug: a runtime finding that proves a static one (the same line, a static rule
// of its family) is carried by that static diagnostic as evidence, instead of a second squiggle.
// A duplicate insert at runtime (LS201) on the line of a plain insert (LS002) is the same bug;
// partial results (LS204) on the line of a commit in a loop (LS003) too. Pure, so it is tested
// without an editor; the editor applies it to the language server's diagnostics as they arrive.
import { findingsInWords, RUNTIME_TITLES } from './explain';
import type { RelatedLocation, RuntimeFinding } from './types';

/** A static diagnostic as far as merging needs it: its rule and its lines (1-based, inclusive). */
export interface StaticSpan {
  code: string;
  line: number;
  endLine: number;
}

/**
 * True when the static diagnostic stands for the runtime finding's bug: the finding's line is one of
 * the diagnostic's lines, and the diagnostic's rule is one the finding names as its static rule.
 */
export function confirms(span: StaticSpan, finding: Pick<RuntimeFinding, 'line' | 'staticRules'>): boolean {
  return finding.line >= span.line && finding.line <= Math.max(span.line, span.endLine) && finding.staticRules.includes(span.code);
}

export interface MergePlan<F> {
  /** Index of a static diagnostic -> the runtime findings it now carries. */
  merged: Map<number, F[]>;
  /** Findings no static diagnostic of the file stands for: they stay diagnostics of their own. */
  standalone: F[];
}

/**
 * Merges one file's runtime findings into its static diagnostics. Each finding goes to one static
 * diagnostic at most: one starting on its line before one spanning it, then the first in order
 * (two rules of the family on one line, e.g. LS001 and LS003 for LS204, keep one carrier).
 */
export function mergeFindings<F extends Pick<RuntimeFinding, 'line' | 'staticRules'>>(statics: readonly StaticSpan[], findings: readonly F[]): MergePlan<F> {
  const merged = new Map<number, F[]>();
  const standalone: F[] = [];
  for (const finding of findings) {
    let best = -1;
    for (let i = 0; i < statics.length; i++) {
      if (!confirms(statics[i]!, finding)) continue;
      if (best < 0 || (statics[i]!.line === finding.line && statics[best]!.line !== finding.line)) best = i;
    }
    if (best < 0) standalone.push(finding);
    else merged.set(best, [...(merged.get(best) ?? []), finding]);
  }
  return { merged, standalone };
}

function runOf(finding: RuntimeFinding): string | undefined {
  return 'runId' in finding.runtime ? finding.runtime.runId : undefined;
}

/** The sentence appended to a static diagnostic's message when runs confirmed it. */
export function confirmationSuffix(findings: readonly RuntimeFinding[]): string {
  const runs = [...new Set(findings.map(runOf).filter((r): r is string => Boolean(r)))];
  return ` Confirmed at runtime${runs.length ? ` (run ${runs.join(', ')})` : ''}: ${findingsInWords(findings)}; Explain shows the rows.`;
}

/** The finding's message up to its first full stop: the rest (who, the fix) follows as its own entries. */
const firstSentence = (message: string) => message.split(/(?<=[^.]{8})\.\s/)[0]!.replace(/\.$/, '');

const cell = (value: unknown) => (value === null || value === undefined ? 'NULL' : typeof value === 'string' ? value : JSON.stringify(value));

/**
 * The runtime evidence as related information of the static diagnostic that carries it: what was
 * seen (finding and run), the rows (table, key, how many), who wrote them (task, run, update id,
 * commit time) and where; the finding's own related places follow.
 */
export function runtimeEvidence(finding: RuntimeFinding): RelatedLocation[] {
  const here = { file: finding.file, line: finding.line };
  const run = runOf(finding);
  const evidence: RelatedLocation[] = [{ ...here, message: `${finding.code} ${RUNTIME_TITLES[finding.code]} at runtime${run ? ` (run ${run})` : ''}: ${firstSentence(finding.message)}` }];
  const details = finding.runtime;
  switch (details.kind) {
    case 'duplicate-insert': {
      const key = Object.entries(details.key).map(([k, v]) => `${k} = ${cell(v)}`).join(', ');
      evidence.push({ ...here, message: `row ${details.table}(${key}) already existed${details.conflictingRows > 1 ? `, ${details.conflictingRows} rows of the refused insert did` : ''}` });
      for (const w of details.writers) {
        const parts = [w.runId && `run ${w.runId}`, w.updateId && `update id ${w.updateId}`, w.committedAt && `committed ${w.committedAt}`, w.markerMissing && 'completion marker missing'].filter(Boolean);
        evidence.push({ ...(w.location ?? here), message: `written by ${w.taskLabel ?? w.taskFamily ?? 'an unknown writer'}${parts.length ? ` (${parts.join(', ')})` : ''}${w.exact ? '' : ' [candidate]'}` });
      }
      break;
    }
    case 'partial-results':
      for (const c of details.commits) {
        const rows = Object.entries(c.tables).map(([t, n]) => `${n} row(s) to ${t}`).join(', ');
        evidence.push({ ...(c.location ?? here), message: `commit ${c.commit} of ${details.taskLabel} wrote ${rows}${c.timestamp ? ` at ${c.timestamp}` : ''}; no completion marker vouches for them` });
      }
      break;
    case 'commit-timestamp-without-option':
      evidence.push({ ...(details.migration ?? here), message: `${details.table}.${details.column} receives the commit timestamp without allow_commit_timestamp` });
      break;
    case 'abort-storm':
      for (const t of details.transactions) evidence.push({ ...(t.location ?? here), message: `${t.taskLabel}: ${t.aborts} aborted attempt(s)` });
      break;
  }
  return evidence;
}
