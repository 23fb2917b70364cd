// Options shared by every command that reaches the emulator.
import { Option, type Command } from 'commander';
import { resolveSettings, type EmulatorSettings } from '../../emulator/src/settings';

export interface EmulatorCliOptions {
  backend?: EmulatorSettings['backend'];
  image?: string;
  project?: string;
  instance?: string;
  database?: string;
  faultInjection?: boolean;
}

export function addEmulatorOptions(command: Command): Command {
  return command
    .addOption(new Option('--backend <kind>', 'emulator backend').choices(['auto', 'docker', 'binary', 'external']))
    .option('--image <image>', 'emulator image (default: $LUIGI_SPANNER_EMULATOR_IMAGE or the official image)')
    .option('--project <id>', 'Spanner project id (default: $GOOGLE_CLOUD_PROJECT or luigi-spanner-local)')
    .option('--instance <id>', 'Spanner instance id (default: $SPANNER_INSTANCE or local)')
    .option('--database <id>', 'Spanner database id (default: $SPANNER_DATABASE or pipeline)');
}

export function settingsFrom(options: EmulatorCliOptions): EmulatorSettings {
  return resolveSettings({
    backend: options.backend,
    image: options.image,
    projectId: options.project,
    instanceId: options.instance,
    databaseId: options.database,
    faultInjection: options.faultInjection,
  });
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
