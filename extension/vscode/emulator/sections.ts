// Query results and inspections as the tables the results view shows. No `vscode` here.
import type { Inspection, QueryResult } from '../../../emulator/src/inspect';
import type { ResultSection } from './protocol';

export function querySection(result: QueryResult): ResultSection {
  if (result.kind === 'dml') return { title: 'DML', columns: [], rows: [], note: `${result.rowCount} row(s) changed in ${Math.round(result.millis)} ms.` };
  return {
    title: 'Result',
    columns: result.columns.map((c) => c.name),
    types: result.columns.map((c) => c.type),
    rows: result.rows,
    note: `${result.rowCount} row(s)${result.truncated ? `, first ${result.rows.length} shown` : ''} in ${Math.round(result.millis)} ms.`,
  };
}

export function inspectionSections(inspection: Inspection): ResultSection[] {
  const markerColumns = Object.keys(inspection.markers.rows[0] ?? {});
  return [
    { title: 'Tables', columns: ['Table', 'Rows', 'Parent'], rows: inspection.tables.map((t) => [t.name, t.rowCount, t.parent]) },
    {
      title: 'Migrations applied',
      columns: ['Version', 'File', 'Applied at', 'Checksum'],
      rows: inspection.ledger.map((r) => [r.version, r.name, r.appliedAt, r.checksum.slice(0, 12)]),
    },
    !inspection.markers.present
      ? { title: 'Completion markers', columns: [], rows: [], note: `No ${inspection.markers.table} table in this database.` }
      : inspection.markers.rows.length === 0
        ? { title: `Completion markers (${inspection.markers.table})`, columns: [], rows: [], note: 'No task has completed yet: the table is empty.' }
        : { title: `Newest completion markers (${inspection.markers.table})`, columns: markerColumns, rows: inspection.markers.rows.map((r) => markerColumns.map((c) => r[c])) },
  ];
}
