import { vectorizable, VectorEvaluator } from './vector-expr.js';
import { toNumber } from '../functions/values.js';
import type { BoundExpr } from '../plan/bound-expr.js';
import type { Dictionary } from '../../segment/segment-view.js';
import { compileRowExpr } from './compile-expr.js';
import { chargeDerived } from './derived-memory.js';
import type { ColumnBlock } from './segment-snapshot.js';

/** A block's columns, as the executor hands them to aggregation. */
export type BlockColumns = (column: string) => ColumnBlock;

interface NumberCache {
  values: Float64Array;
  size: number;
}

const dictNumberCache = new WeakMap<Dictionary, NumberCache>();

/**
 * Makes `dictionaryNumbers(view)` answer `base`'s numbers of ids `[from, from + view.size)`
 * without computing them again: `view` is a window of `base`'s ids (a key partition's,
 * `parallel/partition-aggregator.ts`), id `i` of the view being id `from + i` of `base`.
 */
export function shareDictionaryNumbers(view: Dictionary, base: Dictionary, from: number): void {
  dictNumberCache.set(view, { values: dictionaryNumbers(base).subarray(from, from + view.size), size: view.size });
}

/**
 * Makes `dictionaryNumbers(dict)` answer `values` (every id's number, as `toNumber` gives it): a
 * dictionary made from numbers (`value-counts.ts`), whose values need not be read back one by one.
 */
export function presetDictionaryNumbers(dict: Dictionary, values: Float64Array): void {
  dictNumberCache.set(dict, { values, size: dict.size });
}

/**
 * Every value of a dictionary as `toNumber` gives it (bigints rounded to the nearest double),
 * cached per dictionary and extended as a consuming segment's dictionary grows. Entries past
 * `dict.size` are unused. Their bytes count in the memory budget (`chargeDerived`).
 */
export function dictionaryNumbers(dict: Dictionary): Float64Array {
  let c = dictNumberCache.get(dict);
  if (c === undefined) {
    c = { values: new Float64Array(dict.size), size: 0 };
    dictNumberCache.set(dict, c);
    chargeDerived(dict, c.values.byteLength);
  }
  const size = dict.size;
  if (c.size < size) {
    if (c.values.length < size) {
      const grown = new Float64Array(Math.max(size, c.values.length * 2));
      grown.set(c.values.subarray(0, c.size));
      chargeDerived(dict, grown.byteLength - c.values.byteLength);
      c.values = grown;
    }
    const values = c.values;
    for (let i = c.size; i < size; i++) values[i] = toNumber(dict.get(i));
    c.size = size;
  }
  return c.values;
}

/**
 * Writes `toNumber` of a single-value expression for rows `sel[0..n)` to `out[0..n)`, reading
 * typed arrays and dictionary numbers directly when the expression is a plain column, and
 * arithmetic over numeric columns a block at a time (`vector-expr.ts`).
 */
export function gatherNumbers(e: BoundExpr, block: BlockColumns, sel: Int32Array, n: number, out: Float64Array): void {
  if (e.kind === 'column') {
    const b = block(e.column.name);
    if (b.offsets === null) {
      if (b.dictIds !== null && b.dictionary !== null) {
        const nums = dictionaryNumbers(b.dictionary);
        const ids = b.dictIds;
        for (let i = 0; i < n; i++) out[i] = nums[ids[sel[i]!]!]!;
        return;
      }
      const v = b.values;
      if (v instanceof Float64Array) {
        for (let i = 0; i < n; i++) out[i] = v[sel[i]!]!;
        return;
      }
      if (v instanceof Int32Array) {
        for (let i = 0; i < n; i++) out[i] = v[sel[i]!]!;
        return;
      }
      if (v instanceof Uint16Array) {
        for (let i = 0; i < n; i++) out[i] = v[sel[i]!]!;
        return;
      }
      if (v instanceof Float32Array) {
        for (let i = 0; i < n; i++) out[i] = v[sel[i]!]!;
        return;
      }
      if (v instanceof BigInt64Array) {
        gatherLongs(v, sel, n, out);
        return;
      }
    }
  }
  if (vectorizable(e)) {
    vectors.evaluate(e, n, out, (column, buf) => gatherNumbers(column, block, sel, n, buf));
    return;
  }
  const f = compileRowExpr(e, block);
  for (let i = 0; i < n; i++) out[i] = toNumber(f(sel[i]!));
}

/** Block-at-a-time arithmetic (one per process: evaluation is synchronous and not re-entered). */
const vectors = new VectorEvaluator();

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Writes `Number(values[sel[i]])` to `out[i]` for `i < n` without creating bigints: the two
 * 32-bit halves give `hi * 2^32 + lo`, one correctly rounded addition of exact terms, which is
 * what `Number` returns.
 */
export function gatherLongs(values: BigInt64Array, sel: Int32Array, n: number, out: Float64Array): void {
  if (!LITTLE_ENDIAN) {
    for (let i = 0; i < n; i++) out[i] = Number(values[sel[i]!]!);
    return;
  }
  const lo = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  const hi = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
  for (let i = 0; i < n; i++) {
    const w = 2 * sel[i]!;
    out[i] = hi[w + 1]! * 4294967296 + lo[w]!;
  }
}

/** A Float64Array of at least `n` entries, reusing `buf` when it is big enough. */
export function ensureFloat64(buf: Float64Array, n: number): Float64Array {
  return buf.length >= n ? buf : new Float64Array(Math.max(n, buf.length * 2));
}

/** An Int32Array of at least `n` entries, reusing `buf` when it is big enough. */
export function ensureInt32(buf: Int32Array, n: number): Int32Array {
  return buf.length >= n ? buf : new Int32Array(Math.max(n, buf.length * 2));
}
