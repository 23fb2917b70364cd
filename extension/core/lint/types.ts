// The lint contract shared by the rules, the CLI formatters and the VS Code layer. Positions are
// 1-based lines and 1-based columns (UTF-16 code units), end exclusive, as in SARIF; the editor
// layer subtracts one. Files are root-relative with forward slashes.

export type LintSeverity = 'error' | 'warning' | 'info';

export type RuleCode =
  | 'LS001'
  | 'LS002'
  | 'LS003'
  | 'LS004'
  | 'LS005'
  | 'LS006'
  | 'LS007'
  | 'LS008'
  | 'LS009'
  | 'LS010'
  | 'LS011'
  | 'LS012'
  | 'LS101'
  | 'LS102'
  | 'LS103'
  | 'LS104';

/**
 * Findings about a file rather than a rule: it does not parse (`syntax-error`), or its analysis
 * failed (`analysis-failed`). Always errors; not configurable, not suppressible.
 */
export type FileProblemCode = 'syntax-error' | 'analysis-failed';

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export interface Range {
  start: Position;
  /** Exclusive. */
  end: Position;
}

/** A pure text edit; `create` makes `file` (a new migration) with `newText` as its content. */
export interface TextEdit {
  file: string;
  range: Range;
  newText: string;
  create?: boolean;
}

export interface QuickFix {
  title: string;
  edits: TextEdit[];
  /** The fix the editor offers first (e.g. on Ctrl+.). */
  isPreferred?: boolean;
}

/**
 * A finding as `lint --format json` prints it: a public interface (CI, other tools), shared by
 * static findings and the debugger's runtime findings (LS2xx). Lines and columns are 1-based.
 */
export interface JsonFinding {
  code: string;
  severity: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
}

export interface Finding extends JsonFinding {
  code: RuleCode | FileProblemCode;
  severity: LintSeverity;
  /** Id of the task the finding belongs to (graph badges), when it is inside one. */
  taskId?: string;
  fixes?: QuickFix[];
}

export interface LintConfig {
  /** Severity per rule; 'off' disables it. */
  severity?: Partial<Record<RuleCode, LintSeverity | 'off'>>;
  /** Rules not run at all. */
  disabled?: RuleCode[];
  /** Mutations Spanner accepts in one commit (LS006); 80,000 in production. */
  mutationLimit?: number;
}
