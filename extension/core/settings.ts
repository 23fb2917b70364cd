// The one settings resolver: every CLI command and the editor get their emulator and database
// settings here, in one order of precedence:
//
//   flags (CLI options, editor settings the user set) > luigi-spanner.json > environment > defaults
//
// The defaults of a workspace are its own: the database id is derived from the workspace folder
// (two projects on one emulator never share a database by accident), the migrations folder is
// the nearest `migrations/` above the pipeline, the marker table is the one luigi.cfg names.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { resolveSettings, type BackendChoice, type EmulatorSettings } from '../../emulator/src/settings';
import { MARKER_TABLE_CONFIG } from '../shared/contract';
import { readWorkspaceConfigFile } from './workspaceConfig';

/** Values set explicitly by the caller: CLI flags, editor settings. Paths absolute. */
export interface SettingsFlags {
  backend?: BackendChoice;
  image?: string;
  projectId?: string;
  instanceId?: string;
  databaseId?: string;
  faultInjection?: boolean;
  name?: string;
  grpcPort?: number;
  migrationsDir?: string;
  seedsDir?: string;
  markerTable?: string;
}

export interface WorkspaceSettings extends EmulatorSettings {
  /** The workspace root (canonical absolute path); also recorded as the ledger's workspace. */
  workspace: string;
  /** The luigi-spanner.json read, when there was one. */
  configFile?: string;
}

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  /**
   * The pipeline a run starts from: without an explicit migrations folder, the nearest
   * `migrations/` at or above it (not above the root) is the one.
   */
  pipelineFile?: string;
}

export function resolveWorkspaceSettings(root: string, flags: SettingsFlags = {}, options: ResolveOptions = {}): WorkspaceSettings {
  const env = options.env ?? process.env;
  const workspace = canonicalPath(root);
  const file = readWorkspaceConfigFile(workspace);
  const migrationsDir =
    flags.migrationsDir ??
    file.migrationsDir ??
    (options.pipelineFile ? findMigrationsDir(options.pipelineFile, workspace) : undefined) ??
    existingDir(path.join(workspace, 'migrations'));
  const settings = resolveSettings(
    {
      backend: flags.backend ?? file.backend,
      image: flags.image ?? file.image,
      projectId: flags.projectId ?? file.projectId,
      instanceId: flags.instanceId ?? file.instanceId,
      databaseId: flags.databaseId ?? file.databaseId,
      faultInjection: flags.faultInjection ?? file.faultInjection,
      name: flags.name ?? file.name,
      grpcPort: flags.grpcPort ?? file.grpcPort,
      migrationsDir,
      seedsDir: flags.seedsDir ?? file.seedsDir ?? existingDir(path.join(workspace, 'seeds')),
      markerTable: flags.markerTable ?? file.markerTable,
      workspace,
    },
    env,
    { databaseId: workspaceDatabaseId(workspace), markerTable: luigiCfgMarkerTable(workspace, env) },
  );
  return { ...settings, workspace, ...(file.file ? { configFile: file.file } : {}) };
}

/**
 * The default database id of a workspace: the folder's name as a slug plus a short hash of its
 * absolute path, e.g. `orders-3fa2c1`. Stable across runs, readable in `emulator status`, distinct
 * for two folders of the same name, and a valid Spanner id (2-30 chars, `[a-z][a-z0-9_-]*[a-z0-9]`).
 */
export function workspaceDatabaseId(root: string): string {
  const absolute = canonicalPath(root);
  const hash = workspaceTag(absolute);
  let slug = path
    .basename(absolute)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(slug)) slug = `ws-${slug}`;
  slug = slug.slice(0, 30 - 1 - hash.length).replace(/-+$/, '');
  return `${slug}-${hash}`;
}

/** Six hex digits of a hash of the workspace's absolute path: tells its databases from other workspaces'. */
export function workspaceTag(root: string): string {
  return createHash('sha256').update(canonicalPath(root)).digest('hex').slice(0, 6);
}

/** The nearest `migrations/` folder at or above the pipeline file, not above `root`. */
export function findMigrationsDir(pipelineFile: string, root: string): string | undefined {
  let dir = path.dirname(path.resolve(pipelineFile));
  const stop = path.resolve(root);
  for (;;) {
    const candidate = existingDir(path.join(dir, 'migrations'));
    if (candidate) return candidate;
    if (dir === stop || path.dirname(dir) === dir || !dir.startsWith(stop)) return undefined;
    dir = path.dirname(dir);
  }
}

/**
 * `marker_table` under `[spanner]` in the workspace's luigi.cfg (or $LUIGI_CONFIG_PATH, which Luigi
 * reads last): where luigi_spanner is told about a custom marker table, so inspect, the run
 * history and the debugger read the same table the pipelines write.
 */
export function luigiCfgMarkerTable(root: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const files = [path.join(root, 'luigi.cfg'), ...(env.LUIGI_CONFIG_PATH ? [path.resolve(root, env.LUIGI_CONFIG_PATH)] : [])];
  let table: string | undefined;
  for (const file of files) table = iniValue(file, MARKER_TABLE_CONFIG.section, MARKER_TABLE_CONFIG.option) ?? table;
  return table;
}

/** One value of an INI file as Python's configparser reads it (`key = value` or `key: value`). */
function iniValue(file: string, section: string, key: string): string | undefined {
  let text: string;
  try {
    if (!file.endsWith('.cfg') || !statSync(file).isFile()) return undefined;
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  let current = '';
  let value: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      current = header[1]!.trim();
      continue;
    }
    const pair = /^([^=:]+)[=:](.*)$/.exec(line);
    if (current === section && pair && pair[1]!.trim().toLowerCase() === key) value = pair[2]!.trim() || undefined;
  }
  return value;
}

function existingDir(dir: string): string | undefined {
  try {
    return statSync(dir).isDirectory() ? dir : undefined;
  } catch {
    return undefined;
  }
}

function canonicalPath(root: string): string {
  const absolute = path.resolve(root);
  return existsSync(absolute) ? realpathSync(absolute) : absolute;
}
