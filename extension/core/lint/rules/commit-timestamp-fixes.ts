// Quick fixes shared by LS005 (write the commit timestamp instead of the client clock) and LS102
// (allow commit timestamps on the column): a new migration, an in-place option, the import.
import type { FunctionScope } from '../python/file-model';
import type { WriteSite } from '../python/spanner-model';
import type { SyntaxNode } from '../../python/syntax';
import type { QuickFix, TextEdit } from '../types';
import type { PythonContext } from './python-context';

/** A new migration file: ALTER TABLE ... SET OPTIONS (allow_commit_timestamp = true). */
export function newMigrationEdit(ctx: PythonContext, table: string, column: string): TextEdit | undefined {
  const schema = ctx.schema;
  const dir = ctx.input.migrationsDir;
  if (!schema || dir === undefined) return undefined;
  const versions = schema.files.map((f) => f.version).filter((v): v is number => v !== undefined);
  const next = (versions.length ? Math.max(...versions) : 0) + 1;
  const width = Math.max(4, ...schema.files.map((f) => /^(\d+)/.exec(f.file.slice(f.file.lastIndexOf('/') + 1))?.[1]?.length ?? 0));
  const definition = schema.column(table, column);
  const name = `${String(next).padStart(width, '0')}_allow_commit_timestamp_${table}_${definition?.name ?? column}.sql`.toLowerCase().replace(/^(\d+)_/, '$1_');
  const file = dir ? `${dir}/${name}` : name;
  const tableName = schema.table(table)?.name ?? table;
  return { file, range: { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } }, newText: `-- Let ${tableName}.${definition?.name ?? column} take spanner.COMMIT_TIMESTAMP.\nALTER TABLE ${tableName} ALTER COLUMN ${definition?.name ?? column} SET OPTIONS (allow_commit_timestamp = true);\n`, create: true };
}

export function inPlaceOptionEdit(ctx: PythonContext, table: string, column: string): TextEdit | undefined {
  const schema = ctx.schema;
  const definition = schema?.column(table, column);
  const source = definition && schema?.file(definition.file);
  if (!definition || !source) return undefined;
  const at = (offset: number) => ({ line: source.lines.line(offset), column: source.lines.column(offset) + 1 });
  if (definition.optionsClose !== undefined) {
    const p = at(definition.optionsClose);
    return { file: definition.file, range: { start: p, end: p }, newText: ', allow_commit_timestamp = true' };
  }
  const p = at(definition.end);
  return { file: definition.file, range: { start: p, end: p }, newText: ' OPTIONS (allow_commit_timestamp = true)' };
}

/** Replaces a client clock with spanner.COMMIT_TIMESTAMP (importing spanner when needed). */
export function commitTimestampFix(ctx: PythonContext, clock: SyntaxNode, scope: FunctionScope, write: WriteSite, column: string | undefined): QuickFix | undefined {
  if (write.dml) return undefined;
  const edits: TextEdit[] = [ctx.edit(clock.from, clock.to, 'spanner.COMMIT_TIMESTAMP')];
  const bound = ctx.model.lookup('spanner', scope);
  const importsSpanner = bound?.binding.some((b) => b.kind === 'import' && /google\.cloud(\.spanner)?$/.test(`${b.module}${b.name ? `.${b.name}` : ''}`.replace(/\.spanner$/, '.spanner')));
  if (!importsSpanner) {
    const at = importInsertionOffset(ctx);
    edits.push(ctx.edit(at, at, 'from google.cloud import spanner\n'));
  }
  let title = 'Write spanner.COMMIT_TIMESTAMP instead of the client clock';
  const definition = column && write.table ? ctx.schema?.column(write.table, column) : undefined;
  if (definition && !definition.allowCommitTimestamp && write.table && column) {
    const migration = newMigrationEdit(ctx, write.table, column);
    if (migration) {
      edits.push(migration);
      title += ` (and allow commit timestamps on ${write.table}.${column} in a new migration)`;
    }
  }
  return { title, edits, isPreferred: true };
}

/** After the module docstring and `from __future__` imports. */
function importInsertionOffset(ctx: PythonContext): number {
  let offset = 0;
  for (let statement = ctx.model.tree.topNode.firstChild; statement; statement = statement.nextSibling) {
    const text = ctx.text(statement);
    if (statement.name === 'ExpressionStatement' && statement.firstChild?.name === 'String' && offset === 0) offset = lineEnd(ctx, statement.to);
    else if (statement.name === 'ImportStatement' && /^from\s+__future__\b/.test(text)) offset = lineEnd(ctx, statement.to);
    else if (statement.name === 'ImportStatement') return ctx.lines.lineStart(ctx.lines.line(statement.from));
    else if (statement.name !== 'Comment') break;
  }
  return offset;
}

function lineEnd(ctx: PythonContext, offset: number): number {
  const newline = ctx.input.text.indexOf('\n', offset);
  return newline === -1 ? ctx.input.text.length : newline + 1;
}
