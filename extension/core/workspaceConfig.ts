// `luigi-spanner.json` at the workspace root: the project's emulator settings, shared by the
// CLI (--root DIR) and the editor. Paths in it are relative to the file's folder.
//
//   { "projectId": "shop-local", "instanceId": "local", "databaseId": "orders",
//     "migrationsDir": "migrations", "seedsDir": "seeds", "backend": "auto" }
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as z from 'zod/mini';
import { en } from 'zod/v4/locales';
import { UserFacingError } from './errors';

export const WORKSPACE_CONFIG_FILE = 'luigi-spanner.json';

z.config(en());

const schema = z.strictObject({
  $schema: z.optional(z.string()),
  projectId: z.optional(z.string()),
  instanceId: z.optional(z.string()),
  databaseId: z.optional(z.string()),
  migrationsDir: z.optional(z.string()),
  seedsDir: z.optional(z.string()),
  image: z.optional(z.string()),
  backend: z.optional(z.enum(['auto', 'docker', 'binary', 'external'])),
  faultInjection: z.optional(z.boolean()),
  /** Emulators of the same name are reused; see EmulatorSettings.name. */
  name: z.optional(z.string()),
  grpcPort: z.optional(z.int().check(z.minimum(0), z.maximum(65535))),
  /** The completion-marker table the pipelines write (luigi_spanner's `[spanner] marker_table`). */
  markerTable: z.optional(z.string()),
});

export type WorkspaceConfigFile = z.infer<typeof schema>;

/** The settings the file gives, with folders made absolute; `file` is where it was read from. */
export interface WorkspaceConfig extends Omit<WorkspaceConfigFile, '$schema'> {
  file?: string;
}

/**
 * Reads `<root>/luigi-spanner.json` when it exists. Folders default to `migrations` and `seeds`
 * beside it when those exist. Unknown keys and wrong types are errors that name the key.
 */
export function readWorkspaceConfig(root: string): WorkspaceConfig {
  const config = readWorkspaceConfigFile(root);
  const beside = (folder: string) => {
    const candidate = path.join(root, folder);
    return existsSync(candidate) ? candidate : undefined;
  };
  return { ...config, migrationsDir: config.migrationsDir ?? beside('migrations'), seedsDir: config.seedsDir ?? beside('seeds') };
}

/** What the file itself says (folders made absolute), without the folder defaults. */
export function readWorkspaceConfigFile(root: string): WorkspaceConfig {
  const file = path.join(root, WORKSPACE_CONFIG_FILE);
  let parsed: WorkspaceConfigFile = {};
  let found: string | undefined;
  if (existsSync(file)) {
    found = file;
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new UserFacingError(`${file} is not valid JSON: ${(error as Error).message}.`, `Fix the JSON in ${file}.`, 'BAD_CONFIG');
    }
    const result = z.safeParse(schema, json);
    if (!result.success) {
      throw new UserFacingError(
        `${file} is not a valid luigi-spanner configuration:\n${z.prettifyError(result.error)}`,
        'Allowed keys: projectId, instanceId, databaseId, migrationsDir, seedsDir, image, backend (auto|docker|binary|external), faultInjection, name, grpcPort, markerTable.',
        'BAD_CONFIG',
      );
    }
    parsed = result.data;
  }
  const { $schema: _ignored, ...settings } = parsed;
  const resolveDir = (value: string | undefined) => (value === undefined ? undefined : path.resolve(root, value));
  return {
    ...settings,
    migrationsDir: resolveDir(settings.migrationsDir),
    seedsDir: resolveDir(settings.seedsDir),
    ...(found ? { file: found } : {}),
  };
}
