// Versioned migration files: `0001_orders.sql`, `0002_add_index.sql`, ... applied in version order.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { UserFacingError } from '../../extension/core/errors';
import { MIGRATION_FILE, MIGRATION_FILE_EXAMPLE } from '../../extension/shared/contract';

export interface Migration {
  version: number;
  name: string;
  file: string;
  checksum: string;
  statements: string[];
}

// The file-name rule is the contract's (extension/shared/contract.json), applied alike by luigi_spanner.
export { MIGRATION_FILE };

/**
 * Splits GoogleSQL DDL/DML text into statements on `;`, ignoring semicolons inside
 * quoted strings (', ", ` and their triple-quoted forms) and comments (--, #, /* *\/).
 * Spanner's own API takes statements without the trailing `;`.
 * (No maintained npm splitter knows GoogleSQL's triple quotes and `#` comments.)
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  let i = 0;
  const flush = () => {
    const text = stripComments(current).trim();
    if (text) statements.push(text);
    current = '';
  };
  while (i < sql.length) {
    const ch = sql[i]!;
    const next2 = sql.slice(i, i + 2);
    if (next2 === '--' || ch === '#') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      current += sql.slice(i, stop);
      i = stop;
    } else if (next2 === '/*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end === -1 ? sql.length : end + 2;
      current += sql.slice(i, stop);
      i = stop;
    } else if (ch === "'" || ch === '"' || ch === '`') {
      const quote = sql.slice(i, i + 3) === ch.repeat(3) ? ch.repeat(3) : ch;
      let j = i + quote.length;
      while (j < sql.length && sql.slice(j, j + quote.length) !== quote) j += sql[j] === '\\' ? 2 : 1;
      const stop = Math.min(sql.length, j + quote.length);
      current += sql.slice(i, stop);
      i = stop;
    } else if (ch === ';') {
      flush();
      i += 1;
    } else {
      current += ch;
      i += 1;
    }
  }
  flush();
  return statements;
}

/** Removes comments outside strings; Spanner rejects DDL that is only a comment. */
function stripComments(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    const next2 = sql.slice(i, i + 2);
    if (next2 === '--' || ch === '#') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
    } else if (next2 === '/*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 2;
    } else if (ch === "'" || ch === '"' || ch === '`') {
      const quote = sql.slice(i, i + 3) === ch.repeat(3) ? ch.repeat(3) : ch;
      let j = i + quote.length;
      while (j < sql.length && sql.slice(j, j + quote.length) !== quote) j += sql[j] === '\\' ? 2 : 1;
      const stop = Math.min(sql.length, j + quote.length);
      out += sql.slice(i, stop);
      i = stop;
    } else {
      out += ch;
      i += 1;
    }
  }
  return out;
}

export function checksum(text: string): string {
  return createHash('sha256').update(text.replace(/\r\n/g, '\n')).digest('hex');
}

/** Reads a migrations folder. A .sql file without a version prefix is an error, not silently skipped. */
export function loadMigrations(dir: string): Migration[] {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a folder');
    entries = readdirSync(dir);
  } catch {
    throw new UserFacingError(`Migrations folder ${dir} does not exist.`, 'Create it, or point --migrations (luigiSpanner.migrationsDir) at the folder holding 0001_*.sql files.', 'NO_MIGRATIONS');
  }
  const sqlFiles = entries.filter((f) => f.toLowerCase().endsWith('.sql')).sort();
  const unversioned = sqlFiles.filter((f) => !MIGRATION_FILE.test(f));
  if (unversioned.length > 0) {
    throw new UserFacingError(
      `Migration file${unversioned.length > 1 ? 's' : ''} not named <version>_<description>.sql: ${unversioned.join(', ')}.`,
      `Rename to <version>_<description>.sql (digits, then _ or -, then letters, digits, _ or -), e.g. ${MIGRATION_FILE_EXAMPLE}; versions apply in numeric order.`,
      'UNVERSIONED_MIGRATION',
    );
  }
  const migrations = sqlFiles.map((name) => {
    const file = path.join(dir, name);
    const text = readFileSync(file, 'utf8');
    return { version: Number(MIGRATION_FILE.exec(name)![1]), name, file, checksum: checksum(text), statements: splitStatements(text) };
  });
  migrations.sort((a, b) => a.version - b.version);
  for (let k = 1; k < migrations.length; k++) {
    if (migrations[k]!.version === migrations[k - 1]!.version) {
      throw new UserFacingError(
        `Two migrations share version ${migrations[k]!.version}: ${migrations[k - 1]!.name} and ${migrations[k]!.name}.`,
        'Give each migration file its own version number.',
        'DUPLICATE_MIGRATION_VERSION',
      );
    }
  }
  return migrations;
}

export interface SeedFile {
  name: string;
  file: string;
  statements: string[];
}

/**
 * Seed DML files (`*.sql`, applied in name order). Unlike migrations they are not versioned:
 * they run once, when the database is created (start on a new database, reset).
 */
export function loadSeeds(dir: string): SeedFile[] {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a folder');
    entries = readdirSync(dir);
  } catch {
    throw new UserFacingError(`Seeds folder ${dir} does not exist.`, 'Create it, or point --seeds (luigi-spanner.json "seedsDir") at the folder holding the seed *.sql files.', 'NO_SEEDS');
  }
  return entries
    .filter((f) => f.toLowerCase().endsWith('.sql'))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((name) => {
      const file = path.join(dir, name);
      return { name, file, statements: splitStatements(readFileSync(file, 'utf8')) };
    });
}
