// The one vocabulary of the Spanner client API and of this project's luigi_spanner helpers, as
// the analysis (graph facts) and the lint rules recognise them in Python source. A name the
// client adds is added here once.

/** Mutation methods of a batch, a transaction, a mutation group and luigi_spanner.Mutation. */
export const MUTATION_METHODS: ReadonlySet<string> = new Set(['insert', 'update', 'insert_or_update', 'replace', 'delete']);

/** Read methods of a snapshot or a transaction: `read(table, columns, keyset, ...)`. */
export const READ_METHODS: ReadonlySet<string> = new Set(['read']);

/** Methods that run a query: `execute_sql(sql, params=...)` on a snapshot or a transaction. */
export const QUERY_METHODS: ReadonlySet<string> = new Set(['execute_sql']);

/** Methods that run DML (INSERT / UPDATE / DELETE statements). */
export const DML_METHODS: ReadonlySet<string> = new Set(['execute_update', 'batch_update', 'execute_partitioned_dml']);

/** The commit timestamp sentinel, fully qualified. */
export const COMMIT_TIMESTAMP_NAMES: ReadonlySet<string> = new Set(['google.cloud.spanner.COMMIT_TIMESTAMP', 'google.cloud.spanner_v1.COMMIT_TIMESTAMP', 'google.cloud.spanner_v1.param_types.COMMIT_TIMESTAMP']);

/** SQL functions that write the commit timestamp. */
export const COMMIT_TIMESTAMP_FUNCTIONS: ReadonlySet<string> = new Set(['PENDING_COMMIT_TIMESTAMP', 'SPANNER.PENDING_COMMIT_TIMESTAMP']);

// ---- luigi_spanner (extension/python/luigi_spanner) ----

/** The atomic task base: its run() commits mutations()/write(transaction) with the marker. */
export const SPANNER_TASK_BASES: ReadonlySet<string> = new Set(['luigi_spanner.SpannerTask', 'luigi_spanner.task.SpannerTask']);

export const MUTATION_CLASSES: ReadonlySet<string> = new Set(['luigi_spanner.Mutation', 'luigi_spanner.task.Mutation']);

/** The marker target whose record(transaction, ...) writes the marker row in a transaction. */
export const MARKER_TARGETS: ReadonlySet<string> = new Set(['luigi_spanner.SpannerMarkerTarget', 'luigi_spanner.target.SpannerMarkerTarget']);

/** Functions that return a Database. */
export const CONNECT_FUNCTIONS: ReadonlySet<string> = new Set(['luigi_spanner.connect', 'luigi_spanner.settings.connect']);

/** Table names that hold completion markers (luigi_spanner's, and luigi.contrib's `table_updates`). */
export const MARKER_TABLE = /marker|^table_updates$/i;
