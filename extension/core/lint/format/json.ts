// The JSON output: {"findings": [...]} with exactly the public fields (fixes are editor-only).
import type { Finding, JsonFinding } from '../types';

export type { JsonFinding } from '../types';


export function toJsonFindings(findings: Finding[]): { findings: JsonFinding[] } {
  return {
    findings: findings.map((f) => ({ code: f.code, severity: f.severity, file: f.file, line: f.line, column: f.column, endLine: f.endLine, endColumn: f.endColumn, message: f.message })),
  };
}

export function formatJson(findings: Finding[]): string {
  return `${JSON.stringify(toJsonFindings(findings), null, 2)}\n`;
}
