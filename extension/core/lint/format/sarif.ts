// SARIF 2.1.0 as GitHub code scanning reads it: one run, the full rule catalog as
// tool.driver.rules (id, name, shortDescription, fullDescription, helpUri, help, default level),
// results with ruleId/ruleIndex, level, message and a physicalLocation whose artifactLocation is
// relative to %SRCROOT% (the repository root, which --root should be), plus a
// partialFingerprints.primaryLocationLineHash so alerts survive edits above them.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { FILE_PROBLEMS, RULES, ruleHelpUri } from '../catalog';
import type { Finding, LintSeverity } from '../types';

// Only the SARIF properties written here (the full schema is much larger).
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: Array<{
    tool: { driver: { name: string; version: string; informationUri: string; rules: SarifRule[] } };
    originalUriBaseIds: Record<string, { uri: string }>;
    results: SarifResult[];
  }>;
}

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  helpUri: string;
  help: { text: string; markdown: string };
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[]; precision: string; 'problem.severity': string };
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: { startLine: number; startColumn: number; endLine: number; endColumn: number } } }>;
  partialFingerprints: { primaryLocationLineHash: string };
}

type SarifLevel = 'error' | 'warning' | 'note';

const LEVEL: Record<LintSeverity, SarifLevel> = { error: 'error', warning: 'warning', info: 'note' };
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export interface SarifOptions {
  version: string;
  /** Absolute root the finding paths are relative to (file:// URI base). */
  root: string;
  docsBaseUrl?: string;
  /** Reads a finding's file for the line hash; default: from `root`. */
  readFile?: (file: string) => string | undefined;
}

export function toSarif(findings: Finding[], options: SarifOptions): SarifLog {
  const rules: SarifRule[] = [...RULES, ...FILE_PROBLEMS].map((rule) => ({
    id: rule.code,
    name: rule.name,
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.description },
    helpUri: ruleHelpUri(rule.code, options.docsBaseUrl),
    help: { text: `${rule.description} See ${ruleHelpUri(rule.code, options.docsBaseUrl)}`, markdown: `${rule.description}\n\n[${rule.code}: ${rule.title}](${ruleHelpUri(rule.code, options.docsBaseUrl)})` },
    defaultConfiguration: { level: LEVEL[rule.defaultSeverity] },
    properties: { tags: ['luigi', 'spanner', 'reliability'], precision: 'high', 'problem.severity': rule.defaultSeverity === 'info' ? 'recommendation' : rule.defaultSeverity },
  }));
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const texts = new Map<string, string[] | undefined>();
  const read = options.readFile ?? ((file: string) => {
    try {
      return readFileSync(`${options.root.replace(/\/+$/, '')}/${file}`, 'utf8');
    } catch {
      return undefined;
    }
  });
  const lineText = (file: string, line: number) => {
    if (!texts.has(file)) texts.set(file, read(file)?.split('\n'));
    return texts.get(file)?.[line - 1] ?? '';
  };
  // Identical lines in one file get an occurrence counter, as GitHub's own fingerprints do.
  const seen = new Map<string, number>();
  const results: SarifResult[] = findings.map((f) => {
    const base = createHash('sha256').update(`${f.code}\0${lineText(f.file, f.line).trim()}`).digest('hex').slice(0, 16);
    const key = `${f.file}\0${base}`;
    const occurrence = (seen.get(key) ?? 0) + 1;
    seen.set(key, occurrence);
    return {
      ruleId: f.code,
      ruleIndex: ruleIndex.get(f.code)!,
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [{ physicalLocation: { artifactLocation: { uri: encodeURI(f.file), uriBaseId: '%SRCROOT%' }, region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn } } }],
      partialFingerprints: { primaryLocationLineHash: `${base}:${occurrence}` },
    };
  });
  const rootUri = `file://${encodeURI(options.root.replace(/\\/g, '/').replace(/\/?$/, '/'))}`;
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'luigi-spanner', version: options.version, informationUri: options.docsBaseUrl ?? ruleHelpUri('LS001').replace(/\/docs\/rules\/LS001\.md$/, ''), rules } },
        originalUriBaseIds: { '%SRCROOT%': { uri: rootUri.startsWith('file:///') ? rootUri : rootUri.replace('file://', 'file:///') } },
        results,
      },
    ],
  };
}

export function formatSarif(findings: Finding[], options: SarifOptions): string {
  return `${JSON.stringify(toSarif(findings, options), null, 2)}\n`;
}
