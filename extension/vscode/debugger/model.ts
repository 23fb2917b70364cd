// What the editor shows for runtime findings, as plain data (no `vscode` import, so it is tested
// without an editor): stable keys, the related locations (writers' code and task classes), and the
// command ids and names the adapter registers.
import type { RuntimeFinding, SourceLocation, TimelineEntry } from '../../core/debugger';

export const DEBUGGER_COMMANDS = {
  reproduceRerun: 'luigiSpanner.reproduceRerun',
  explainRuntimeFinding: 'luigiSpanner.explainRuntimeFinding',
} as const;

/** Source name of runtime diagnostics: apart from lint (`luigi-spanner-lint`) and run failures (`luigi-spanner-run`). */
export const RUNTIME_DIAGNOSTIC_SOURCE = 'luigi-spanner-runtime';
export const EXPLAIN_SCHEME = 'luigi-spanner-explain';

/** A published finding with what its explanation needs. */
export interface PublishedFinding {
  key: string;
  finding: RuntimeFinding;
  /** The runs that produced it, when a reproduction did. */
  timeline?: TimelineEntry[];
}

export function findingKey(finding: RuntimeFinding): string {
  const runId = 'runId' in finding.runtime ? finding.runtime.runId : '';
  return `${finding.code}:${runId}:${finding.taskId ?? ''}:${finding.file}:${finding.line}`;
}

export interface RelatedSpec extends SourceLocation {
  message: string;
}

/**
 * Related information of a finding: the core's (writer call sites, migration lines) plus the class of
 * every task named as a writer, looked up by family in the workspace analysis.
 */
export function relatedLocations(finding: RuntimeFinding, classOf: (family: string) => SourceLocation | undefined): RelatedSpec[] {
  const related: RelatedSpec[] = [...finding.related];
  const seen = new Set(related.map((r) => `${r.file}:${r.line}`));
  const add = (spec: RelatedSpec) => {
    const key = `${spec.file}:${spec.line}`;
    if (seen.has(key)) return;
    seen.add(key);
    related.push(spec);
  };
  const details = finding.runtime;
  if (details.kind === 'duplicate-insert') {
    for (const writer of details.writers) {
      const where = writer.taskFamily ? classOf(writer.taskFamily) : undefined;
      if (where) add({ ...where, message: `task ${writer.taskLabel ?? writer.taskFamily} wrote the existing row${writer.runId ? ` (run ${writer.runId})` : ''}` });
      else if (writer.location) add({ ...writer.location, message: `${writer.taskLabel ?? 'the writer'} wrote the existing row` });
    }
  }
  return related;
}

/** The explanation's virtual document path: readable in the tab title, unique per finding. */
export function explainPath(published: PublishedFinding): string {
  const name = `${published.finding.code} ${published.finding.file.split('/').pop() ?? ''} line ${published.finding.line}`.replace(/[^\w .-]/g, '_');
  return `/${name}.md`;
}

/** Short label of a finding in a quick pick. */
export function findingLabel(finding: RuntimeFinding): { label: string; description: string; detail: string } {
  return { label: `${finding.code} ${finding.file}:${finding.line}`, description: finding.severity, detail: finding.message };
}
