// The shape every lint rule has: its catalog entry (`meta`) beside its check. The table of all
// rules is rules/index.ts; the catalog, the configuration, SARIF and the docs index read it.
import type { LintSeverity, RuleCode } from '../types';
import type { PythonContext } from './python-context';
import type { SchemaContext } from './schema-context';

export interface RuleMeta {
  code: RuleCode;
  /** PascalCase name, as SARIF `reportingDescriptor.name`. */
  name: string;
  /** One line: the problem. */
  title: string;
  /** Two or three sentences: why it hurts and what to do. */
  description: string;
  defaultSeverity: LintSeverity;
}

/** A rule over one Python file (its model, its Spanner use, where values come from). */
export interface PythonRule {
  meta: RuleMeta;
  target: 'python';
  check(ctx: PythonContext): void;
}

/** A rule over one migrations folder (the schema its files build). */
export interface SchemaRule {
  meta: RuleMeta;
  target: 'schema';
  check(ctx: SchemaContext): void;
}

export type Rule = PythonRule | SchemaRule;
