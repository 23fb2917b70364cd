// The disk side of the lint: finds the Python files and the migration folders of a workspace,
// reads them, and runs the engine over them (the CLI's path; the editor feeds the engine itself).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { indexWorkspace } from '../analysis/workspace-files';
import { readPythonSource } from '../analysis/workspace-files';
import { readWorkspaceConfig } from '../workspaceConfig';
import { compareFindings, Linter } from './engine';
import type { Finding, LintConfig } from './types';

const SKIPPED_FOLDERS = new Set(['node_modules', '__pycache__', 'site-packages', 'venv', 'env', 'dist']);

export interface LintWorkspaceOptions {
  /** Files or folders to lint, absolute or relative to the current folder; default: the root. */
  paths?: string[];
  config?: LintConfig;
}

export interface LintWorkspaceResult {
  findings: Finding[];
  /** Root-relative Python files and migration files linted. */
  pythonFiles: string[];
  migrationFiles: string[];
  linter: Linter;
}

/** Every folder named `migrations` under `root` (root-relative), hidden and vendored folders skipped. */
export function findMigrationDirs(root: string): string[] {
  const found: string[] = [];
  const pending = [''];
  while (pending.length) {
    const relative = pending.pop()!;
    let entries;
    try {
      entries = readdirSync(path.join(root, relative), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name.startsWith('.') || SKIPPED_FOLDERS.has(entry.name)) continue;
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.name === 'migrations') found.push(child);
      else pending.push(child);
    }
  }
  return found.sort();
}

/**
 * Gives `linter` every .sql file of the workspace's migrations folders (every `migrations/` under
 * `root`, plus `defaultMigrationsDir`, root-relative); returns their root-relative paths.
 */
export function loadMigrationFiles(root: string, linter: Linter, defaultMigrationsDir?: string): string[] {
  const migrationDirs = new Set(findMigrationDirs(root));
  if (defaultMigrationsDir) migrationDirs.add(defaultMigrationsDir);
  const migrationFiles: string[] = [];
  for (const dir of migrationDirs) {
    let names: string[] = [];
    try {
      names = readdirSync(path.join(root, dir)).filter((n) => n.toLowerCase().endsWith('.sql'));
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      const file = `${dir}/${name}`;
      const absolute = path.join(root, file);
      if (!statSync(absolute).isFile()) continue;
      linter.setMigration(file, readFileSync(absolute, 'utf8'));
      migrationFiles.push(file);
    }
  }
  return migrationFiles;
}

export function lintWorkspace(root: string, options: LintWorkspaceOptions = {}): LintWorkspaceResult {
  const absoluteRoot = path.resolve(root);
  const requested = (options.paths ?? []).map((p) => path.resolve(p));
  const { index, files } = indexWorkspace(absoluteRoot, { paths: requested });
  const workspaceConfig = readWorkspaceConfig(absoluteRoot);
  const toRelative = (absolute: string) => path.relative(absoluteRoot, absolute).split(path.sep).join('/');
  const defaultMigrationsDir = workspaceConfig.migrationsDir ? toRelative(workspaceConfig.migrationsDir) : undefined;
  const linter = new Linter({ index, ...(options.config ? { config: options.config } : {}), ...(defaultMigrationsDir ? { defaultMigrationsDir } : {}) });

  const inRequested = (relative: string) => requested.length === 0 || requested.some((p) => {
    const r = toRelative(p);
    return r === '' || relative === r || relative.startsWith(`${r}/`);
  });

  const migrationFiles = loadMigrationFiles(absoluteRoot, linter, defaultMigrationsDir);

  const findings: Finding[] = [];
  const pythonFiles = files.filter(inRequested);
  for (const file of pythonFiles) {
    // The index read and parsed the file a moment ago: lint that text (and its tree), not a new read.
    const indexed = index.text(file);
    const source = indexed !== undefined ? { text: indexed } : readPythonSource(path.join(absoluteRoot, file));
    if ('text' in source) findings.push(...linter.lintPythonFile(file, source.text));
  }
  for (const dir of linter.migrationDirs()) {
    for (const finding of linter.lintMigrationDir(dir)) if (inRequested(finding.file)) findings.push(finding);
  }
  return { findings: findings.sort(compareFindings), pythonFiles, migrationFiles: migrationFiles.filter(inRequested), linter };
}
