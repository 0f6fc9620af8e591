import type { ScalarValue } from '../../config/data-type.js';
import type { FixedArray, ValueRun } from './byte-layout.js';
import type { PackedValues } from './packed-values.js';
import { compareFloat } from './sorted-dictionary.js';

/**
 * A column's values in file order (after the sorted-column permutation), as the column encoder
 * cuts them into blocks: each block's min/max for the footer, and the run its section holds.
 * Value indexes are positions in that order (`offsets` of a multi-value column point into it).
 */
export interface BlockValues {
  /** Min and max of values `[start, end)`; null when the range is empty. */
  range(start: number, end: number): [ScalarValue, ScalarValue] | null;
  /** The run of values `[start, end)` as the block stores it. */
  run(start: number, end: number): ValueRun;
}

/** Min and max of ids in `[start, end)` of a sorted dictionary (ids order like their values). */
function sortedIdRange(ids: Int32Array, sorted: ArrayLike<ScalarValue>, start: number, end: number): [ScalarValue, ScalarValue] | null {
  if (end <= start) return null;
  let lo = ids[start]!;
  let hi = lo;
  for (let i = start + 1; i < end; i++) {
    const id = ids[i]!;
    if (id < lo) lo = id;
    if (id > hi) hi = id;
  }
  return [sorted[lo]!, sorted[hi]!];
}

/** DICT encoding: sorted-dictionary ids stored `width` bytes each. */
export function dictIdValues(ids: Int32Array, width: 1 | 2 | 4, sorted: ArrayLike<ScalarValue>): BlockValues {
  return {
    range: (start, end) => sortedIdRange(ids, sorted, start, end),
    run(start, end) {
      const slice = ids.subarray(start, end);
      return { fixed: width === 1 ? new Uint8Array(slice) : width === 2 ? new Uint16Array(slice) : slice };
    },
  };
}

/** Index (into `values`) of the min and max in [start, end), by the file's value order. */
function minMaxIndex(values: Int32Array | Float32Array | Float64Array | BigInt64Array, start: number, end: number): [number, number] {
  let lo = start;
  let hi = start;
  if (values instanceof BigInt64Array) {
    const v = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
    const cmp = (a: number, b: number): number => (v[2 * a + 1] !== v[2 * b + 1] ? v[2 * a + 1]! - v[2 * b + 1]! : (v[2 * a]! >>> 0) - (v[2 * b]! >>> 0));
    for (let i = start + 1; i < end; i++) {
      if (cmp(i, lo) < 0) lo = i;
      if (cmp(i, hi) > 0) hi = i;
    }
  } else if (values instanceof Int32Array) {
    for (let i = start + 1; i < end; i++) {
      if (values[i]! < values[lo]!) lo = i;
      if (values[i]! > values[hi]!) hi = i;
    }
  } else {
    for (let i = start + 1; i < end; i++) {
      if (compareFloat(values[i]!, values[lo]!) < 0) lo = i;
      if (compareFloat(values[i]!, values[hi]!) > 0) hi = i;
    }
  }
  return [lo, hi];
}

/** RAW numeric encoding: the typed values themselves. */
export function rawFixedValues(values: Int32Array | Float32Array | Float64Array | BigInt64Array): BlockValues {
  return {
    range(start, end) {
      if (end <= start) return null;
      const [lo, hi] = minMaxIndex(values, start, end);
      return [values[lo]!, values[hi]!];
    },
    run: (start, end) => ({ fixed: values.subarray(start, end) as FixedArray }),
  };
}

/** RAW STRING/BYTES encoding where the column has a sorted dictionary (the sorted column): `ids` index `packed` and `sorted`. */
export function rawVarSortedValues(ids: Int32Array, packed: PackedValues, sorted: ArrayLike<ScalarValue>): BlockValues {
  return {
    range: (start, end) => sortedIdRange(ids, sorted, start, end),
    run: (start, end) => ({ packed, ids: ids.subarray(start, end) }),
  };
}

/**
 * RAW STRING/BYTES encoding without a sorted dictionary: `ids` are arrival-dictionary ids, so
 * min/max compare the values. Repeats of the current min or max cost one integer comparison.
 */
export function rawVarArrivalValues<V extends string | Uint8Array>(ids: Int32Array, packed: PackedValues, dictionary: readonly V[], compare: (a: V, b: V) => number): BlockValues {
  return {
    range(start, end) {
      if (end <= start) return null;
      let lo = ids[start]!;
      let hi = lo;
      for (let i = start + 1; i < end; i++) {
        const id = ids[i]!;
        if (id === lo || id === hi) continue;
        const v = dictionary[id]!;
        if (compare(v, dictionary[lo]!) < 0) lo = id;
        else if (compare(v, dictionary[hi]!) > 0) hi = id;
      }
      return [dictionary[lo]!, dictionary[hi]!];
    },
    run: (start, end) => ({ packed, ids: ids.subarray(start, end) }),
  };
}
