// The warm path: proves through the emulator's REST gateway (a few HTTP calls, no gRPC client
// to load) that a database exists with exactly the expected migrations applied. Anything it
// cannot prove returns false and the caller takes the full path through the Spanner client,
// which also produces the precise errors (drift, missing instance, ...).
import http from 'node:http';
import type { Migration } from './migrations';
import { splitHost } from './env';

const LEDGER_TABLE = 'LuigiSpannerMigrations';

interface RestTarget {
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

/** True when the database is READY and its ledger holds exactly `migrations`, checksums equal. */
export async function isProvisionedViaRest(target: RestTarget, migrations: Migration[]): Promise<boolean> {
  const database = `/v1/projects/${target.projectId}/instances/${target.instanceId}/databases/${target.databaseId}`;
  try {
    const db = await restCall<{ state?: string }>(target.restHost, 'GET', database);
    if (db.status !== 200 || db.json.state !== 'READY') return false;
    const session = await restCall<{ name?: string }>(target.restHost, 'POST', `${database}/sessions`, {});
    if (session.status !== 200 || !session.json.name) return false;
    try {
      const result = await restCall<{ rows?: string[][] }>(target.restHost, 'POST', `/v1/${session.json.name}:executeSql`, {
        sql: `SELECT CAST(Version AS STRING), Checksum FROM ${LEDGER_TABLE} ORDER BY Version`,
      });
      if (result.status !== 200) return false;
      const rows = result.json.rows ?? [];
      return (
        rows.length === migrations.length &&
        migrations.every((m, i) => rows[i]?.[0] === String(m.version) && rows[i]?.[1] === m.checksum)
      );
    } finally {
      await restCall(target.restHost, 'DELETE', `/v1/${session.json.name}`).catch(() => undefined);
    }
  } catch {
    return false;
  }
}
