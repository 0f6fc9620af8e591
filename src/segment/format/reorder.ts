import type { ImmutableColumn } from '../builders/column-builder.js';
import { isBitSet, setBit } from '../builders/null-bitmap.js';

/**
 * Stable counting sort of docs by dictionary id: `perm[newDoc] = oldDoc`. Used for the table's
 * sorted column, whose ids (in a sorted dictionary) order like its values.
 */
export function sortPermutation(ids: Int32Array, cardinality: number): Int32Array {
  const start = new Int32Array(cardinality + 1);
  for (let i = 0; i < ids.length; i++) start[ids[i]! + 1]!++;
  for (let k = 0; k < cardinality; k++) start[k + 1]! += start[k]!;
  const perm = new Int32Array(ids.length);
  for (let i = 0; i < ids.length; i++) perm[start[ids[i]!]!++] = i;
  return perm;
}

/** Where a column's docs and values come from after the doc permutation. */
export interface Reordered {
  /** Multi-value offsets in the new doc order (length numDocs + 1); null for single-value. */
  readonly offsets: Int32Array | null;
  /** New value index → old value index; null when the order is unchanged. */
  readonly valueOrder: Int32Array | null;
  /** Null bitmap in the new doc order. */
  readonly nulls: Uint8Array;
}

/** Applies `perm` (new doc → old doc, or null for none) to a column's layout. */
export function reorderColumn(col: ImmutableColumn, perm: Int32Array | null): Reordered {
  if (perm === null) return { offsets: col.offsets, valueOrder: null, nulls: col.nulls };
  const n = col.numDocs;
  const nulls = new Uint8Array(col.nulls.length);
  if (col.nullCount > 0) for (let j = 0; j < n; j++) if (isBitSet(col.nulls, perm[j]!)) setBit(nulls, j);
  const old = col.offsets;
  if (old === null) return { offsets: null, valueOrder: perm, nulls };
  const offsets = new Int32Array(n + 1);
  for (let j = 0; j < n; j++) offsets[j + 1] = offsets[j]! + (old[perm[j]! + 1]! - old[perm[j]!]!);
  const valueOrder = new Int32Array(offsets[n]!);
  let k = 0;
  for (let j = 0; j < n; j++) for (let v = old[perm[j]!]!; v < old[perm[j]! + 1]!; v++) valueOrder[k++] = v;
  return { offsets, valueOrder, nulls };
}

/** `out[i] = src[order[i]]` for a typed array (BigInt64 gathered as int32 pairs: no BigInt allocation). */
export function gather<A extends Int32Array | Float32Array | Float64Array | BigInt64Array>(src: A, order: Int32Array | null): A {
  if (order === null) return src;
  if (src instanceof BigInt64Array) {
    const out = new BigInt64Array(order.length);
    const s = new Int32Array(src.buffer, src.byteOffset, src.length * 2);
    const o = new Int32Array(out.buffer);
    for (let i = 0; i < order.length; i++) {
      o[2 * i] = s[2 * order[i]!]!;
      o[2 * i + 1] = s[2 * order[i]! + 1]!;
    }
    return out as A;
  }
  const out = new (src.constructor as new (n: number) => Int32Array | Float32Array | Float64Array)(order.length);
  const s = src as Int32Array | Float32Array | Float64Array;
  for (let i = 0; i < order.length; i++) out[i] = s[order[i]!]!;
  return out as A;
}
