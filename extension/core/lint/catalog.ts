// The rule catalog, read from the rule table (rules/index.ts): codes are a public interface
// (docs, suppressions, CI), never renumbered.
import { RULE_TABLE, type RuleMeta } from './rules';
import type { FileProblemCode, RuleCode } from './types';
import { repository } from '../../../package.json';
import { ruleDocPath } from './docPath';

/** A rule's catalog entry: its meta, from the rule's own module (rules/LSxxx.ts). */
export type RuleInfo = RuleMeta;

export const RULES: readonly RuleInfo[] = RULE_TABLE.map((rule) => rule.meta);

/** Catalog entries of the file problems (not rules: always errors, not configurable). */
export const FILE_PROBLEMS: readonly (Omit<RuleInfo, 'code'> & { code: FileProblemCode })[] = [
  {
    code: 'syntax-error',
    name: 'SyntaxError',
    title: 'Python syntax error',
    description:
      'The file does not parse as Python: Python would refuse to import it, and the rules cannot check the code the error hides. Fix the syntax where the message points.',
    defaultSeverity: 'error',
  },
  {
    code: 'analysis-failed',
    name: 'AnalysisFailed',
    title: 'Analysis failed',
    description: "Analysing the file failed, so its findings are missing; every other file's results stand. The message gives the reason.",
    defaultSeverity: 'error',
  },
];

export const RULES_BY_CODE: ReadonlyMap<RuleCode, RuleInfo> = new Map(RULES.map((r) => [r.code, r]));

export function isRuleCode(value: string): value is RuleCode {
  return RULES_BY_CODE.has(value as RuleCode);
}

export { ruleDocPath } from './docPath';

/**
 * Web home of the repository's docs, from package.json `repository` (the one place the project's
 * address is written): SARIF helpUri, the editor's rule links. Overridable with `--docs-url` or
 * LUIGI_SPANNER_DOCS_URL.
 */
export const DEFAULT_DOCS_BASE_URL = `${repository.url.replace(/\.git$/, '').replace(/\/+$/, '')}/blob/main`;

export function ruleHelpUri(code: RuleCode | FileProblemCode, baseUrl: string = DEFAULT_DOCS_BASE_URL): string {
  return `${baseUrl.replace(/\/+$/, '')}/${ruleDocPath(code)}`;
}
