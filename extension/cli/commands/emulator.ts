// `luigi-spanner emulator start|stop|status|reset|migrate|query|inspect`, each with --json.
// Modules load per command (dynamic import): finding a warm emulator must not pay for
// Testcontainers or the gRPC client, which cost about a second each to load.
import { Option, type Command } from 'commander';
import type { EmulatorSettings } from '../../../emulator/src/settings';
import type { RunningEmulator } from '../../../emulator/src/types';
import { describeEmulator } from '../../../emulator/src/describe';
import { chooseInspectDatabase, describeDatabaseChoice, readLastRun, type DatabaseChoice } from '../../core/runs/lastRun';
import { UserFacingError } from '../../core/errors';
import { addEmulatorOptions, printJson, settingsFrom, type EmulatorCliOptions } from '../options';

interface ProjectOptions extends EmulatorCliOptions {
  json?: boolean;
}

const lifecycle = () => import('../../../emulator/src/lifecycle');

function addProjectOptions(command: Command): Command {
  return addEmulatorOptions(command)
    .option('--root <dir>', 'workspace root holding luigi-spanner.json, migrations/ and seeds/ (default: the current folder)')
    .option('--migrations <dir>', 'migrations folder (default: luigi-spanner.json "migrationsDir", else <root>/migrations when it exists)')
    .option('--seeds <dir>', 'seed DML folder applied when the database is created (default: "seedsDir", else <root>/seeds when it exists)')
    .option('--name <name>', 'emulator name: emulators of the same name are reused and stopped together (default: luigi-spanner.json "name", $LUIGI_SPANNER_EMULATOR_NAME or default)')
    .option('--port <port>', 'fixed gRPC port on 127.0.0.1 (default: a free one)')
    .option('--json', 'print the result as JSON');
}

/** The running emulator the settings point at; never starts one. */
async function runningEmulator(settings: EmulatorSettings): Promise<RunningEmulator> {
  const { chooseBackend, startEmulator, emulatorStatus } = await lifecycle();
  if ((await chooseBackend(settings).catch(() => settings.backend)) === 'external') return startEmulator({ ...settings, backend: 'external' });
  const status = await emulatorStatus(settings.name);
  const match = status.emulators.find((e) => e.faultInjection === settings.faultInjection) ?? status.emulators[0];
  if (!match) {
    throw new UserFacingError(
      `No emulator named "${settings.name}" is running.`,
      `Start it: luigi-spanner emulator start${settings.name === 'default' ? '' : ` --name ${settings.name}`}`,
      'NOT_RUNNING',
    );
  }
  return match;
}

/**
 * Inspect and query read what the last run wrote by default (its run-* database, on the emulator
 * that runs now), the same default as the editor's; --database names another.
 */
function inspectDatabaseFor(options: EmulatorCliOptions, settings: EmulatorSettings, running: RunningEmulator): DatabaseChoice {
  return chooseInspectDatabase({
    explicit: options.database,
    workspaceDatabase: settings.databaseId,
    lastRun: settings.workspace ? readLastRun(settings.workspace) : undefined,
    running,
  });
}

function connection(settings: EmulatorSettings, running: RunningEmulator) {
  return {
    host: running.host,
    projectId: settings.projectId,
    instanceId: settings.instanceId,
    databaseId: settings.databaseId,
    backend: running.backend,
    name: running.name ?? settings.name,
    handle: running.handle,
    reused: running.reused,
    faultInjection: running.faultInjection,
  };
}

