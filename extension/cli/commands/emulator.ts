import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { emulatorStatus, provision, startEmulator, stopEmulators } from '../../../emulator/src';
import { addEmulatorOptions, printJson, settingsFrom, type EmulatorCliOptions } from '../options';

interface StartOptions extends EmulatorCliOptions {
  json?: boolean;
  migrations?: string;
}

export function registerEmulatorCommand(program: Command): void {
  const emulator = program.command('emulator').description('start, stop and inspect the local Spanner emulator');

  addEmulatorOptions(
    emulator
      .command('start')
      .description('start (or find again) the emulator and create the instance and database')
      .option('--migrations <dir>', 'apply the migrations in this folder (default: ./migrations when it exists)')
      .option('--fault-injection', 'abort a share of commits at random (chaos runs)')
      .option('--json', 'print the connection as JSON'),
  ).action(async (options: StartOptions) => {
    const settings = settingsFrom(options);
    const started = performance.now();
    const running = await startEmulator(settings);
    const migrationsDir = options.migrations ?? (existsSync('migrations') ? 'migrations' : undefined);
    const result = await provision({ ...settings, host: running.host, migrationsDir: migrationsDir && path.resolve(migrationsDir) });
    const connection = {
      host: running.host,
      projectId: settings.projectId,
      instanceId: settings.instanceId,
      databaseId: settings.databaseId,
      backend: running.backend,
      reused: running.reused,
      faultInjection: running.faultInjection,
      migrationsApplied: result.applied,
    };
    if (options.json) return printJson(connection);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`${running.reused ? 'Reusing' : 'Started'} the Spanner emulator (${running.backend}) at ${running.host} in ${seconds}s.`);
    console.log(`Database projects/${settings.projectId}/instances/${settings.instanceId}/databases/${settings.databaseId}` +
      (result.applied.length ? `, migrations applied: ${result.applied.join(', ')}` : ''));
    console.log(`\nexport SPANNER_EMULATOR_HOST=${running.host} GOOGLE_CLOUD_PROJECT=${settings.projectId} SPANNER_INSTANCE=${settings.instanceId} SPANNER_DATABASE=${settings.databaseId}`);
  });

  emulator
    .command('stop')
    .description('stop every emulator this tool started')
    .option('--json', 'print what was stopped as JSON')
    .action(async (options: { json?: boolean }) => {
      const stopped = await stopEmulators();
      if (options.json) return printJson({ stopped });
      console.log(stopped.length ? `Stopped ${stopped.length} emulator(s).` : 'No emulator was running.');
    });

  emulator
    .command('status')
    .description('show running emulators')
    .option('--json', 'print the status as JSON')
    .action(async (options: { json?: boolean }) => {
      const status = await emulatorStatus();
      if (options.json) return printJson(status);
      if (status.state === 'stopped') return console.log('The emulator is stopped (luigi-spanner emulator start).');
      for (const e of status.emulators) {
        console.log(`running  ${e.backend.padEnd(8)} ${e.host}${e.faultInjection ? '  (fault injection)' : ''}  ${e.handle.slice(0, 12)}`);
      }
    });
}
