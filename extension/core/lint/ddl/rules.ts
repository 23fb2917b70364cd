// Runs the migrations rules (LS101 hotspot key, LS103 unversioned migration, LS104 hotspot
// index; one module each under rules/) over one migrations folder. LS101's "sequential INT64"
// needs the code: callers pass the key columns that Python writes from a counter.
import type { RawFinding } from '../engine-types';
import { SCHEMA_RULES } from '../rules';
import { SchemaContext, type SequentialKeyWrite } from '../rules/schema-context';
import type { RuleCode } from '../types';
import type { Schema } from './schema';

export type { SequentialKeyWrite };

/** Findings on migration files; positions computed from the schema's kept texts. */
export function ddlFindings(schema: Schema, sequentialKeys: SequentialKeyWrite[], enabled: (code: RuleCode) => boolean = () => true): RawFinding[] {
  const ctx = new SchemaContext(schema, sequentialKeys);
  for (const rule of SCHEMA_RULES) if (enabled(rule.meta.code)) rule.check(ctx);
  return ctx.findings;
}
