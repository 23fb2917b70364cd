// The migrations ledger: one row per applied migration; a changed checksum is drift.
// Shared by the gRPC path (provision.ts) and the light REST path (rest.ts).
export const LEDGER_TABLE = 'LuigiSpannerMigrations';

export const LEDGER_DDL = `CREATE TABLE ${LEDGER_TABLE} (
  Version INT64 NOT NULL,
  Name STRING(MAX) NOT NULL,
  Checksum STRING(64) NOT NULL,
  AppliedAt TIMESTAMP NOT NULL OPTIONS (allow_commit_timestamp = true)
) PRIMARY KEY (Version)`;
