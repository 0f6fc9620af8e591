import type { ScalarValue } from '../../config/data-type.js';
import { storedTypeOf } from '../../config/data-type.js';
import { bloomKey } from '../../segment/indexes/bloom-filter.js';
import type { ColumnSpec } from '../../config/schema.js';
import type { RangeIndexReader } from '../../segment/indexes/range-index.js';
import type { ValueRange, ValueTest } from './value-tests.js';
import { sortedIdRange } from './value-tests.js';
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

/**
 * Sorted doc ids whose value passes a leaf, from a range index: the run of sorted values inside
 * the leaf's range (binary search), each still tested by the leaf's own test, so the answer is
 * the scan's exactly (mixed LONG/number bounds, NaN, -0 included).
 */
export function rangeIndexDocs(index: RangeIndexReader, range: ValueRange, test: ValueTest): Uint32Array {
  const { values, docs } = index;
  const [from, to] = sortedIdRange(values as unknown as readonly ScalarValue[], values.length, range);
  const out: number[] = [];
  for (let i = from; i < to; i++) if (test(values[i]!)) out.push(docs[i]!);
  const sorted = Uint32Array.from(out).sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[n++] = sorted[i]!;
  return sorted.subarray(0, n);
}
