import { Option, type Command } from 'commander';
import { UserFacingError } from '../../core/errors';
import { parseLintConfig } from '../../core/lint/config';
import { isRuleCode } from '../../core/lint/catalog';
import { formatJson } from '../../core/lint/format/json';
import { formatSarif } from '../../core/lint/format/sarif';
import { formatText } from '../../core/lint/format/text';
import type { Finding, LintSeverity } from '../../core/lint/types';
import { lintWorkspace } from '../../core/lint/workspace';
import { analysisRoot } from '../analysisRoot';
import { version } from '../../../package.json';

export type LintFormat = 'text' | 'json' | 'sarif';
export type FailOn = LintSeverity | 'none';

export interface LintCommandOptions {
  root?: string;
  format?: LintFormat;
  failOn?: FailOn;
  /** `LS004=error`, `LS009=off`. */
  severity?: string[];
  disable?: string[];
  mutationLimit?: string;
  docsUrl?: string;
}

const RANK: Record<LintSeverity, number> = { info: 0, warning: 1, error: 2 };

/** Whether any finding reaches the --fail-on level. */
export function failsOn(findings: Finding[], failOn: FailOn): boolean {
  if (failOn === 'none') return false;
  return findings.some((f) => RANK[f.severity] >= RANK[failOn]);
}

/** Lints, renders, and says whether the exit code is 1. Reads files; imports and runs nothing. */
export function runLint(paths: string[], options: LintCommandOptions = {}): { findings: Finding[]; text: string; failed: boolean } {
  const root = analysisRoot(paths, options.root);
  const severity: Record<string, string> = {};
  for (const entry of options.severity ?? []) {
    const [code, level] = entry.split('=');
    if (!code || !level) throw new UserFacingError(`--severity ${entry} is not CODE=LEVEL.`, 'Example: --severity LS004=error --severity LS009=off.', 'BAD_LINT_CONFIG');
    severity[code.trim().toUpperCase()] = level.trim().toLowerCase();
  }
  const disabled = (options.disable ?? []).flatMap((d) => d.split(',')).map((d) => d.trim().toUpperCase()).filter(Boolean);
  for (const code of disabled) if (!isRuleCode(code)) throw new UserFacingError(`--disable ${code}: unknown rule code.`, 'Rule codes are LS001-LS012 and LS101-LS104 (see docs/rules/).', 'BAD_LINT_CONFIG');
  const config = parseLintConfig({ severity, disabled, ...(options.mutationLimit !== undefined ? { mutationLimit: options.mutationLimit } : {}) }, 'luigi-spanner lint');
  const { findings } = lintWorkspace(root, { paths, config });
  const docsBaseUrl = options.docsUrl ?? process.env.LUIGI_SPANNER_DOCS_URL;
  let text: string;
  switch (options.format ?? 'text') {
    case 'json':
      text = formatJson(findings);
      break;
    case 'sarif':
      text = formatSarif(findings, { version, root, ...(docsBaseUrl ? { docsBaseUrl } : {}) });
      break;
    default:
      text = formatText(findings);
  }
  return { findings, text, failed: failsOn(findings, options.failOn ?? 'error') };
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerLintCommand(program: Command): void {
  program
    .command('lint')
    .description('check Luigi pipelines and migrations for batching and transaction-boundary mistakes (static: nothing is imported or run)')
    .argument('[paths...]', 'Python files, migration files or folders to lint (default: the root)')
    .option('--root <dir>', 'folder that reported paths are relative to (default: the current folder, or for paths outside it their project: the nearest folder above them with luigi-spanner.json)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
    .addOption(new Option('--fail-on <severity>', 'exit with code 1 when a finding reaches this severity').choices(['error', 'warning', 'info', 'none']).default('error'))
    .option('--severity <code=level>', 'override a rule severity (error, warning, info, off); repeatable', collect)
    .option('--disable <codes>', 'turn rules off, comma separated; repeatable', collect)
    .option('--mutation-limit <n>', 'mutations Spanner accepts per commit (LS006)', '80000')
    .option('--docs-url <url>', 'base URL of the repository docs for rule links (default: $LUIGI_SPANNER_DOCS_URL or the project repository)')
    .action((paths: string[], options: LintCommandOptions) => {
      const { text, failed } = runLint(paths, options);
      process.stdout.write(text);
      if (failed) process.exitCode = 1;
    });
}
