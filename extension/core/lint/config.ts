// Effective rule configuration: defaults from the catalog, then the user's severities and
// disabled list (VS Code settings, CLI flags). Bad input is an error that names the fix.
import { UserFacingError } from '../errors';
import { RULES, RULES_BY_CODE, isRuleCode } from './catalog';
import type { LintConfig, LintSeverity, RuleCode } from './types';

export const DEFAULT_MUTATION_LIMIT = 80_000;

export interface ResolvedConfig {
  /** Severity of every enabled rule; disabled rules are absent. */
  severity: ReadonlyMap<RuleCode, LintSeverity>;
  mutationLimit: number;
}

const SEVERITIES = new Set(['error', 'warning', 'info', 'off']);

export function resolveConfig(config: LintConfig = {}): ResolvedConfig {
  const severity = new Map<RuleCode, LintSeverity>();
  const disabled = new Set(config.disabled ?? []);
  for (const rule of RULES) {
    const chosen = config.severity?.[rule.code] ?? rule.defaultSeverity;
    if (chosen !== 'off' && !disabled.has(rule.code)) severity.set(rule.code, chosen);
  }
  const limit = config.mutationLimit ?? DEFAULT_MUTATION_LIMIT;
  if (!Number.isInteger(limit) || limit <= 0) {
    throw new UserFacingError(`Mutation limit ${String(limit)} is not a positive whole number.`, 'Use the production limit, 80000, or a smaller positive number.', 'BAD_LINT_CONFIG');
  }
  return { severity, mutationLimit: limit };
}

/**
 * Validates untyped configuration (settings JSON, CLI flags). Unknown codes and severities are
 * errors, so a typo never silently leaves a rule on.
 */
export function parseLintConfig(input: { severity?: unknown; disabled?: unknown; mutationLimit?: unknown }, origin: string): LintConfig {
  const config: LintConfig = {};
  const codes = [...RULES_BY_CODE.keys()].join(', ');
  if (input.severity !== undefined && input.severity !== null) {
    if (typeof input.severity !== 'object' || Array.isArray(input.severity)) {
      throw new UserFacingError(`${origin}: severity must map rule codes to error, warning, info or off.`, 'Example: {"LS004": "error", "LS009": "off"}.', 'BAD_LINT_CONFIG');
    }
    config.severity = {};
    for (const [code, value] of Object.entries(input.severity as Record<string, unknown>)) {
      if (!isRuleCode(code)) throw new UserFacingError(`${origin}: unknown rule code "${code}".`, `Known codes: ${codes}.`, 'BAD_LINT_CONFIG');
      if (typeof value !== 'string' || !SEVERITIES.has(value)) {
        throw new UserFacingError(`${origin}: severity of ${code} is "${String(value)}".`, 'Use error, warning, info or off.', 'BAD_LINT_CONFIG');
      }
      config.severity[code] = value as LintSeverity | 'off';
    }
  }
  if (input.disabled !== undefined && input.disabled !== null) {
    if (!Array.isArray(input.disabled)) throw new UserFacingError(`${origin}: disabled must be a list of rule codes.`, 'Example: ["LS009", "LS101"].', 'BAD_LINT_CONFIG');
    config.disabled = input.disabled.map((code: unknown) => {
      if (typeof code !== 'string' || !isRuleCode(code)) throw new UserFacingError(`${origin}: unknown rule code "${String(code)}".`, `Known codes: ${codes}.`, 'BAD_LINT_CONFIG');
      return code;
    });
  }
  if (input.mutationLimit !== undefined && input.mutationLimit !== null) {
    const limit = Number(input.mutationLimit);
    if (!Number.isInteger(limit) || limit <= 0) {
      throw new UserFacingError(`${origin}: mutation limit "${String(input.mutationLimit)}" is not a positive whole number.`, 'Use 80000 (production) or a smaller positive number.', 'BAD_LINT_CONFIG');
    }
    config.mutationLimit = limit;
  }
  return config;
}
