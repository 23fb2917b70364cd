// Runs the Python rules (one module each under rules/) over one file: builds the file's
// context once (model, Spanner use, value flow) and lets every enabled rule check it.
import type { Tree } from '../../analysis/python-parser';
import type { SequentialKeyWrite } from '../ddl/rules';
import type { RawFinding } from '../engine-types';
import { PYTHON_RULES } from '../rules';
import { PythonContext, type PythonFileInput } from '../rules/python-context';
import { sequentialKeyWrites } from '../rules/written-values';
import type { RuleCode } from '../types';
import { FileModel } from './file-model';

export interface PythonLintInput extends PythonFileInput {
  tree?: Tree;
  /** Rules to run (default: all); the others are skipped, not filtered afterwards. */
  enabled?: (code: RuleCode) => boolean;
}

export interface PythonLintResult {
  findings: RawFinding[];
  sequentialKeys: SequentialKeyWrite[];
}

export function lintPython(input: PythonLintInput): PythonLintResult {
  const ctx = new PythonContext(input, new FileModel(input.text, input.tree));
  for (const rule of PYTHON_RULES) if (!input.enabled || input.enabled(rule.meta.code)) rule.check(ctx);
  return { findings: ctx.result(), sequentialKeys: sequentialKeyWrites(ctx) };
}
