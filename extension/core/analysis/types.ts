// The static pipeline graph: the contract between the analysis core (producer) and the
// graph view, the analyzer, the runs and the CLI (consumers). `luigi-spanner graph --format json`
// prints exactly `GraphJson`; it is a public interface, so change it only by adding fields.

export type TaskKind = 'task' | 'wrapper' | 'external';
export type EdgeKind = 'requires' | 'dynamic';
export type Severity = 'error' | 'warning' | 'info';

export interface TaskParam {
  name: string;
  /** Luigi parameter class as written, e.g. `DateParameter`, `luigi.IntParameter`. */
  type: string;
  /** Default as source text, absent when the parameter is required. */
  default?: string;
  significant: boolean;
  /** Id of the task that declares it, when inherited (base class, `@inherits`, `@requires`). */
  declaredIn?: string;
}

export interface TaskOutput {
  /** Target class name, e.g. `SpannerTarget`, `LocalTarget`. */
  target: string;
  /** The expression as written in `output()`. */
  source: string;
  /** Spanner tables this output or the task's writes name, where recognisable. */
  tables?: string[];
}

export interface TaskNode {
  /** Module path + class name, e.g. `samples.orders.pipeline.LoadOrders`. Stable across runs. */
  id: string;
  name: string;
  kind: TaskKind;
  /** Relative to the graph root, forward slashes. */
  file: string;
  /** 1-based line of the `class` keyword. */
  line: number;
  endLine?: number;
  params: TaskParam[];
  outputs: TaskOutput[];
  /** Spanner tables the task writes (mutations, DML, a Spanner output's table), where recognisable. */
  tables?: string[];
  /** Spanner tables the task reads (`read(...)`, SQL queries, the SELECT inside DML), where recognisable. */
  tableReads?: string[];
  /**
   * Of `tables` and `tableReads`, the names that come from a luigi Parameter's default
   * (`table = luigi.Parameter(default="Orders")`): a run may pass another table.
   */
  tablesFromDefaults?: string[];
  /** Writes and reads whose table name could not be resolved statically: no table is drawn for them. */
  unresolvedTables?: UnresolvedTableRef[];
  /** First line of the class docstring. */
  doc?: string;
  /** Module (dotted) the class lives in; the graph view groups by it. */
  module: string;
}

export interface TaskEdge {
  /** Upstream (required) task id. */
  from: string;
  /** Downstream (requiring) task id. */
  to: string;
  kind: EdgeKind;
}

/** A write or read whose table name is not known without running the code (`batch.insert(get_table(), ...)`). */
export interface UnresolvedTableRef {
  access: 'write' | 'read';
  /** The file and 1-based line of the call or SQL text (a base class's file for inherited code). */
  file: string;
  line: number;
  /** What kept it unknown, as written: `self.table`, `{suffix}`, `get_table()`. */
  expression: string;
}

export interface GraphDiagnostic {
  file: string;
  /** 1-based. */
  line: number;
  column?: number;
  severity: Severity;
  message: string;
  code?: string;
}

export interface TableColumn {
  name: string;
  /** Base type as the migration writes it, upper case: INT64, STRING, ARRAY, ... */
  type: string;
}

/**
 * A Spanner table between the tasks that write it and the tasks that read it (data lineage),
 * derived from the tasks' `tables` and `tableReads` (core/analysis/lineage.ts) and the migrations.
 */
export interface GraphTable {
  /** As the migration spells it, else as the first writer (or reader) does. */
  name: string;
  /** Ids of the tasks that write it, sorted. */
  writers: string[];
  /** Ids of the tasks that read it, sorted. */
  readers: string[];
  /** Its CREATE TABLE, when a migrations folder of the workspace defines it. */
  migration?: { file: string; line: number };
  /** From the CREATE TABLE (and later ALTER TABLE ADD COLUMN), in order. */
  columns?: TableColumn[];
  primaryKey?: string[];
  /** The name comes from a luigi Parameter's default in some writer or reader: a run may name another table. */
  fromDefault?: boolean;
}

export interface GraphJson {
  tasks: TaskNode[];
  edges: TaskEdge[];
  diagnostics: GraphDiagnostic[];
  /** The Spanner tables the tasks write or read, sorted by name (absent where not computed). */
  tables?: GraphTable[];
  /** With `tables`: how many writes and reads named a table that could not be resolved (the tasks' `unresolvedTables`). */
  unresolvedTables?: { writes: number; reads: number };
}
