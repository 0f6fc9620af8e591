/**
 * Sealed dictionaries: the sorted distinct values of a column and each value's id. `mapIds` is a
 * per-type kernel on purpose (one binary-search loop per typed-array type; see its comment and
 * docs/decisions.md, "Per-type kernels").
 */

import type { SealedValues } from '../builders/value-builder.js';
import { sortedDistinct } from './numeric-order.js';
import { sortStringIndexes } from './string-order.js';

/** The distinct values of a column in ascending order (a sealed segment's dictionary). */
export type SortedValues =
  | { readonly kind: 'INT'; readonly values: Int32Array }
  | { readonly kind: 'LONG'; readonly values: BigInt64Array }
  | { readonly kind: 'FLOAT'; readonly values: Float32Array }
  | { readonly kind: 'DOUBLE'; readonly values: Float64Array }
  | { readonly kind: 'STRING'; readonly values: readonly string[] }
  | { readonly kind: 'BYTES'; readonly values: readonly Uint8Array[] };

/** A column's sorted dictionary and, computed on demand, the dictionary id of every value. */
export interface SortedDictionary {
  readonly sorted: SortedValues;
  readonly cardinality: number;
  /** Dictionary id per value (same length and order as the sealed values). Cached. */
  ids(): Int32Array;
}

/**
 * Total order of float values used everywhere in segment files (the order `TypedArray#sort`
 * uses): -Infinity < ... < -0 < +0 < ... < Infinity < NaN. All NaNs are one value.
 */
export function compareFloat(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return a === 0 ? (Object.is(a, -0) ? (Object.is(b, -0) ? 0 : -1) : Object.is(b, -0) ? 1 : 0) : 0;
  const aNaN = a !== a;
  const bNaN = b !== b;
  return aNaN === bNaN ? 0 : aNaN ? 1 : -1;
}

/**
 * Dictionary id of every value: a binary search of `values[i]` in the sorted distinct `dict`,
 * where each value is known present. One loop per type with the comparison written out, on
 * purpose: a comparator call per step cost more than the search, and one loop over the union of
 * array types would make its loads polymorphic. The int32 and float loops look alike; keep them apart.
 */
function mapIds(values: Int32Array | Float32Array | Float64Array | BigInt64Array, dict: typeof values): Int32Array {
  const n = values.length;
  const ids = new Int32Array(n);
  const last = dict.length - 1;
  if (values instanceof BigInt64Array) {
    // int64 as (lo, hi) int32 pairs: no BigInt per comparison.
    const v = new Int32Array(values.buffer, values.byteOffset, 2 * n);
    const d = new Int32Array(dict.buffer, dict.byteOffset, 2 * dict.length);
    for (let i = 0; i < n; i++) {
      const hi = v[2 * i + 1]!;
      const lo = v[2 * i]! >>> 0;
      let a = 0;
      let b = last;
      while (a < b) {
        const mid = (a + b) >> 1;
        const mh = d[2 * mid + 1]!;
        if (mh < hi || (mh === hi && d[2 * mid]! >>> 0 < lo)) a = mid + 1;
        else b = mid;
      }
      ids[i] = a;
    }
  } else if (values instanceof Int32Array) {
    const d = dict as Int32Array;
    for (let i = 0; i < n; i++) {
      const x = values[i]!;
      let a = 0;
      let b = last;
      while (a < b) {
        const mid = (a + b) >> 1;
        if (d[mid]! < x) a = mid + 1;
        else b = mid;
      }
      ids[i] = a;
    }
  } else {
    const d = dict as Float32Array | Float64Array;
    for (let i = 0; i < n; i++) {
      const x = values[i]!;
      let a = 0;
      let b = last;
      while (a < b) {
        const mid = (a + b) >> 1;
        if (compareFloat(d[mid]!, x) < 0) a = mid + 1;
        else b = mid;
      }
      ids[i] = a;
    }
  }
  return ids;
}

function lazy(compute: () => Int32Array): () => Int32Array {
  let cached: Int32Array | undefined;
  return () => (cached ??= compute());
}

/** Arrival-dictionary ids that some value uses, ascending. */
function usedIds(ids: Int32Array, dictionarySize: number): Int32Array {
  const used = new Uint8Array(dictionarySize);
  let count = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (used[id] === 0) {
      used[id] = 1;
      count++;
    }
  }
  const out = new Int32Array(count);
  let k = 0;
  for (let id = 0; id < dictionarySize; id++) if (used[id]) out[k++] = id;
  return out;
}

