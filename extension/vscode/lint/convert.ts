// Findings and text edits of the pure lint core as VS Code objects (1-based -> 0-based).
import * as vscode from 'vscode';
import type { Finding, LintSeverity, QuickFix, Range } from '../../core/lint/types';

export function toRange(range: Range): vscode.Range {
  return new vscode.Range(range.start.line - 1, range.start.column - 1, range.end.line - 1, range.end.column - 1);
}

export function toSeverity(severity: LintSeverity): vscode.DiagnosticSeverity {
  return severity === 'error' ? vscode.DiagnosticSeverity.Error : severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
}

export function toDiagnostic(finding: Finding, docsTarget: (code: string) => vscode.Uri): vscode.Diagnostic {
  const range = toRange({ start: { line: finding.line, column: finding.column }, end: { line: finding.endLine, column: finding.endColumn } });
  const diagnostic = new vscode.Diagnostic(range, finding.message, toSeverity(finding.severity));
  diagnostic.source = 'luigi-spanner';
  diagnostic.code = { value: finding.code, target: docsTarget(finding.code) };
  return diagnostic;
}

/** A quick fix as a WorkspaceEdit; files are relative to `root`. New files are created first. */
export function toWorkspaceEdit(fix: QuickFix, root: vscode.Uri): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  for (const e of fix.edits) {
    const uri = vscode.Uri.joinPath(root, e.file);
    if (e.create) {
      edit.createFile(uri, { ignoreIfExists: false, contents: new TextEncoder().encode(e.newText) });
    } else edit.replace(uri, toRange(e.range), e.newText);
  }
  return edit;
}
