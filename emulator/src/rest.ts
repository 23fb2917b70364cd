// The light paths through the emulator's REST gateway (a few HTTP calls, no gRPC client to
// load, which costs ~1 s): prove a database is migrated, create a fresh one with its
// migrations, list and drop run databases. Anything they cannot do returns false and the caller
// takes the full path through the Spanner client, which also produces the precise errors
// (drift, a failing statement named, missing instance, ...).
import http from 'node:http';
import { splitHost } from './env';
import { LEDGER_COLUMNS, LEDGER_DDL, LEDGER_TABLE } from './ledger';
import type { Migration } from './migrations';

export interface RestTarget {
  restHost: string;
  projectId: string;
  instanceId: string;
  databaseId: string;
}

function restCall<T>(restHost: string, method: string, requestPath: string, body?: unknown): Promise<{ status: number; json: T }> {
  const [host, port] = splitHost(restHost);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host, port, method, path: requestPath, timeout: 3_000, headers: payload ? { 'content-type': 'application/json' } : {} },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : {};
          } catch {
            json = {};
          }
          resolve({ status: response.statusCode ?? 0, json: json as T });
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error('REST call timed out')));
    request.on('error', reject);
    request.end(payload);
  });
}

const databasePath = (t: RestTarget) => `/v1/projects/${t.projectId}/instances/${t.instanceId}/databases/${t.databaseId}`;

/** Runs `work` in a session of the database, deleted afterwards; undefined when no session opens. */
async function withSession<T>(target: RestTarget, work: (session: string) => Promise<T>): Promise<T | undefined> {
  const session = await restCall<{ name?: string }>(target.restHost, 'POST', `${databasePath(target)}/sessions`, {});
  if (session.status !== 200 || !session.json.name) return undefined;
  try {
    return await work(session.json.name);
  } finally {
    await restCall(target.restHost, 'DELETE', `/v1/${session.json.name}`).catch(() => undefined);
  }
}

/**
 * Creates the database with the ledger and every migration in one CreateDatabase, then records
 * the migrations in the ledger. False when anything fails (a bad statement, no instance, an id
 * taken): the partial database, if any, is dropped and the caller goes through provision(),
 * which names the failing migration and statement.
 */
export async function createDatabaseViaRest(target: RestTarget, migrations: Migration[], workspace?: string): Promise<boolean> {
  const instance = `/v1/projects/${target.projectId}/instances/${target.instanceId}`;
  let created = false;
  try {
    const answer = await restCall<{ done?: boolean; error?: unknown; response?: { state?: string } }>(target.restHost, 'POST', `${instance}/databases`, {
      createStatement: `CREATE DATABASE \`${target.databaseId}\``,
      extraStatements: [LEDGER_DDL, ...migrations.flatMap((m) => m.statements)],
    });
    // A rejected CreateDatabase creates nothing (and an id already taken is not ours to drop).
    if (answer.status !== 200) return false;
    created = true;
    // The emulator applies the DDL before it answers; an operation still pending is not worth polling here.
    const ready = answer.json.done === true && !answer.json.error && answer.json.response?.state === 'READY';
    if (ready && migrations.length === 0) return true;
    const committed = ready
      ? await withSession(target, (session) =>
          restCall<{ commitTimestamp?: string }>(target.restHost, 'POST', `/v1/${session}:commit`, {
            singleUseTransaction: { readWrite: {} },
            mutations: [
              {
                insert: {
                  table: LEDGER_TABLE,
                  columns: [...LEDGER_COLUMNS],
                  values: migrations.map((m) => [String(m.version), m.name, m.checksum, 'spanner.commit_timestamp()', workspace ?? null]),
                },
              },
            ],
          }),
        )
      : undefined;
    if (committed?.status === 200 && committed.json.commitTimestamp) return true;
  } catch {
    // Fall through: undo what was made, let the caller take the full path.
  }
  if (created) await dropDatabaseViaRest(target).catch(() => undefined);
  return false;
}

/** Database ids of the instance; undefined when the gateway does not answer as expected. */
export async function listDatabasesViaRest(target: Omit<RestTarget, 'databaseId'>): Promise<string[] | undefined> {
  const ids: string[] = [];
  let pageToken = '';
  do {
    const query = pageToken ? `?pageToken=${encodeURIComponent(pageToken)}` : '';
    const page = await restCall<{ databases?: Array<{ name: string }>; nextPageToken?: string }>(
      target.restHost,
      'GET',
      `/v1/projects/${target.projectId}/instances/${target.instanceId}/databases${query}`,
    );
    if (page.status !== 200) return undefined;
    ids.push(...(page.json.databases ?? []).map((d) => d.name.split('/').pop()!));
    pageToken = page.json.nextPageToken ?? '';
  } while (pageToken);
  return ids;
}

/**
 * Drops a database through the gateway. Only ever called with the REST endpoint of an emulator
 * this tool found or started (docker or binary backend): a real Spanner has no such endpoint.
 */
export async function dropDatabaseViaRest(target: RestTarget): Promise<boolean> {
  const dropped = await restCall(target.restHost, 'DELETE', databasePath(target));
  return dropped.status === 200;
}

/**
 * True when the database is READY and its ledger holds exactly `migrations`, checksums equal, each
 * applied by `workspace` (when given). Anything else (another workspace's database, a ledger from
 * before workspaces were recorded) takes the client path, which refuses, or migrates and claims.
 */
export async function isProvisionedViaRest(target: RestTarget, migrations: Migration[], workspace?: string): Promise<boolean> {
  try {
    const db = await restCall<{ state?: string }>(target.restHost, 'GET', databasePath(target));
    if (db.status !== 200 || db.json.state !== 'READY') return false;
    const proven = await withSession(target, async (session) => {
      const result = await restCall<{ rows?: string[][] }>(target.restHost, 'POST', `/v1/${session}:executeSql`, {
        sql: `SELECT CAST(Version AS STRING), Checksum, Workspace FROM ${LEDGER_TABLE} ORDER BY Version`,
      });
      if (result.status !== 200) return false;
      const rows = (result.json.rows ?? []) as Array<Array<string | null>>;
      const mine = (row: Array<string | null> | undefined) => workspace === undefined || row?.[2] === workspace;
      return rows.length === migrations.length && migrations.every((m, i) => rows[i]?.[0] === String(m.version) && rows[i]?.[1] === m.checksum && mine(rows[i]));
    });
    return proven === true;
  } catch {
    return false;
  }
}
