-- Hand-rolled completion markers, shaped like luigi.contrib's `table_updates`.
CREATE TABLE TaskMarkers (
  UpdateId STRING(MAX) NOT NULL,
  TargetTable STRING(MAX),
  InsertedAt TIMESTAMP NOT NULL OPTIONS (allow_commit_timestamp = true),
) PRIMARY KEY (UpdateId);
