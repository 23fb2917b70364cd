// The engine's findings, graph diagnostics and quick fixes as LSP objects. Positions: the engine
// counts lines and columns from 1 (UTF-16 code units, as LSP does), LSP from 0.
import {
  CodeAction,
  CodeActionKind,
  DiagnosticSeverity,
  type Diagnostic,
  type Range,
  type TextDocumentEdit,
  type CreateFile,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import type { GraphDiagnostic } from '../core/analysis/types';
import { FILE_PROBLEMS, isRuleCode, ruleHelpUri } from '../core/lint/catalog';
import type { Finding, LintSeverity, QuickFix, Range as LintRange } from '../core/lint/types';
import { LSP_DIAGNOSTIC_SOURCE } from '../shared/protocol';

const DOCUMENTED = new Set<string>(FILE_PROBLEMS.map((p) => p.code));

export function toLspRange(range: LintRange): Range {
  return { start: { line: range.start.line - 1, character: range.start.column - 1 }, end: { line: range.end.line - 1, character: range.end.column - 1 } };
}

export function toLspSeverity(severity: LintSeverity): DiagnosticSeverity {
  return severity === 'error' ? DiagnosticSeverity.Error : severity === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information;
}

/** The rule page of a code, when it has one (rules and file problems; not graph-only codes). */
function codeDescription(code: string, docsBaseUrl: string | undefined): { href: string } | undefined {
  if (!isRuleCode(code) && !DOCUMENTED.has(code)) return undefined;
  return { href: ruleHelpUri(code as Parameters<typeof ruleHelpUri>[0], docsBaseUrl) };
}

export function findingToDiagnostic(finding: Finding, docsBaseUrl?: string): Diagnostic {
  const description = codeDescription(finding.code, docsBaseUrl);
  return {
    range: toLspRange({ start: { line: finding.line, column: finding.column }, end: { line: finding.endLine, column: finding.endColumn } }),
    severity: toLspSeverity(finding.severity),
    source: LSP_DIAGNOSTIC_SOURCE,
    code: finding.code,
    ...(description ? { codeDescription: description } : {}),
    message: finding.message,
  };
}

/** A graph diagnostic (syntax error, unresolved reference, cycle, skipped file), to the end of its line. */
export function graphDiagnosticToLsp(d: GraphDiagnostic, lineText: (line: number) => string | undefined, docsBaseUrl?: string): Diagnostic {
  const line = Math.max(0, d.line - 1);
  const start = d.column ?? 0;
  const end = Math.max(start + 1, lineText(line)?.length ?? start + 1);
  const description = d.code ? codeDescription(d.code, docsBaseUrl) : undefined;
  return {
    range: { start: { line, character: start }, end: { line, character: end } },
    severity: toLspSeverity(d.severity),
    source: LSP_DIAGNOSTIC_SOURCE,
    ...(d.code ? { code: d.code } : {}),
    ...(description ? { codeDescription: description } : {}),
    message: d.message,
  };
}

/** A quick fix as a code action; `uriOf` maps the engine's root-relative files. A new file is created, then filled. */
export function toCodeAction(fix: QuickFix, uriOf: (file: string) => string, diagnostic: Diagnostic): CodeAction {
  const action = CodeAction.create(fix.title, toWorkspaceEdit(fix, uriOf), CodeActionKind.QuickFix);
  action.diagnostics = [diagnostic];
  if (fix.isPreferred) action.isPreferred = true;
  return action;
}

export function toWorkspaceEdit(fix: QuickFix, uriOf: (file: string) => string): WorkspaceEdit {
  if (!fix.edits.some((e) => e.create)) {
    const changes: Record<string, TextEdit[]> = {};
    for (const e of fix.edits) (changes[uriOf(e.file)] ??= []).push({ range: toLspRange(e.range), newText: e.newText });
    return { changes };
  }
  const documentChanges: Array<TextDocumentEdit | CreateFile> = [];
  for (const e of fix.edits) {
    const uri = uriOf(e.file);
    if (e.create) {
      documentChanges.push({ kind: 'create', uri, options: { overwrite: false, ignoreIfExists: false } });
      documentChanges.push({ textDocument: { uri, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: e.newText }] });
    } else documentChanges.push({ textDocument: { uri, version: null }, edits: [{ range: toLspRange(e.range), newText: e.newText }] });
  }
  return { documentChanges };
}
