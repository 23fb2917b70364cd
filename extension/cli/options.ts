// Options shared by every command that reaches the emulator, resolved through core/settings.ts
// (flags > luigi-spanner.json > environment > defaults).
import path from 'node:path';
import { Option, type Command } from 'commander';
import type { BackendChoice } from '../../emulator/src/settings';
import { UserFacingError } from '../core/errors';
import { resolveWorkspaceSettings, type WorkspaceSettings } from '../core/settings';

export interface EmulatorCliOptions {
  backend?: BackendChoice;
  image?: string;
  project?: string;
  instance?: string;
  database?: string;
  markerTable?: string;
  faultInjection?: boolean;
  /** Workspace root holding luigi-spanner.json (default: the current folder). */
  root?: string;
  name?: string;
  port?: string;
  migrations?: string;
  seeds?: string;
}

export function addEmulatorOptions(command: Command): Command {
  return command
    .addOption(new Option('--backend <kind>', 'emulator backend').choices(['auto', 'docker', 'binary', 'external']))
    .option('--image <image>', 'emulator image (default: luigi-spanner.json "image", $LUIGI_SPANNER_EMULATOR_IMAGE or the official image)')
    .option('--project <id>', 'Spanner project id (default: luigi-spanner.json "projectId", $GOOGLE_CLOUD_PROJECT or luigi-spanner-local)')
    .option('--instance <id>', 'Spanner instance id (default: luigi-spanner.json "instanceId", $SPANNER_INSTANCE or local)')
    .option('--database <id>', "Spanner database id (default: luigi-spanner.json \"databaseId\", $SPANNER_DATABASE or one derived from the workspace folder)")
    .option('--marker-table <name>', 'completion-marker table (default: luigi-spanner.json "markerTable", $LUIGI_SPANNER_MARKER_TABLE, luigi.cfg [spanner] marker_table or LuigiTaskMarkers)');
}

/** The workspace's settings for a command: its flags over luigi-spanner.json in --root over the environment. */
export function settingsFrom(options: EmulatorCliOptions, extra: { pipelineFile?: string; env?: NodeJS.ProcessEnv } = {}): WorkspaceSettings {
  const port = options.port !== undefined ? Number(options.port) : undefined;
  if (port !== undefined && !Number.isInteger(port)) {
    throw new UserFacingError(`--port must be a number, got "${options.port}".`, 'Give a port such as 9010, or 0 for a free one.', 'INVALID_SETTING');
  }
  const absolute = (dir: string | undefined) => (dir === undefined ? undefined : path.resolve(dir));
  return resolveWorkspaceSettings(
    options.root ?? process.cwd(),
    {
      backend: options.backend,
      image: options.image,
      projectId: options.project,
      instanceId: options.instance,
      databaseId: options.database,
      markerTable: options.markerTable,
      faultInjection: options.faultInjection,
      name: options.name,
      grpcPort: port,
      migrationsDir: absolute(options.migrations),
      seedsDir: absolute(options.seeds),
    },
    extra,
  );
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
