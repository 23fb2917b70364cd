// Explanations of runtime findings: a Markdown page (the editor's Explain view) and terminal text.
// Values come from the runs and the emulator, so every cell is escaped.
import { formatTimeline, type TimelineEntry } from './timeline';
import type { RowWriter, RuntimeCode, RuntimeFinding, SourceLocation } from './types';

export const RUNTIME_TITLES: Record<RuntimeCode, string> = {
  LS201: 'Duplicate insert',
  LS202: 'Abort storm',
  LS203: 'Commit timestamp without the column option',
  LS204: 'Partial results',
};

/**
 * "a duplicate insert (LS201) and partial results (LS204)": what a run found, named in words, the
 * code beside each for the rule page. Counts where a kind repeats.
 */
export function findingsInWords(findings: readonly Pick<RuntimeFinding, 'code'>[]): string {
  const counts = new Map<RuntimeCode, number>();
  for (const f of findings) counts.set(f.code, (counts.get(f.code) ?? 0) + 1);
  const parts = [...counts].map(([code, n]) => `${n > 1 ? `${n}× ` : ''}${RUNTIME_TITLES[code].toLowerCase()} (${code})`);
  return parts.length <= 1 ? (parts[0] ?? 'no runtime finding') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

const FIXES: Record<RuntimeCode, string> = {
  LS201:
    "Make the task's rows and its completion marker one commit: derive the task from `luigi_spanner.SpannerTask` (`mutations()` or `write(transaction)`), " +
    'or call `SpannerMarkerTarget.record(transaction, ...)` inside the transaction that writes the rows. Where a replay cannot be ruled out, ' +
    '`insert_or_update` keyed by natural keys makes it harmless. Then delete the orphaned rows listed above (or start from a fresh database) and run again.',
  LS202:
    'Against the emulator, run with fewer workers: it serves one read-write transaction at a time and aborts the others. ' +
    'Keep every read-write transaction inside `run_in_transaction` (it retries the whole function after an abort), keep it short, ' +
    'read inside it, and do side effects only after it returns.',
  LS203: 'Add a new migration that sets the column option (below), apply it (`luigi-spanner emulator migrate`), and run again. Never edit an applied migration.',
  LS204:
    'Commit the completion marker in the same transaction as the rows (`luigi_spanner.SpannerTask` does), one commit per task. ' +
    'If a load is too large for one commit, split it into tasks keyed by an immutable chunk id, each with its own marker.',
};

/** Markdown a table cell takes as it is (a link), only its pipes escaped. */
class CellMarkdown {
  constructor(readonly markdown: string) {}
}

function escapeCell(value: unknown): string {
  if (value instanceof CellMarkdown) return value.markdown.replace(/\|/g, '\\|');
  const text = value === null || value === undefined ? 'NULL' : typeof value === 'string' ? value : JSON.stringify(value);
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;')).replace(/\r?\n/g, ' ');
}

function escapeText(text: string): string {
  return text.replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'));
}

function table(headers: string[], rows: unknown[][]): string[] {
  return [`| ${headers.map(escapeCell).join(' | ')} |`, `| ${headers.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(escapeCell).join(' | ')} |`)];
}

/**
 * A source place as a link the Markdown preview opens at the line: a workspace-root path with a
 * `#L63` fragment (VS Code's Markdown preview resolves a leading `/` against the workspace folder
 * and opens the file at that line; GitHub reads the same link in a repository). A file outside the
 * workspace (an absolute path) has no such link.
 */
export function workspaceSourceHref(file: string, line: number): string | undefined {
  if (file.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(file)) return undefined;
  return `/${file.split('/').map(encodeURIComponent).join('/')}#L${line}`;
}

type SourceCell = (location: SourceLocation | undefined) => CellMarkdown | string;

function writerRow(w: RowWriter, place: SourceCell): unknown[] {
  return [
    w.taskLabel ?? '?',
    w.runId ?? '',
    w.committedAt ?? '',
    w.updateId ?? '',
    place(w.location),
    `${w.source}${w.exact ? '' : ' (candidate)'}`,
    w.markerMissing ? 'missing' : w.markerMissing === false ? 'present' : '',
  ];
}

export interface ExplainOptions {
  timeline?: TimelineEntry[];
  /** Link target for a repository path such as docs/rules/LS201.md (a file URI or a web URL). */
  link?: (repoPath: string) => string;
  /** Link target of a source place; default `workspaceSourceHref` (undefined: plain text). */
  sourceLink?: (file: string, line: number) => string | undefined;
}

