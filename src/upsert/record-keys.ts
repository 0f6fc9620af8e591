import type { CellValue, ScalarValue } from '../config/data-type.js';
import type { TableSchema } from '../config/schema.js';

/** A row's value in a column, or the column's default when the record had none. */
export function cellOrDefault(schema: TableSchema, index: number, row: readonly (CellValue | null)[]): CellValue {
  return row[index] ?? schema.columns[index]!.defaultNullValue;
}

/**
 * A primary key as one string: the key columns' values, typed (so `1` INT and `"1"` STRING of
 * two tables never meet, and a LONG is exact), joined by NUL.
 *
 * @example primaryKeyOf([123n]) // 'b:123'
 */
export function primaryKeyOf(values: readonly CellValue[]): string {
  let out = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += '\u0000';
    out += scalarKey(values[i] as ScalarValue);
  }
  return out;
}

function scalarKey(v: ScalarValue): string {
  if (typeof v === 'string') return `s:${v}`;
  if (typeof v === 'bigint') return `b:${v}`;
  if (typeof v === 'number') return `n:${v}`;
  return `x:${Buffer.from(v).toString('hex')}`;
}

/** Orders two comparison values of one column (numbers, bigints, strings; bytes by hex). */
export function compareValues(a: ScalarValue, b: ScalarValue): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  const sa = typeof a === 'string' ? a : typeof a === 'object' ? Buffer.from(a).toString('hex') : String(a);
  const sb = typeof b === 'string' ? b : typeof b === 'object' ? Buffer.from(b).toString('hex') : String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/**
 * Pinot's reading of a delete column: BOOLEAN true (stored 1), a STRING `true` (any case), a
 * non-zero number.
 */
export function isDeleteValue(value: CellValue | null): boolean {
  if (value === null) return false;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'bigint') return value !== 0n;
  if (typeof value === 'string') return value.trim().toLowerCase() === 'true';
  return false;
}

/** Column positions of the key, comparison, delete and out-of-order columns, resolved once. */
export interface KeyColumns {
  readonly keys: readonly number[];
  readonly comparisons: readonly number[];
  readonly delete: number;
  readonly outOfOrder: number;
}

export function keyColumnsOf(
  schema: TableSchema,
  names: { primaryKeyColumns: readonly string[]; comparisonColumns?: readonly string[]; deleteRecordColumn?: string; outOfOrderRecordColumn?: string },
): KeyColumns {
  const at = (name: string): number => schema.columnIndex.get(name)!;
  return {
    keys: names.primaryKeyColumns.map(at),
    comparisons: (names.comparisonColumns ?? []).map(at),
    delete: names.deleteRecordColumn !== undefined ? at(names.deleteRecordColumn) : -1,
    outOfOrder: names.outOfOrderRecordColumn !== undefined ? at(names.outOfOrderRecordColumn) : -1,
  };
}
