-- Revenue of completed orders per order date, one row per (date, batch) so that a
-- late order arriving in a later batch adds a row instead of rewriting a closed day.
CREATE TABLE DailyRevenue (
  OrderDate DATE NOT NULL,
  Batch STRING(64) NOT NULL,
  Revenue NUMERIC NOT NULL,
  OrderCount INT64 NOT NULL,
  ComputedAt TIMESTAMP NOT NULL OPTIONS (allow_commit_timestamp = true),
) PRIMARY KEY (OrderDate, Batch);

-- Completion markers of luigi_spanner tasks (luigi_spanner.marker_table_ddl()).
-- Written in the same transaction as each task's rows: the task's audit trail.
CREATE TABLE LuigiTaskMarkers (
  UpdateId STRING(MAX) NOT NULL,
  TaskId STRING(MAX) NOT NULL,
  TaskFamily STRING(MAX) NOT NULL,
  TaskParams JSON,
  TargetTable STRING(MAX),
  RowCount INT64,
  RunId STRING(64) NOT NULL,
  RunUser STRING(MAX),
  RunHost STRING(MAX),
  CommittedAt TIMESTAMP NOT NULL OPTIONS (allow_commit_timestamp = true),
) PRIMARY KEY (UpdateId);