/** Sorted dictionary of dictionary-encoded (arrival order) STRING/BYTES values, unused entries dropped. */
function fromArrivalDictionary<V extends string | Uint8Array>(ids: Int32Array, dictionary: readonly V[], sortIds: (order: Int32Array) => void): { values: V[]; ids: () => Int32Array } {
  const order = usedIds(ids, dictionary.length);
  sortIds(order);
  const remap = new Int32Array(dictionary.length);
  const values = new Array<V>(order.length);
  for (let newId = 0; newId < order.length; newId++) {
    remap[order[newId]!] = newId;
    values[newId] = dictionary[order[newId]!]!;
  }
  return {
    values,
    ids: lazy(() => {
      const out = new Int32Array(ids.length);
      for (let i = 0; i < ids.length; i++) out[i] = remap[ids[i]!]!;
      return out;
    }),
  };
}

/** UTF-16 code unit order, as Java's `String.compareTo` (and so Pinot) sorts strings. */
export function compareString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Unsigned lexicographic byte order, as Pinot sorts BYTES. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/** Builds the sorted dictionary of a sealed column's values (all values, including defaults). */
export function buildSortedDictionary(sealed: SealedValues): SortedDictionary {
  switch (sealed.kind) {
    case 'INT': {
      const v = sealed.values;
      const d = sortedDistinct(v);
      return { sorted: { kind: 'INT', values: d }, cardinality: d.length, ids: lazy(() => mapIds(v, d)) };
    }
    case 'FLOAT':
    case 'DOUBLE': {
      const v = sealed.values;
      const d = sortedDistinct<Float32Array | Float64Array>(v);
      const ids = lazy(() => mapIds(v, d));
      return sealed.kind === 'FLOAT'
        ? { sorted: { kind: 'FLOAT', values: d as Float32Array }, cardinality: d.length, ids }
        : { sorted: { kind: 'DOUBLE', values: d as Float64Array }, cardinality: d.length, ids };
    }
    case 'LONG': {
      const v = sealed.values;
      const d = sortedDistinct(v);
      return { sorted: { kind: 'LONG', values: d }, cardinality: d.length, ids: lazy(() => mapIds(v, d)) };
    }
    case 'STRING': {
      const dictionary = sealed.dictionary;
      const r = fromArrivalDictionary(sealed.ids, dictionary, (order) => sortStringIndexes(dictionary, order));
      return { sorted: { kind: 'STRING', values: r.values }, cardinality: r.values.length, ids: r.ids };
    }
    case 'BYTES': {
      const dictionary = sealed.dictionary;
      const r = fromArrivalDictionary(sealed.ids, dictionary, (order) => order.sort((a, b) => compareBytes(dictionary[a]!, dictionary[b]!)));
      return { sorted: { kind: 'BYTES', values: r.values }, cardinality: r.values.length, ids: r.ids };
    }
  }
}

/** Distinct count, min and max of a column's values, without a sorted dictionary. */
export interface UnsortedStats {
  readonly cardinality: number;
  /** Arrival ids of the smallest and largest value; -1 when there are no values. */
  readonly minId: number;
  readonly maxId: number;
}

/**
 * What a RAW STRING/BYTES column needs instead of a sorted dictionary: its arrival dictionary
 * holds each value once, so the distinct count is the number of entries in use, and min/max are
 * one pass — no sort of what may be a million unique values.
 */
export function unsortedStats(sealed: Extract<SealedValues, { kind: 'STRING' | 'BYTES' }>): UnsortedStats {
  const used = usedIds(sealed.ids, sealed.dictionary.length);
  let minId = used.length > 0 ? used[0]! : -1;
  let maxId = minId;
  if (sealed.kind === 'STRING') {
    const d = sealed.dictionary;
    for (let i = 1; i < used.length; i++) {
      const s = d[used[i]!]!;
      if (s < d[minId]!) minId = used[i]!;
      else if (s > d[maxId]!) maxId = used[i]!;
    }
    return { cardinality: used.length, minId, maxId };
  }
  const d = sealed.dictionary;
  for (let i = 1; i < used.length; i++) {
    const b = d[used[i]!]!;
    if (compareBytes(b, d[minId]!) < 0) minId = used[i]!;
    else if (compareBytes(b, d[maxId]!) > 0) maxId = used[i]!;
  }
  return { cardinality: used.length, minId, maxId };
}
