// LS103: a migration file without an ordered version prefix (or with a repeated one).
import type { SchemaRule } from './rule';

export const LS103: SchemaRule = {
  meta: {
    code: 'LS103',
    name: 'UnversionedMigration',
    title: 'Unversioned migration',
    description: 'A migration file has no ordered version prefix (0001_name.sql), so the order migrations apply in is undefined; the emulator toolkit refuses it.',
    defaultSeverity: 'error',
  },
  target: 'schema',
  check(ctx) {
    const versions = new Map<number, string>();
    for (const file of ctx.schema.files) {
      const name = file.file.slice(file.file.lastIndexOf('/') + 1);
      const firstLineEnd = file.text.indexOf('\n');
      const endColumn = (firstLineEnd === -1 ? file.text.length : firstLineEnd) + 1;
      const position = { file: file.file, line: 1, column: 1, endLine: 1, endColumn: Math.max(2, endColumn) };
      if (file.version === undefined) {
        ctx.findings.push({ code: 'LS103', ...position, message: `Migration ${name} has no version prefix, so the order it applies in is undefined. Rename it to <version>_<name>.sql (e.g. 0003_${name.replace(/\.sql$/i, '').replace(/[^\w.-]+/g, '_')}.sql).` });
      } else if (versions.has(file.version)) {
        ctx.findings.push({ code: 'LS103', ...position, message: `Migration ${name} repeats version ${file.version} of ${versions.get(file.version)}, so their order is undefined. Give it the next free version number.` });
      } else versions.set(file.version, name);
    }
  },
};
