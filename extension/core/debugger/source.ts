// Source positions for runtime findings: root-relative paths, the span of a line's code, task
// class lines, task labels from discovered events, and the migration that defines a column.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MIGRATION_FILE } from '../../shared/contract';
import type { RunEvent } from '../runs/events';
import type { SourceLocation } from './types';

export function relativeFile(file: string, root: string): string {
  const absolute = path.resolve(root, file);
  const relative = path.relative(root, absolute);
  return relative.startsWith('..') || path.isAbsolute(relative) ? absolute : relative.split(path.sep).join('/');
}

export function absoluteFile(file: string, root: string): string {
  return path.isAbsolute(file) ? file : path.join(root, file);
}

const fileLines = new Map<string, string[]>();

function linesOf(file: string): string[] | undefined {
  if (!fileLines.has(file)) {
    try {
      fileLines.set(file, readFileSync(file, 'utf8').split(/\r?\n/));
    } catch {
      return undefined;
    }
  }
  return fileLines.get(file);
}

/** Forget cached file contents (the editor calls this when files change). */
export function clearSourceCache(): void {
  fileLines.clear();
}

/** 1-based start and exclusive end columns of the code on a line (indentation and trailing space left out). */
export function lineSpan(file: string, line: number): { column: number; endColumn: number } {
  const text = linesOf(file)?.[line - 1];
  if (text === undefined) return { column: 1, endColumn: 1 };
  const start = text.length - text.trimStart().length;
  return { column: start + 1, endColumn: Math.max(start + 1, text.trimEnd().length + 1) };
}

/** The line of `class Family(` in a file, when the task class is defined there. */
export function classLine(file: string, family: string): number | undefined {
  const lines = linesOf(file);
  if (!lines) return undefined;
  const pattern = new RegExp(`^\\s*class\\s+${family.replace(/[^\w]/g, '')}\\b`);
  const index = lines.findIndex((l) => pattern.test(l));
  return index >= 0 ? index + 1 : undefined;
}

/** `LoadOrders(batch=2024-03-01)`, as Luigi prints tasks. */
export function taskLabel(family: string, params: Record<string, unknown> | undefined): string {
  const args = Object.entries(params ?? {}).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return `${family}(${args.join(', ')})`;
}

export class TaskLabels {
  private readonly labels = new Map<string, string>();
  private readonly families = new Map<string, string>();

  add(events: RunEvent[]): this {
    for (const event of events) {
      if (event.type === 'discovered') {
        this.labels.set(event.id, taskLabel(event.family, event.params));
        this.families.set(event.id, event.family);
      }
    }
    return this;
  }

  label(id: string | undefined, family?: string): string {
    if (id && this.labels.has(id)) return this.labels.get(id)!;
    return family ?? id ?? 'unknown task';
  }

  family(id: string): string | undefined {
    return this.families.get(id);
  }
}

export function location(file: string | null | undefined, line: number | null | undefined, root: string): SourceLocation | undefined {
  return file && line ? { file: relativeFile(file, root), line } : undefined;
}

export interface ColumnDefinition extends SourceLocation {
  /** The defining statement's first line, e.g. `CREATE TABLE Events (`. */
  statement: string;
}


/** Where a column is defined in a folder of versioned migrations (the last definition wins). */
export function findColumnDefinition(migrationsDir: string, table: string, column: string): (ColumnDefinition & { absolute: string }) | undefined {
  if (!existsSync(migrationsDir)) return undefined;
  const name = (id: string) => `\`?${id.replace(/[^\w]/g, '')}\`?`;
  const createTable = new RegExp(`CREATE\\s+TABLE\\s+${name(table)}\\s*\\(`, 'gi');
  // At a line's start or after `(` or `,`: one column per line, or several on one line.
  const columnDef = new RegExp(`(^|[(,])\\s*${name(column)}\\s+TIMESTAMP\\b`, 'i');
  const addColumn = new RegExp(`ALTER\\s+TABLE\\s+${name(table)}\\s+ADD\\s+COLUMN\\s+(IF\\s+NOT\\s+EXISTS\\s+)?${name(column)}\\s+TIMESTAMP`, 'i');
  let found: (ColumnDefinition & { absolute: string }) | undefined;
  const version = (f: string) => Number(MIGRATION_FILE.exec(f)![1]);
  for (const entry of readdirSync(migrationsDir).filter((f) => MIGRATION_FILE.test(f)).sort((a, b) => version(a) - version(b))) {
    const absolute = path.join(migrationsDir, entry);
    const lines = readFileSync(absolute, 'utf8').split(/\r?\n/);
    const text = lines.join('\n');
    for (const match of text.matchAll(createTable)) {
      const startLine = text.slice(0, match.index).split('\n').length;
      const end = text.indexOf(';', match.index);
      const endLine = end < 0 ? lines.length : text.slice(0, end).split('\n').length;
      for (let i = startLine - 1; i < endLine; i++) {
        if (columnDef.test(lines[i]!)) {
          found = { file: entry, absolute, line: i + 1, statement: lines[startLine - 1]!.trim() };
        }
      }
    }
    lines.forEach((l, i) => {
      if (addColumn.test(l)) found = { file: entry, absolute, line: i + 1, statement: l.trim() };
    });
  }
  return found;
}

/** The next free migration file name in a folder, e.g. `0003_allow_commit_timestamp_events_at.sql`. */
export function nextMigrationName(migrationsDir: string | undefined, description: string): string {
  const versions = migrationsDir && existsSync(migrationsDir) ? readdirSync(migrationsDir).map((f) => MIGRATION_FILE.exec(f)?.[1]).filter(Boolean).map(Number) : [];
  const next = (versions.length ? Math.max(...versions) : 0) + 1;
  return `${String(next).padStart(4, '0')}_${description.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '')}.sql`;
}
