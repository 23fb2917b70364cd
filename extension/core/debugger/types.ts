// Runtime findings: what a run (or a reproduction, or chaos runs) proved went wrong, in the shape
// of `lint --format json` findings ({code, severity, file, line, column, endLine, endColumn,
// message}) plus the static rule that would have caught it and the runtime evidence.
import type { JsonFinding } from '../lint/types';
import type { RunEvent } from '../runs/events';

export type RuntimeCode = 'LS201' | 'LS202' | 'LS203' | 'LS204';
export type RuntimeSeverity = 'error' | 'warning' | 'info';

export interface SourceLocation {
  /** Root-relative with forward slashes when under the root, else absolute. */
  file: string;
  line: number;
}

/** Who wrote a row, and how sure that is. */
export interface RowWriter {
  /** trace: the run's own commit trace holds the key; commit-timestamp: the row's commit timestamp equals a marker's; marker: a marker of the same target table. */
  source: 'trace' | 'commit-timestamp' | 'marker';
  /** True when this commit is proven to have written the row. */
  exact: boolean;
  taskId?: string;
  taskFamily?: string;
  /** `LoadOrders(batch=2024-03-01)`. */
  taskLabel?: string;
  updateId?: string;
  runId?: string;
  committedAt?: string;
  /** The commit's call site in user code (trace), else the task class. */
  location?: SourceLocation;
  /** True when the writer's completion marker is absent (the rows are orphaned). */
  markerMissing?: boolean;
}

export interface DuplicateInsertDetails {
  kind: 'duplicate-insert';
  runId: string;
  taskId: string;
  taskLabel: string;
  table: string;
  /** Primary-key column -> value of the row that already existed. */
  key: Record<string, unknown>;
  /** mutation: re-derived from the refused commit's rows and found in the table; error-message: parsed from the error text. */
  keySource: 'mutation' | 'error-message';
  existingRow?: Record<string, unknown>;
  /** Rows of the refused insert that already existed (at most 200 checked). */
  conflictingRows: number;
  writers: RowWriter[];
  grpcCode: number;
}

export interface AbortStormDetails {
  kind: 'abort-storm';
  runId: string;
  aborts: number;
  threshold: number;
  workers: number;
  transactions: Array<{ taskId: string; taskLabel: string; aborts: number; location?: SourceLocation; samples: string[] }>;
  /** Tasks that failed with ABORTED: the client gave up retrying. */
  failedWithAborted: string[];
}

export interface CommitTimestampDetails {
  kind: 'commit-timestamp-without-option';
  runId: string;
  taskId: string;
  taskLabel: string;
  table: string;
  column: string;
  /** Where the column is defined (the migration to follow up with a new one). */
  migration?: SourceLocation & { statement: string };
  /** The DDL of the fix, for a new migration file. */
  fixDdl: string;
  suggestedMigrationFile?: string;
}

export interface OrphanCommit {
  commit: number;
  tables: Record<string, number>;
  timestamp?: string;
  location?: SourceLocation;
  /** The first rows the commit wrote, per table: as the database holds them now when found there, else as traced. */
  sampleRows?: Record<string, { columns: string[]; rows: unknown[][]; source: 'database' | 'trace' }>;
}

export interface PartialResultsDetails {
  kind: 'partial-results';
  runId: string;
  taskId: string;
  taskLabel: string;
  ended: 'failed' | 'killed';
  /** Rows per table the orphaned commits wrote. */
  tables: Record<string, number>;
  commits: OrphanCommit[];
  /** How the missing marker is known. */
  evidence: 'rerun-started-task' | 'not-complete-after-failure' | 'no-marker-row';
  /** The run that met the rows again, when there was one. */
  rerunId?: string;
}

export type RuntimeDetails = DuplicateInsertDetails | AbortStormDetails | CommitTimestampDetails | PartialResultsDetails;

export interface RelatedLocation extends SourceLocation {
  message: string;
}

export interface RuntimeFinding extends JsonFinding {
  code: RuntimeCode;
  severity: RuntimeSeverity;
  taskId?: string;
  /** Static rules (lint) that would have caught this before it ran. */
  staticRules: string[];
  /** The rule's page, repository-relative: docs/rules/LS201.md. */
  docs: string;
  /** Other places involved: the conflicting row's writer, the migration to change. */
  related: RelatedLocation[];
  runtime: RuntimeDetails;
}

/** One run as the debugger sees it: its events and how its process ended. */
export interface RunTrace {
  events: RunEvent[];
  exitCode: number | null;
  signal: string | null;
  /** The last lines the process printed (stdout and stderr), for runs that end without an event saying why. */
  logTail?: string[];
}
