import { UserFacingError } from '../../extension/core/errors';
import { ENV, MARKER_TABLE } from '../../extension/shared/contract';

/** The official image, pinned. Same emulator version as the binaries that `build-image.sh` packs. */
export const OFFICIAL_EMULATOR_IMAGE = 'gcr.io/cloud-spanner-emulator/emulator:1.5.28';

export type BackendChoice = 'auto' | 'docker' | 'binary' | 'external';
export type BackendKind = Exclude<BackendChoice, 'auto'>;
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'docker', 'binary', 'external'];

export interface EmulatorSettings {
  backend: BackendChoice;
  /** Container image for the docker backend. */
  image: string;
  projectId: string;
  instanceId: string;
  databaseId: string;
  /** Start the emulator with --enable_fault_injection (aborts a share of commits at random). */
  faultInjection: boolean;
  /**
   * Tells emulators of this tool apart: `start`, `stop` and reuse only look at emulators of the
   * same name. `default` unless set; tests and chaos runs use their own.
   */
  name: string;
  /** Fixed gRPC port on 127.0.0.1; 0 picks a free one. */
  grpcPort: number;
  /** Folder of versioned migration files (absolute), when there is one. */
  migrationsDir?: string;
  /** Folder of seed DML files applied after the migrations when the database is created. */
  seedsDir?: string;
  /** The completion-marker table luigi_spanner writes (`[spanner] marker_table`); inspect and the debugger read it. */
  markerTable: string;
  /**
   * The workspace these settings belong to (absolute path), recorded in the migrations ledger:
   * a database another workspace migrated is refused instead of being migrated over.
   */
  workspace?: string;
}

/** The marker table luigi_spanner writes unless told otherwise (extension/shared/contract.json). */
export const DEFAULT_MARKER_TABLE = MARKER_TABLE;

/** Read by luigi_spanner before `[spanner] marker_table`: how a run is told the table the workspace settled on. */
export const MARKER_TABLE_ENV = ENV.markerTable;

export const DEFAULT_SETTINGS: Omit<EmulatorSettings, 'image'> = {
  backend: 'auto',
  projectId: 'luigi-spanner-local',
  instanceId: 'local',
  // Outside a workspace only: extension/core/settings.ts derives a database id per workspace.
  databaseId: 'pipeline',
  faultInjection: false,
  name: 'default',
  grpcPort: 0,
  markerTable: DEFAULT_MARKER_TABLE,
};

/**
 * Settings from, in order of precedence: explicit overrides (CLI flags, VS Code settings,
 * luigi-spanner.json), environment variables, `defaults` (a workspace's own, e.g. its database id),
 * the tool's defaults. Ids are validated here so that no call reaches Spanner with an id it would
 * reject half-way through provisioning. Workspaces resolve through extension/core/settings.ts.
 */
