// One diagnostic per bug in the editor: the language server's static diagnostics (through the
// language client's handleDiagnostics middleware) and the runtime findings of the last run meet
// here. A finding that a static diagnostic stands for (core/debugger/merge.ts decides) becomes that
// diagnostic's evidence: a sentence in its message and related information (rows, writer, run,
// update id); only the others are diagnostics of their own (source `luigi-spanner-runtime`).
// The static diagnostic objects are the client's own, annotated in place, so the server's quick
// fixes (matched by code and position, `data` kept) still apply to them.
import * as vscode from 'vscode';
import { confirmationSuffix, mergeFindings, runtimeEvidence, type MergePlan, type StaticSpan } from '../../core/debugger';
import { LSP_DIAGNOSTIC_SOURCE } from '../../shared/protocol';
import { RUNTIME_DIAGNOSTIC_SOURCE, type PublishedFinding, type RelatedSpec } from './model';

export interface MergedDiagnosticsDeps {
  /** A finding's file (root-relative or absolute) as a URI. */
  absolute(file: string): vscode.Uri;
  /** A standalone finding as a diagnostic of its own. */
  toDiagnostic(published: PublishedFinding): vscode.Diagnostic;
  /** The finding's related places beyond the evidence (writer task classes, migrations). */
  related(published: PublishedFinding): RelatedSpec[];
  /** The language client's collection, to re-show annotated static diagnostics when findings change. */
  staticCollection(): vscode.DiagnosticCollection | undefined;
}

const codeOf = (d: vscode.Diagnostic) => (typeof d.code === 'object' ? String(d.code.value) : d.code === undefined ? '' : String(d.code));
const keyOf = (uri: vscode.Uri) => (uri.scheme === 'file' ? uri.fsPath : uri.toString());
const isStatic = (d: vscode.Diagnostic) => d.source === LSP_DIAGNOSTIC_SOURCE;

export class MergedDiagnostics implements vscode.Disposable {
  private readonly runtime = vscode.languages.createDiagnosticCollection(RUNTIME_DIAGNOSTIC_SOURCE);
  /** The server's latest diagnostics per file, as the client holds them. */
  private readonly statics = new Map<string, { uri: vscode.Uri; diagnostics: vscode.Diagnostic[] }>();
  /** Each static diagnostic's own message and related information, before any runtime evidence. */
  private readonly originals = new WeakMap<vscode.Diagnostic, { message: string; related: vscode.DiagnosticRelatedInformation[] | undefined }>();
  /** Files whose static diagnostics carry evidence now. */
  private readonly annotated = new Set<string>();
  private findings: readonly PublishedFinding[] = [];

  constructor(private readonly deps: MergedDiagnosticsDeps) {}

  /** The middleware's part: a file's fresh static diagnostics, annotated in place and returned. */
  handleStatic(uri: vscode.Uri, diagnostics: vscode.Diagnostic[]): vscode.Diagnostic[] {
    for (const d of diagnostics) this.originals.set(d, { message: d.message, related: d.relatedInformation });
    const key = keyOf(uri);
    if (diagnostics.length) this.statics.set(key, { uri, diagnostics });
    else this.statics.delete(key);
    this.apply(uri);
    return diagnostics;
  }

  /** A run's (or reproduction's) findings replace the previous ones. */
  publish(findings: readonly PublishedFinding[]): void {
    this.findings = findings;
    this.runtime.clear();
    const uris = new Map<string, vscode.Uri>();
    for (const p of findings) uris.set(keyOf(this.deps.absolute(p.finding.file)), this.deps.absolute(p.finding.file));
    for (const key of this.annotated) {
      const uri = this.statics.get(key)?.uri;
      if (uri) uris.set(key, uri);
    }
    for (const [key, uri] of uris) {
      const wasAnnotated = this.annotated.has(key);
      this.apply(uri);
      const entry = this.statics.get(key);
      if (entry && (wasAnnotated || this.annotated.has(key))) this.deps.staticCollection()?.set(uri, entry.diagnostics);
    }
  }

  /** The findings a static diagnostic (as VS Code hands it to a code action provider) carries. */
  carriedBy(uri: vscode.Uri, diagnostic: vscode.Diagnostic): PublishedFinding[] {
    if (!isStatic(diagnostic)) return [];
    const { statics, plan } = this.planFor(uri);
    const index = statics.findIndex((d) => codeOf(d) === codeOf(diagnostic) && d.range.start.isEqual(diagnostic.range.start));
    return index < 0 ? [] : (plan.merged.get(index) ?? []);
  }

  private planFor(uri: vscode.Uri): { statics: vscode.Diagnostic[]; plan: MergePlan<PublishedFinding & StaticSpanFinding> } {
    const key = keyOf(uri);
    const statics = (this.statics.get(key)?.diagnostics ?? []).filter(isStatic);
    const here = this.findings.filter((p) => keyOf(this.deps.absolute(p.finding.file)) === key).map((p) => ({ ...p, line: p.finding.line, staticRules: p.finding.staticRules }));
    const spans: StaticSpan[] = statics.map((d) => ({ code: codeOf(d), line: d.range.start.line + 1, endLine: d.range.end.line + 1 }));
    return { statics, plan: mergeFindings(spans, here) };
  }

  private apply(uri: vscode.Uri): void {
    const key = keyOf(uri);
    const { statics, plan } = this.planFor(uri);
    for (const [i, d] of statics.entries()) {
      const original = this.originals.get(d) ?? { message: d.message, related: d.relatedInformation };
      const carried = plan.merged.get(i);
      d.message = carried ? original.message + confirmationSuffix(carried.map((p) => p.finding)) : original.message;
      d.relatedInformation = carried ? [...(original.related ?? []), ...carried.flatMap((p) => this.evidence(p))] : original.related;
    }
    if (plan.merged.size) this.annotated.add(key);
    else this.annotated.delete(key);
    this.runtime.set(uri, plan.standalone.map((p) => this.deps.toDiagnostic(p)));
  }

  private evidence(published: PublishedFinding): vscode.DiagnosticRelatedInformation[] {
    const seen = new Set<string>();
    return [...runtimeEvidence(published.finding), ...this.deps.related(published)]
      .filter((r) => !seen.has(`${r.file}:${r.line}:${r.message}`) && seen.add(`${r.file}:${r.line}:${r.message}`))
      .map((r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(this.deps.absolute(r.file), new vscode.Position(Math.max(0, r.line - 1), 0)), r.message));
  }

  dispose(): void {
    this.runtime.dispose();
  }
}

interface StaticSpanFinding {
  line: number;
  staticRules: string[];
}
