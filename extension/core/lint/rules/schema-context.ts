// What a migrations rule works with: the schema one migrations folder builds, the key columns the
// Python code fills from counters, and positions in the migration files.
import type { Schema } from '../ddl/schema';
import type { RawFinding } from '../engine-types';

export interface SequentialKeyWrite {
  table: string;
  column: string;
  /** Where the code produces the counter, for the message. */
  file: string;
  line: number;
}

export class SchemaContext {
  readonly findings: RawFinding[] = [];

  constructor(
    readonly schema: Schema,
    readonly sequentialKeys: readonly SequentialKeyWrite[],
  ) {}

  /** The position of [start, end) in a migration file, when the schema kept that file. */
  at(file: string, start: number, end: number): Pick<RawFinding, 'file' | 'line' | 'column' | 'endLine' | 'endColumn'> | undefined {
    const source = this.schema.file(file);
    if (!source) return undefined;
    return { file, line: source.lines.line(start), column: source.lines.column(start) + 1, endLine: source.lines.line(end), endColumn: source.lines.column(end) + 1 };
  }
}
