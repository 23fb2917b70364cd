/** Rows as an aligned plain-text table (for terminals; JSON output never goes through here). */
export function formatTable(rows: Array<Record<string, unknown>>, maxWidth = 40): string {
  if (rows.length === 0) return '  (no rows)';
  const columns = Object.keys(rows[0]!);
  const cell = (value: unknown) => {
    const text = value === null || value === undefined ? 'NULL' : typeof value === 'object' ? plain(value) : String(value);
    return text.length > maxWidth ? `${text.slice(0, maxWidth - 1)}…` : text;
  };
  const cells = rows.map((row) => columns.map((c) => cell(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) => `  ${values.map((v, i) => v.padEnd(widths[i]!)).join('  ')}`.trimEnd();
  return [line(columns), line(widths.map((w) => '─'.repeat(w))), ...cells.map(line)].join('\n');
}

/** Spanner values (SpannerDate, Numeric, PreciseDate) say what they are through toJSON. */
function plain(value: object): string {
  const json = 'toJSON' in value && typeof value.toJSON === 'function' ? (value.toJSON as () => unknown)() : value;
  return typeof json === 'string' ? json : JSON.stringify(json);
}
