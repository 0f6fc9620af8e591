import type { SealedValues } from '../builders/value-builder.js';

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

/** Compares two int64 stored as (lo, hi) int32 pairs without allocating BigInts. */
function compareLongAt(a: Int32Array, i: number, b: Int32Array, j: number): number {
  const ah = a[2 * i + 1]!;
  const bh = b[2 * j + 1]!;
  if (ah !== bh) return ah < bh ? -1 : 1;
  const al = a[2 * i]! >>> 0;
  const bl = b[2 * j]! >>> 0;
  return al === bl ? 0 : al < bl ? -1 : 1;
}

function uniqueSorted<A extends Int32Array | Float32Array | Float64Array | BigInt64Array>(sorted: A, same: (i: number, j: number) => boolean): A {
  let w = 0;
  for (let r = 0; r < sorted.length; r++) {
    if (w === 0 || !same(r, w - 1)) sorted[w++] = sorted[r]!;
  }
  return sorted.subarray(0, w) as A;
}

/** Binary search of values[i] in dict with `cmp(valueIndex, dictIndex)`; the value is known present. */
function mapIds(count: number, dictSize: number, cmp: (i: number, d: number) => number): Int32Array {
  const ids = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    let lo = 0;
    let hi = dictSize - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmp(i, mid) > 0) lo = mid + 1;
      else hi = mid;
    }
    ids[i] = lo;
  }
  return ids;
}

function lazy(compute: () => Int32Array): () => Int32Array {
  let cached: Int32Array | undefined;
  return () => (cached ??= compute());
}

/** Sorted dictionary of dictionary-encoded (arrival order) STRING/BYTES values, unused entries dropped. */
function fromArrivalDictionary<V extends string | Uint8Array>(ids: Int32Array, dictionary: readonly V[], compare: (a: V, b: V) => number): { values: V[]; ids: () => Int32Array } {
  const used = new Uint8Array(dictionary.length);
  for (let i = 0; i < ids.length; i++) used[ids[i]!] = 1;
  const order: number[] = [];
  for (let id = 0; id < dictionary.length; id++) if (used[id]) order.push(id);
  order.sort((a, b) => compare(dictionary[a]!, dictionary[b]!));
  const remap = new Int32Array(dictionary.length);
  order.forEach((oldId, newId) => (remap[oldId] = newId));
  return {
    values: order.map((id) => dictionary[id]!),
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
      const s = v.slice().sort();
      const d = uniqueSorted(s, (i, j) => s[i] === s[j]);
      return { sorted: { kind: 'INT', values: d }, cardinality: d.length, ids: lazy(() => mapIds(v.length, d.length, (i, k) => v[i]! - d[k]!)) };
    }
    case 'FLOAT':
    case 'DOUBLE': {
      const v = sealed.values;
      const s = v.slice().sort();
      const d = uniqueSorted(s, (i, j) => compareFloat(s[i]!, s[j]!) === 0);
      const ids = lazy(() => mapIds(v.length, d.length, (i, k) => compareFloat(v[i]!, d[k]!)));
      return sealed.kind === 'FLOAT'
        ? { sorted: { kind: 'FLOAT', values: d as Float32Array }, cardinality: d.length, ids }
        : { sorted: { kind: 'DOUBLE', values: d as Float64Array }, cardinality: d.length, ids };
    }
    case 'LONG': {
      const v = sealed.values;
      const s = v.slice().sort();
      const sv = new Int32Array(s.buffer, s.byteOffset, s.length * 2);
      const d = uniqueSorted(s, (i, j) => compareLongAt(sv, i, sv, j) === 0);
      const vv = new Int32Array(v.buffer, v.byteOffset, v.length * 2);
      const dv = new Int32Array(d.buffer, d.byteOffset, d.length * 2);
      return { sorted: { kind: 'LONG', values: d }, cardinality: d.length, ids: lazy(() => mapIds(v.length, d.length, (i, k) => compareLongAt(vv, i, dv, k))) };
    }
    case 'STRING': {
      const r = fromArrivalDictionary(sealed.ids, sealed.dictionary, compareString);
      return { sorted: { kind: 'STRING', values: r.values }, cardinality: r.values.length, ids: r.ids };
    }
    case 'BYTES': {
      const r = fromArrivalDictionary(sealed.ids, sealed.dictionary, compareBytes);
      return { sorted: { kind: 'BYTES', values: r.values }, cardinality: r.values.length, ids: r.ids };
    }
  }
}
