// The migrations ledger: one row per applied migration; a changed checksum is drift.
// Shared by the gRPC path (provision.ts) and the light REST path (rest.ts).
//
// Each row also records the workspace (absolute folder) that applied it. Projects share one
// emulator, so a database id two workspaces both name (an explicit "databaseId", or the old shared
// default `pipeline`) would otherwise get one project's migrations checked against the other's
// files: the ledger says whose the database is, and another workspace is refused with its name.
import { existsSync } from 'node:fs';
import { UserFacingError } from '../../extension/core/errors';

export const LEDGER_TABLE = 'LuigiSpannerMigrations';

export const LEDGER_DDL = `CREATE TABLE ${LEDGER_TABLE} (
  Version INT64 NOT NULL,
  Name STRING(MAX) NOT NULL,
  Checksum STRING(64) NOT NULL,
  AppliedAt TIMESTAMP NOT NULL OPTIONS (allow_commit_timestamp = true),
  Workspace STRING(MAX)
) PRIMARY KEY (Version)`;

/** Ledgers written before the Workspace column existed gain it in place; their rows keep NULL until claimed. */
export const LEDGER_ADD_WORKSPACE_DDL = `ALTER TABLE ${LEDGER_TABLE} ADD COLUMN Workspace STRING(MAX)`;

/** The columns a new ledger row is written with (REST and client paths alike). */
export const LEDGER_COLUMNS = ['Version', 'Name', 'Checksum', 'AppliedAt', 'Workspace'] as const;

export interface LedgerRow {
  version: number;
  name: string;
  checksum: string;
  appliedAt: string;
  /** The workspace that applied it; null in ledgers from before workspaces were recorded. */
  workspace?: string | null;
}

/**
 * The other workspace a database belongs to, if any: a workspace recorded in its ledger that is not
 * `workspace` and still exists on this machine. A recorded folder that is gone (the project moved,
 * or was deleted) no longer owns anything: its database is taken over. Without a workspace of our
 * own (a library caller), nobody is refused.
 */
export function otherOwner(rows: readonly LedgerRow[], workspace: string | undefined, exists: (folder: string) => boolean = existsSync): string | undefined {
  if (!workspace) return undefined;
  return rows.map((r) => r.workspace).find((w): w is string => typeof w === 'string' && w !== '' && w !== workspace && exists(w));
}

/** True when every row was applied by `workspace`: only then may an error propose resetting the database. */
export function ownedBy(rows: readonly LedgerRow[], workspace: string | undefined): boolean {
  return Boolean(workspace) && rows.length > 0 && rows.every((r) => r.workspace === workspace);
}

/** The refusal for a database another workspace migrated: names it, and proposes nothing that would drop its data. */
export function ownedElsewhereError(databaseId: string, owner: string, workspace: string): UserFacingError {
  return new UserFacingError(
    `Database ${databaseId} belongs to another workspace: ${owner} migrated it, not ${workspace}. Its migrations and data are left as they are.`,
    'Give this workspace a database of its own: drop the shared id where it is set (luigi-spanner.json "databaseId", --database, ' +
      'SPANNER_DATABASE or the editor setting luigiSpanner.spanner.databaseId; without one each workspace gets its own), or set another id there.',
    'DATABASE_OF_ANOTHER_WORKSPACE',
  );
}