export function explainMarkdown(finding: RuntimeFinding, options: ExplainOptions = {}): string[] {
  const link = options.link ?? ((p: string) => p);
  const sourceLink = options.sourceLink ?? workspaceSourceHref;
  const source = (file: string, line: number) => {
    const target = sourceLink(file, line);
    return target ? `[${escapeText(`${file}:${line}`)}](${target})` : `\`${file}:${line}\``;
  };
  const place: SourceCell = (location) => (location ? new CellMarkdown(source(location.file, location.line)) : '');
  const lines: string[] = [
    `# ${finding.code} ${RUNTIME_TITLES[finding.code]}`,
    '',
    `**${finding.severity}** at ${source(finding.file, finding.line)}`,
    '',
    escapeText(finding.message),
    '',
  ];
  if (options.timeline?.length) {
    lines.push('## Timeline', '', '```text', ...formatTimeline(options.timeline), '```', '');
  }
  const details = finding.runtime;
  lines.push('## Rows involved', '');
  switch (details.kind) {
    case 'duplicate-insert': {
      lines.push(`Table \`${details.table}\`, key ${Object.entries(details.key).map(([k, v]) => `\`${k}\` = \`${escapeCell(v)}\``).join(', ')} (key ${details.keySource === 'mutation' ? 're-derived from the refused insert' : 'parsed from the error'}).`, '');
      if (details.existingRow) {
        const columns = Object.keys(details.existingRow);
        lines.push('The row already in the database:', '', ...table(columns, [columns.map((c) => details.existingRow![c])]), '');
      }
      if (details.conflictingRows > 1) lines.push(`${details.conflictingRows} rows of the refused insert already existed.`, '');
      lines.push('### Who wrote it', '');
      if (details.writers.length) lines.push(...table(['task', 'run', 'committed at', 'update id', 'code', 'known from', 'marker'], details.writers.map((w) => writerRow(w, place))), '');
      else lines.push('No completion marker or commit trace records this row: the table has no commit-timestamp column and no marker names it.', '');
      break;
    }
    case 'partial-results': {
      lines.push(
        `${details.taskLabel} ${details.ended === 'killed' ? 'was killed' : 'failed'} after these commits, and no completion marker vouches for them ` +
          `(${details.evidence === 'rerun-started-task' ? 'the rerun ran the task again' : 'the task was still incomplete after the failure'}):`,
        '',
        ...table(
          ['commit', 'rows', 'committed at', 'code'],
          details.commits.map((c) => [c.commit, Object.entries(c.tables).map(([t, n]) => `${n} to ${t}`).join(', '), c.timestamp ?? '', place(c.location)]),
        ),
        '',
      );
      for (const commit of details.commits) {
        for (const [tableName, sample] of Object.entries(commit.sampleRows ?? {})) {
          const how = sample.source === 'database' ? 'as the database holds them now' : 'as the commit wrote them';
          if (sample.rows.length) lines.push(`Commit ${commit.commit}, first rows written to \`${tableName}\` (${how}):`, '', ...table(sample.columns, sample.rows), '');
        }
      }
      break;
    }
    case 'commit-timestamp-without-option':
      lines.push(`Column \`${details.table}.${details.column}\` receives \`spanner.COMMIT_TIMESTAMP\` but is not declared \`OPTIONS (allow_commit_timestamp = true)\`.`, '');
      if (details.migration) lines.push(`Defined in ${source(details.migration.file, details.migration.line)}: \`${escapeText(details.migration.statement)}\``, '');
      break;
    case 'abort-storm':
      lines.push(
        `${details.aborts} aborted attempts (threshold ${details.threshold}), ${details.workers} worker(s).`,
        '',
        ...table(
          ['task', 'aborts', 'code', 'sample'],
          details.transactions.map((t) => [t.taskLabel, t.aborts, place(t.location), t.samples[0] ?? '']),
        ),
        '',
      );
      if (details.failedWithAborted.length) lines.push(`Failed when the retries ran out: ${details.failedWithAborted.map((t) => `\`${t}\``).join(', ')}.`, '');
      break;
  }
  lines.push('## Fix', '', FIXES[finding.code], '');
  if (details.kind === 'commit-timestamp-without-option') {
    lines.push(`${details.suggestedMigrationFile ? `New migration \`${details.suggestedMigrationFile}\`:` : 'New migration:'}`, '', '```sql', `${details.fixDdl};`, '```', '');
  }
  lines.push('## Rules', '', `- [${finding.code} ${RUNTIME_TITLES[finding.code]}](${link(`docs/rules/${finding.code}.md`)})`);
  for (const rule of finding.staticRules) lines.push(`- [${rule}](${link(`docs/rules/${rule}.md`)}): the static check (\`luigi-spanner lint\`) that catches this before it runs`);
  if (finding.code === 'LS202') lines.push(`- [run_in_transaction and aborts](${link('docs/rules/LS202.md')}#run_in_transaction)`);
  lines.push('');
  return lines;
}

/** Terminal lines of one finding: the lint-like headline, then the evidence. */
export function formatFinding(finding: RuntimeFinding): string[] {
  const lines = [`${finding.file}:${finding.line}:${finding.column}  ${finding.severity}  ${finding.code}  ${finding.message}`];
  const details = finding.runtime;
  if (details.kind === 'duplicate-insert') {
    for (const w of details.writers) lines.push(`    written by ${w.taskLabel ?? '?'}${w.runId ? ` (run ${w.runId})` : ''}${w.committedAt ? ` at ${w.committedAt}` : ''}${w.location ? ` — ${w.location.file}:${w.location.line}` : ''}${w.exact ? '' : ' [candidate]'}`);
  }
  if (details.kind === 'commit-timestamp-without-option' && details.migration) lines.push(`    column defined at ${details.migration.file}:${details.migration.line}`);
  for (const r of finding.related) if (details.kind !== 'duplicate-insert') lines.push(`    see ${r.file}:${r.line}: ${r.message}`);
  if (finding.staticRules.length) lines.push(`    would have been caught by ${finding.staticRules.join(', ')} (luigi-spanner lint); docs: ${finding.docs}`);
  else lines.push(`    docs: ${finding.docs}`);
  return lines;
}
