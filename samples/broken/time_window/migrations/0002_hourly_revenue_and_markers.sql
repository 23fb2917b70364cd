-- Revenue per ingestion hour, one row per closed window.
CREATE TABLE HourlyRevenue (
  Hour TIMESTAMP NOT NULL,
  Revenue NUMERIC NOT NULL,
  OrderCount INT64 NOT NULL,
  ComputedAt TIMESTAMP NOT NULL OPTIONS (allow_commit_timestamp = true),
) PRIMARY KEY (Hour);

-- Completion markers of luigi_spanner tasks (luigi_spanner.marker_table_ddl()).
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