export function resolveSettings(
  overrides: Partial<EmulatorSettings> = {},
  env: NodeJS.ProcessEnv = process.env,
  defaults: Partial<EmulatorSettings> = {},
): EmulatorSettings {
  const given = <K extends keyof EmulatorSettings>(value: EmulatorSettings[K] | undefined) => (value !== undefined && value !== '' ? value : undefined);
  const pick = <K extends keyof EmulatorSettings>(key: K, fromEnv: EmulatorSettings[K] | undefined) =>
    (given(overrides[key]) ?? given(fromEnv) ?? given(defaults[key])) as EmulatorSettings[K] | undefined;
  const backend = pick('backend', env.LUIGI_SPANNER_BACKEND as BackendChoice | undefined) ?? DEFAULT_SETTINGS.backend;
  if (!BACKEND_CHOICES.includes(backend)) {
    throw new UserFacingError(`Unknown emulator backend "${backend}".`, 'Use one of: auto, docker, binary, external.', 'INVALID_SETTING');
  }
  const envPort = env.LUIGI_SPANNER_EMULATOR_PORT ? Number(env.LUIGI_SPANNER_EMULATOR_PORT) : undefined;
  const settings: EmulatorSettings = {
    backend,
    image: pick('image', env.LUIGI_SPANNER_EMULATOR_IMAGE || undefined) ?? OFFICIAL_EMULATOR_IMAGE,
    projectId: pick('projectId', env.GOOGLE_CLOUD_PROJECT || undefined) ?? DEFAULT_SETTINGS.projectId,
    instanceId: pick('instanceId', env.SPANNER_INSTANCE || undefined) ?? DEFAULT_SETTINGS.instanceId,
    databaseId: pick('databaseId', env.SPANNER_DATABASE || undefined) ?? DEFAULT_SETTINGS.databaseId,
    faultInjection: pick('faultInjection', env.LUIGI_SPANNER_FAULT_INJECTION === 'true' ? true : undefined) ?? false,
    name: pick('name', env.LUIGI_SPANNER_EMULATOR_NAME || undefined) ?? DEFAULT_SETTINGS.name,
    grpcPort: pick('grpcPort', envPort) ?? DEFAULT_SETTINGS.grpcPort,
    migrationsDir: pick('migrationsDir', undefined),
    seedsDir: pick('seedsDir', undefined),
    markerTable: pick('markerTable', env[MARKER_TABLE_ENV] || undefined) ?? DEFAULT_SETTINGS.markerTable,
  };
  const workspace = pick('workspace', undefined);
  if (workspace) settings.workspace = workspace;
  validateIds(settings);
  validateTableName(settings.markerTable);
  validateName(settings.name);
  validatePort(settings.grpcPort);
  return settings;
}

// Spanner's own id rules (instance: 2-64, database: 2-30, lowercase, start with a letter).
const INSTANCE_ID = /^[a-z][-a-z0-9]{0,62}[a-z0-9]$/;
const DATABASE_ID = /^[a-z][a-z0-9_-]{0,28}[a-z0-9]$/;
const PROJECT_ID = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/;
const EMULATOR_NAME = /^[a-z0-9][a-z0-9_.-]{0,62}$/;

export function validateIds(ids: Pick<EmulatorSettings, 'projectId' | 'instanceId' | 'databaseId'>): void {
  if (!PROJECT_ID.test(ids.projectId)) {
    throw new UserFacingError(
      `Invalid project id "${ids.projectId}".`,
      'Use 6-30 lowercase letters, digits or hyphens, starting with a letter (for example luigi-spanner-local).',
      'INVALID_ID',
    );
  }
  if (!INSTANCE_ID.test(ids.instanceId)) {
    throw new UserFacingError(
      `Invalid instance id "${ids.instanceId}".`,
      'Use 2-64 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen.',
      'INVALID_ID',
    );
  }
  if (!DATABASE_ID.test(ids.databaseId)) {
    throw new UserFacingError(
      `Invalid database id "${ids.databaseId}".`,
      'Use 2-30 lowercase letters, digits, underscores or hyphens, starting with a letter.',
      'INVALID_ID',
    );
  }
}

// luigi_spanner's own rule for marker_table (settings.py _IDENTIFIER).
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,127}$/;

export function validateTableName(table: string): void {
  if (!TABLE_NAME.test(table)) {
    throw new UserFacingError(
      `Invalid marker table name "${table}".`,
      'Use up to 128 letters, digits or underscores, starting with a letter (the default is LuigiTaskMarkers).',
      'INVALID_SETTING',
    );
  }
}

function validateName(name: string): void {
  if (!EMULATOR_NAME.test(name)) {
    throw new UserFacingError(
      `Invalid emulator name "${name}".`,
      'Use up to 63 lowercase letters, digits, dots, underscores or hyphens (for example default or chaos).',
      'INVALID_ID',
    );
  }
}

function validatePort(port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UserFacingError(`Invalid emulator port "${port}".`, 'Use a port number from 1024 to 65535, or 0 for a free one.', 'INVALID_SETTING');
  }
}
