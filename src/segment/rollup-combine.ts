import type { CellValue } from '../config/data-type.js';
import type { RollupSettings } from '../config/rollup-config.js';
import type { TableSchema } from '../config/schema.js';
import type { DecodedRow } from '../spi/decoder.js';

/** How a metric column combines two rows' values (a null side gives the other). */
export type Combine = (a: CellValue | null, b: CellValue | null) => CellValue | null;

function add(a: CellValue | null, b: CellValue | null): CellValue | null {
  if (a === null) return b;
  if (b === null) return a;
  return typeof a === 'bigint' ? a + (b as bigint) : (a as number) + (b as number);
}

const COMBINE: Record<RollupSettings['metrics'][number]['fn'], Combine> = {
  SUM: add,
  COUNT: add,
  MIN: (a, b) => (a === null ? b : b === null ? a : (b as number | bigint) < (a as number | bigint) ? b : a),
  MAX: (a, b) => (a === null ? b : b === null ? a : (b as number | bigint) > (a as number | bigint) ? b : a),
};

/** Per schema column: its metric's combine function, or null for a column rows are grouped by. */
export function rollupCombiners(schema: TableSchema, settings: RollupSettings): (Combine | null)[] {
  return schema.columns.map((c) => {
    const m = settings.metrics.find((x) => x.column === c.name);
    return m ? COMBINE[m.fn] : null;
  });
}

function keyPart(v: CellValue | null): string {
  if (v === null) return '\u0000';
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Uint8Array) return `b${Buffer.from(v).toString('hex')}`;
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array ? `b${Buffer.from(x).toString('hex')}` : x));
}

/** The group a row belongs to: every non-metric cell, encoded so equal values give equal keys. */
export function dimensionKey(row: DecodedRow, combine: readonly (Combine | null)[]): string {
  let key = '';
  for (let i = 0; i < row.length; i++) if (combine[i] === null) key += `${keyPart(row[i] ?? null)}\u0001`;
  return key;
}
