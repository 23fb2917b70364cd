// Internal shapes passed between the rules and the engine.
import type { Finding, QuickFix, RuleCode } from './types';

/** A finding before configuration (severity) and suppression are applied. */
export interface RawFinding extends Omit<Finding, 'severity' | 'fixes'> {
  code: RuleCode;
  /** Lines whose suppression comment silences it (default: `line`). */
  suppressionLines?: number[];
  /** Where the suppression quick fix puts its comment (default: `line`). */
  suppressionFixLine?: number;
  fixes?: QuickFix[];
}

/** What a rule needs to know about a class beyond its own file. */
export interface ClassContext {
  isTask: boolean;
  kind?: 'task' | 'wrapper' | 'external';
  taskId?: string;
  /** Derives from luigi_spanner.SpannerTask, whose run() commits rows and marker together. */
  spannerTask: boolean;
  /** Defines or inherits output() or complete(). */
  hasCompletionCheck: boolean;
}
