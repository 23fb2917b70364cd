// Public API of the lint core: batching and transaction-boundary rules for Luigi pipelines on
// Spanner, over Python source and migration DDL. Pure Node; no `vscode` import anywhere below.
export type { Finding, LintConfig, LintSeverity, Position, QuickFix, Range, RuleCode, TextEdit } from './types';
export { RULES, RULES_BY_CODE, isRuleCode, ruleDocPath, ruleHelpUri, DEFAULT_DOCS_BASE_URL, type RuleInfo } from './catalog';
export { parseLintConfig, resolveConfig, DEFAULT_MUTATION_LIMIT } from './config';
export { Linter, compareFindings, type LinterOptions } from './engine';
export { lintWorkspace, findMigrationDirs, type LintWorkspaceOptions, type LintWorkspaceResult } from './workspace';
export { applyTextEdits } from './edits';
export { formatText } from './format/text';
export { formatJson, toJsonFindings } from './format/json';
export { formatSarif, toSarif, type SarifOptions } from './format/sarif';
