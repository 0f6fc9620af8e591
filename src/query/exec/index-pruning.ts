import type { ScalarValue } from '../../config/data-type.js';
import { storedTypeOf } from '../../config/data-type.js';
import { bloomKey } from '../../segment/indexes/bloom-filter.js';
import type { ColumnSpec } from '../../config/schema.js';
import type { SegmentSnapshot } from './segment-snapshot.js';

/** The JS type a stored value of each stored type has; literals of another type are not looked up. */
const JS_TYPE: Record<string, string> = { INT: 'number', FLOAT: 'number', DOUBLE: 'number', LONG: 'bigint', STRING: 'string', BYTES: 'object' };

/**
 * False when the column's bloom filter proves that none of `values` (the constants of an `=` /
 * `IN` leaf on `column`) is in the segment. A literal whose JS type differs from the column's
 * stored values (e.g. a number compared with a LONG column) is never looked up: it may still
 * match by numeric comparison.
 */
export function bloomAllows(column: ColumnSpec, values: readonly unknown[], segment: SegmentSnapshot): boolean {
  const bloom = segment.bloomFilter?.(column.name) ?? null;
  if (bloom === null) return true;
  const stored = storedTypeOf(column.dataType);
  for (const v of values) {
    if (v === null || v === undefined || typeof v !== JS_TYPE[stored]) return true;
    const value = stored === 'FLOAT' ? Math.fround(v as number) : (v as ScalarValue);
    if (bloom.mightContain(bloomKey(value))) return true;
  }
  return false;
}
