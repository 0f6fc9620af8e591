/** The `resultTable` of a Pinot broker response. */
export interface ResultTable {
  readonly dataSchema: { readonly columnNames: readonly string[]; readonly columnDataTypes: readonly string[] };
  readonly rows: readonly (readonly unknown[])[];
}

const NUMERIC = new Set(['INT', 'LONG', 'FLOAT', 'DOUBLE', 'BIG_DECIMAL', 'TIMESTAMP']);

function cell(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return value;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * An aligned text table: column names, their types, a rule, then the rows; numeric columns are
 * right-aligned (header included), the others left-aligned; arrays print as JSON, null as `null`.
 *
 * @example formatTable({ dataSchema: { columnNames: ['n'], columnDataTypes: ['LONG'] }, rows: [[3]] })
 *   // "   n\nLONG\n----\n   3\n"
 */
export function formatTable(table: ResultTable): string {
  const { columnNames: names, columnDataTypes: types } = table.dataSchema;
  const body = table.rows.map((row) => names.map((_, i) => cell(row[i])));
  const widths = names.map((name, i) => Math.max(name.length, (types[i] ?? '').length, ...body.map((r) => r[i]!.length)));
  const right = types.map((t) => NUMERIC.has(t));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(names), line(types), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map((r) => line(r))]
    .map((l) => `${l}\n`)
    .join('');
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * CSV (RFC 4180 quoting, `\n` line ends): a header of column names, then one line per row; null is an empty field,
 * arrays are JSON in one field.
 */
export function formatCsv(table: ResultTable): string {
  const value = (v: unknown): string => (v === null || v === undefined ? '' : csvField(cell(v)));
  const lines = [table.dataSchema.columnNames.map(csvField).join(','), ...table.rows.map((row) => row.map(value).join(','))];
  return lines.map((l) => `${l}\n`).join('');
}
