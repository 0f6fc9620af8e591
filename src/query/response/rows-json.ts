import { formatCell } from './format-value.js';

/**
 * The `rows` array of a result table as JSON, appended cell by cell to one string (V8 joins the
 * pieces as a rope and flattens it once), instead of an array of cell strings and a joined string
 * per row: a 10,000-row result builds no per-row arrays or intermediate row strings. Integers and
 * LONGs are appended as they are; other types go through `formatCell`.
 */
export function rowsJson(rows: readonly (readonly unknown[])[], types: readonly string[]): string {
  let out = '[';
  const width = types.length;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    out += r === 0 ? '[' : ',[';
    for (let i = 0; i < width; i++) {
      if (i > 0) out += ',';
      const v = row[i];
      const type = types[i]!;
      if (type === 'LONG' && typeof v === 'bigint') out += v;
      else if (type === 'INT' && typeof v === 'number' && Number.isInteger(v)) out += v;
      else out += formatCell(v, type);
    }
    out += ']';
  }
  return `${out}]`;
}
