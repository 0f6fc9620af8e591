import { storedTypeOf } from '../config/data-type.js';
import type { CellValue, DataType } from '../config/data-type.js';
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

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/**
 * Whether a combined metric value can be stored in a column of `dataType` as it is. A SUM (or
 * COUNT) of an INT column can leave the INT range, and a LONG one the LONG range, where the stored
 * value would wrap; a FLOAT one can grow past the largest float. Such a value is not stored: the
 * row starts another doc of its group instead, so every stored cell is exact and a query's SUM
 * (computed in LONG / DOUBLE, as Pinot widens it) still equals the sum over the raw rows.
 */
export function fitsStoredType(dataType: DataType, value: CellValue | null): boolean {
  if (value === null) return true;
  switch (storedTypeOf(dataType)) {
    case 'INT':
      return typeof value === 'number' && value >= INT_MIN && value <= INT_MAX;
    case 'LONG':
      return typeof value !== 'bigint' || (value >= LONG_MIN && value <= LONG_MAX);
    case 'FLOAT':
      return typeof value !== 'number' || !Number.isFinite(value) || Number.isFinite(Math.fround(value));
    default:
      return true;
  }
}

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