function exportLine(settings: EmulatorSettings, host: string): string {
  return `export SPANNER_EMULATOR_HOST=${host} GOOGLE_CLOUD_PROJECT=${settings.projectId} SPANNER_INSTANCE=${settings.instanceId} SPANNER_DATABASE=${settings.databaseId}`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)}s`;

/** A plain-text table for the terminal; --json gives the exact values. */
export function formatTable(columns: string[], rows: unknown[][]): string {
  const cell = (v: unknown) => (v === null || v === undefined ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v)).replace(/\n/g, '\\n');
  const text = rows.map((r) => r.map(cell));
  const widths = columns.map((c, i) => Math.min(60, Math.max(c.length, ...text.map((r) => (r[i] ?? '').length))));
  const line = (values: string[]) => values.map((v, i) => (v.length > widths[i]! ? `${v.slice(0, widths[i]! - 1)}…` : v.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...text.map(line)].join('\n');
}

export function registerEmulatorCommand(program: Command): void {
  const emulator = program.command('emulator').description('start, stop, reset and inspect the local Spanner emulator');

  addProjectOptions(
    emulator
      .command('start')
      .description('start (or find again) the emulator and create the instance and database with its migrations')
      .option('--fault-injection', 'start it with --enable_fault_injection: aborts a share of commits at random (chaos runs)'),
  ).action(async (options: ProjectOptions & { faultInjection?: boolean }) => {
    const started = performance.now();
    const settings = settingsFrom(options);
    const { startEmulator, ensureDatabase } = await lifecycle();
    const running = await startEmulator(settings);
    if (running.notice) process.stderr.write(`note: ${running.notice}\n`);
    const database = await ensureDatabase(running, settings);
    const millis = performance.now() - started;
    if (options.json) {
      return printJson({ ...connection(settings, running), ...(running.notice ? { notice: running.notice } : {}), migrationsApplied: database.applied, seeded: database.seeded, created: database.created, millis: Math.round(millis) });
    }
    console.log(`${running.reused ? 'Reusing' : 'Started'} the Spanner emulator (${running.backend}) at ${running.host} in ${seconds(millis)}.`);
    console.log(
      `Database projects/${settings.projectId}/instances/${settings.instanceId}/databases/${settings.databaseId}` +
        (database.applied.length ? `, migrations applied: ${database.applied.join(', ')}` : '') +
        (database.seeded.length ? `, seeds: ${database.seeded.join(', ')}` : ''),
    );
    console.log(`\n${exportLine(settings, running.host)}`);
  });

  emulator
    .command('stop')
    .description('stop every emulator this tool started (or only the one named --name)')
    .option('--name <name>', 'stop only the emulator of this name')
    .option('--json', 'print what was stopped as JSON')
    .action(async (options: { json?: boolean; name?: string }) => {
      const { stopEmulators, emulatorStatus } = await lifecycle();
      const running = (await emulatorStatus(options.name).catch(() => ({ emulators: [] as RunningEmulator[] }))).emulators;
      const stopped = await stopEmulators(options.name);
      if (options.json) return printJson({ stopped });
      if (stopped.length === 0) return console.log(`No emulator${options.name ? ` named "${options.name}"` : ''} was running.`);
      // Say what went: name, backend, address (an emulator published beyond loopback is not listed by status, only by its handle).
      for (const handle of stopped) {
        const e = running.find((r) => r.handle === handle);
        console.log(e ? `Stopped ${describeEmulator(e)}.` : `Stopped emulator ${handle.slice(0, 12)}.`);
      }
    });

  emulator
    .command('status')
    .description('show running emulators')
    .option('--name <name>', 'only the emulator of this name')
    .option('--json', 'print the status as JSON')
    .action(async (options: { json?: boolean; name?: string }) => {
      const { emulatorStatus } = await lifecycle();
      const status = await emulatorStatus(options.name);
      if (options.json) return printJson(status);
      if (status.state === 'stopped') return console.log('The emulator is stopped (luigi-spanner emulator start).');
      for (const e of status.emulators) {
        console.log(`running  ${(e.name ?? 'default').padEnd(10)} ${e.backend.padEnd(8)} ${e.host}${e.faultInjection ? '  (fault injection)' : ''}  ${e.handle.slice(0, 12)}`);
      }
    });

  addProjectOptions(
    emulator
      .command('reset')
      .description('drop and recreate the database with its migrations and seeds (fast); --full restarts the emulator')
      .option('--full', "stop the emulator and start a new one: every database on it is gone, other workspaces' too")
      .option('--fault-injection', 'the emulator to reset (or restart, with --full) is the fault-injecting one'),
  ).action(async (options: ProjectOptions & { full?: boolean; faultInjection?: boolean }) => {
    const started = performance.now();
    const settings = settingsFrom(options);
    const { resetEmulator } = await lifecycle();
    const result = await resetEmulator(settings, { full: options.full });
    if (result.emulator.notice) process.stderr.write(`note: ${result.emulator.notice}\n`);
    const millis = performance.now() - started;
    if (options.json) {
      return printJson({
        ...connection(settings, result.emulator),
        restarted: result.restarted,
        dropped: result.database.dropped,
        migrationsApplied: result.database.applied,
        seeded: result.database.seeded,
        provisionMillis: Math.round(result.database.millis),
        millis: Math.round(millis),
      });
    }
    console.log(
      `${result.restarted ? 'Restarted the emulator and recreated' : 'Recreated'} database ${settings.databaseId} at ${result.emulator.host} ` +
        `in ${seconds(millis)} (database ${Math.round(result.database.millis)} ms)` +
        (result.database.applied.length ? `, migrations: ${result.database.applied.join(', ')}` : '') +
        (result.database.seeded.length ? `, seeds: ${result.database.seeded.join(', ')}` : '') +
        '.',
    );
  });

  addProjectOptions(emulator.command('migrate').description('apply pending migrations to the database (starts the emulator when it is not running)')).action(
    async (options: ProjectOptions) => {
      const settings = settingsFrom(options);
      if (!settings.migrationsDir) {
        throw new UserFacingError('No migrations folder.', 'Pass --migrations DIR, set "migrationsDir" in luigi-spanner.json, or create <root>/migrations.', 'NO_MIGRATIONS');
      }
      const { startEmulator, ensureDatabase } = await lifecycle();
      const running = await startEmulator(settings);
      if (running.notice) process.stderr.write(`note: ${running.notice}\n`);
      const result = await ensureDatabase(running, settings);
      if (options.json) return printJson({ ...connection(settings, running), created: result.created, applied: result.applied, alreadyApplied: result.alreadyApplied });
      if (result.applied.length === 0) console.log(`Up to date: ${result.alreadyApplied.length} migration(s) applied.`);
      else console.log(`Applied ${result.applied.join(', ')}${result.alreadyApplied.length ? ` (${result.alreadyApplied.length} already applied)` : ''}.`);
    },
  );

  addProjectOptions(
    emulator
      .command('query')
      .description('run one SQL statement against the database (a query, or with --write DML in a transaction)')
      .argument('<sql>', 'the statement, e.g. "SELECT * FROM Orders LIMIT 10"')
      .addOption(new Option('--max-rows <n>', 'rows to keep').default('1000'))
      .option('--write', 'allow a statement that changes data (INSERT, UPDATE, DELETE); without it only reads run'),
  ).action(async (sql: string, options: ProjectOptions & { maxRows: string; write?: boolean }) => {
    const settings = settingsFrom(options);
    const running = await runningEmulator(settings);
    const database = inspectDatabaseFor(options, settings, running);
    const { runQuery } = await import('../../../emulator/src/inspect');
    const result = await runQuery({ ...settings, databaseId: database.databaseId, host: running.host }, sql, { maxRows: Number(options.maxRows) || 1000, allowWrites: options.write === true });
    if (options.json) return printJson({ ...result, database: database.databaseId, databaseSource: database.source, millis: Math.round(result.millis * 10) / 10 });
    console.error(`Database ${describeDatabaseChoice(database)}${database.source === 'explicit' ? '' : '; --database NAME for another'}.`);
    if (result.kind === 'dml') return console.log(`${result.rowCount} row(s) changed.`);
    console.log(formatTable(result.columns.map((c) => c.name), result.rows));
    console.log(`\n${result.rowCount} row(s)${result.truncated ? `, first ${result.rows.length} shown` : ''} in ${Math.round(result.millis)} ms.`);
  });

  addProjectOptions(
    emulator
      .command('inspect')
      .description('list tables with row counts, the migration ledger and the newest completion markers')
      .addOption(new Option('--markers <n>', 'completion markers to show').default('20')),
  ).action(async (options: ProjectOptions & { markers: string }) => {
    const settings = settingsFrom(options);
    const running = await runningEmulator(settings);
    const database = inspectDatabaseFor(options, settings, running);
    const { inspectDatabase } = await import('../../../emulator/src/inspect');
    const inspection = await inspectDatabase({ ...settings, databaseId: database.databaseId, host: running.host }, { markerLimit: Number(options.markers) || 20 });
    if (options.json) return printJson({ ...inspection, database: database.databaseId, databaseSource: database.source });
    console.log(`Database ${describeDatabaseChoice(database)} at ${running.host}${database.source === 'explicit' ? '' : ' (--database NAME for another)'}.`);
    console.log(`\nTables:`);
    console.log(formatTable(['table', 'rows', 'parent'], inspection.tables.map((t) => [t.name, t.rowCount, t.parent ?? ''])));
    console.log('\nMigrations applied:');
    console.log(formatTable(['version', 'name', 'applied at', 'checksum'], inspection.ledger.map((r) => [r.version, r.name, r.appliedAt, r.checksum.slice(0, 12)])));
    const owners = [...new Set(inspection.ledger.map((r) => r.workspace).filter(Boolean))];
    if (owners.length) console.log(`Migrated by ${owners.join(', ')}`);
    if (!inspection.markers.present) return console.log(`\nNo completion-marker table (${inspection.markers.table}).`);
    console.log(`\nNewest completion markers (${inspection.markers.table}):`);
    const columns = Object.keys(inspection.markers.rows[0] ?? { UpdateId: null });
    console.log(formatTable(columns, inspection.markers.rows.map((r) => columns.map((c) => r[c]))));
  });
}
