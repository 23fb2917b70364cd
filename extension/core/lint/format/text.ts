// `file:line:column: severity CODE message`, one finding a line, then a summary.
import type { Finding } from '../types';

export function formatText(findings: Finding[]): string {
  const lines = findings.map((f) => `${f.file}:${f.line}:${f.column}: ${f.severity} ${f.code} ${f.message}`);
  const count = (s: Finding['severity']) => findings.filter((f) => f.severity === s).length;
  const summary = findings.length === 0 ? 'No findings.' : `${findings.length} finding${findings.length === 1 ? '' : 's'}: ${count('error')} error(s), ${count('warning')} warning(s), ${count('info')} info.`;
  return `${[...lines, summary].join('\n')}\n`;
}
