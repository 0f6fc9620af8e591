import type { ValueRange } from './value-tests.js';

/**
 * Tight filter loops for numeric range leaves on raw columns, one function per array type so
 * every loop stays monomorphic (V8 compiles typed-array loads of a single element kind to plain
 * loads). Each writes the passing rows — all rows `0..count)`, or the candidates
 * `cand[0..count)` — to `out` (room for `count`) in ascending order and returns how many passed.
 *
 * Loops come in two forms: `branchy` (an `if` per row: fastest when almost all or almost no rows
 * pass, as the branch is predictable) and branchless (always store, advance by the test as 0/1:
 * no misprediction when about half the rows pass). The caller picks by the pass rate it saw on
 * the previous block.
 *
 * Per-type kernels, on purpose: `rangeInt32`, `rangeUint16` (INT blocks held in 16 bits),
 * `rangeFloat64` and `rangeFloat32` are the same body written once per typed-array type
 * (`duplicates` lists them; docs/decisions.md, "Per-type kernels"). One function over
 * `Int32Array | Uint16Array | Float64Array | Float32Array` would see several
 * element kinds at the same loads and go polymorphic or megamorphic in V8, which costs the filter
 * several times its speed. Change one body, change them all.
 */

/** Inclusive bounds of a numeric range predicate in the domain of one column's array. */
export type NumericBounds =
  | { readonly kind: 'number'; readonly lo: number; readonly hi: number }
  | { readonly kind: 'int64'; readonly lo: bigint; readonly hi: bigint }
  | { readonly kind: 'empty' };

/** The stored element type of a raw numeric column block. */
export type RawElement = 'int32' | 'float' | 'int64';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const F64 = new Float64Array(1);
const I64 = new BigInt64Array(F64.buffer);

/** The smallest double above `x` (x finite or -Infinity, not NaN). */
function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  F64[0] = x;
  I64[0]! += x > 0 ? 1n : -1n;
  return F64[0]!;
}

const nextDown = (x: number): number => -nextUp(-x);

/**
 * Turns a `compare`/`between` range (see `valueRange`) into inclusive bounds for a column whose
 * values are `element`, or null when the literals are of a kind whose comparison the plain loop
 * would not reproduce exactly (NaN, a bigint against doubles, a double beyond 2^53 against
 * longs): those leaves keep the generic per-value test. Comparisons follow `compareValues`:
 * NaN values never pass, -0 equals 0, longs compare exactly.
 */
export function numericBounds(range: ValueRange, element: RawElement): NumericBounds | null {
  const { lo, hi } = range;
  // BETWEEN 0 AND -0 matches nothing: the generic test orders -0 before 0, as Java does.
  if (Object.is(lo, 0) && Object.is(hi, -0)) return { kind: 'empty' };
  if (element === 'int64') {
    const l = lo === null ? INT64_MIN : int64Bound(lo, range.loInclusive, true);
    const h = hi === null ? INT64_MAX : int64Bound(hi, range.hiInclusive, false);
    if (l === null || h === null) return null;
    if (l > h || l > INT64_MAX || h < INT64_MIN) return { kind: 'empty' };
    return { kind: 'int64', lo: l < INT64_MIN ? INT64_MIN : l, hi: h > INT64_MAX ? INT64_MAX : h };
  }
  if ((lo !== null && (typeof lo !== 'number' || Number.isNaN(lo))) || (hi !== null && (typeof hi !== 'number' || Number.isNaN(hi)))) return null;
  let l = lo === null ? Number.NEGATIVE_INFINITY : lo;
  let h = hi === null ? Number.POSITIVE_INFINITY : hi;
  if (element === 'int32') {
    // Integer values: v > 2.5 is v >= 3, v < 5 is v <= 4 (also right for ±Infinity).
    if (lo !== null) l = range.loInclusive ? Math.ceil(l) : Math.floor(l) + 1;
    if (hi !== null) h = range.hiInclusive ? Math.floor(h) : Math.ceil(h) - 1;
  } else {
    if (lo !== null && !range.loInclusive) {
      if (l === Number.POSITIVE_INFINITY) return { kind: 'empty' };
      l = nextUp(l);
    }
    if (hi !== null && !range.hiInclusive) {
      if (h === Number.NEGATIVE_INFINITY) return { kind: 'empty' };
      h = nextDown(h);
    }
  }
  return l > h ? { kind: 'empty' } : { kind: 'number', lo: l, hi: h };
}

/** An inclusive bigint bound for `x` compared with long values, or null if not exact. */
function int64Bound(x: unknown, inclusive: boolean, lower: boolean): bigint | null {
  if (typeof x === 'bigint') return inclusive ? x : lower ? x + 1n : x - 1n;
  if (typeof x !== 'number' || !Number.isFinite(x) || Math.abs(x) > Number.MAX_SAFE_INTEGER) return null;
  // A fraction compares exactly with every long (see compareValues): v > 2.5 is v >= 3.
  if (lower) return BigInt(inclusive ? Math.ceil(x) : Math.floor(x) + 1);
  return BigInt(inclusive ? Math.floor(x) : Math.ceil(x) - 1);
}

export function rangeInt32(v: Int32Array, lo: number, hi: number, cand: Int32Array | null, count: number, out: Int32Array, branchy: boolean): number {
  let n = 0;
  if (branchy) {
    if (cand === null) {
      for (let r = 0; r < count; r++) {
        const x = v[r]!;
        if (x >= lo && x <= hi) out[n++] = r;
      }
    } else {
      for (let i = 0; i < count; i++) {
        const r = cand[i]!;
        const x = v[r]!;
        if (x >= lo && x <= hi) out[n++] = r;
      }
    }
  } else if (cand === null) {
    for (let r = 0; r < count; r++) {
      const x = v[r]!;
      out[n] = r;
      n += +(x >= lo) & +(x <= hi);
    }
  } else {
    for (let i = 0; i < count; i++) {
      const r = cand[i]!;
      const x = v[r]!;
      out[n] = r;
      n += +(x >= lo) & +(x <= hi);
    }
  }
  return n;
}

/** `rangeInt32` over a narrowed INT block (`narrowInts`: values in [0, 65535]). */
export function rangeUint16(v: Uint16Array, lo: number, hi: number, cand: Int32Array | null, count: number, out: Int32Array, branchy: boolean): number {
  let n = 0;
  if (branchy) {
    if (cand === null) {
      for (let r = 0; r < count; r++) {
        const x = v[r]!;
        if (x >= lo && x <= hi) out[n++] = r;
      }
    } else {
      for (let i = 0; i < count; i++) {
        const r = cand[i]!;
        const x = v[r]!;
        if (x >= lo && x <= hi) out[n++] = r;
      }
    }
  } else if (cand === null) {
    for (let r = 0; r < count; r++) {
      const x = v[r]!;
      out[n] = r;
      n += +(x >= lo) & +(x <= hi);
    }
  } else {
    for (let i = 0; i < count; i++) {
      const r = cand[i]!;
      const x = v[r]!;
      out[n] = r;
      n += +(x >= lo) & +(x <= hi);
    }
  }
  return n;
}

export function rangeFloat64(v: Float64Array, lo: number, hi: number, cand: Int32Array | null, count: number, out: Int32Array, branchy: boolean): number {
  let n = 0;
  if (branchy) {
    if (cand === null) {
      for (let r = 0; r < count; r++) {
        const x = v[r]!;
        if (x >= lo && x <= hi) out[n++] = r;
      }
    } else {
      for (let i = 0; i < count; i++) {
        const r = cand[i]!;
        const x = v[r]!;
        if (x >= lo && x <= hi) out[n++] = r;
      }
    }
  } else if (cand === null) {
    for (let r = 0; r < count; r++) {
      const x = v[r]!;
      out[n] = r;
      n += +(x >= lo) & +(x <= hi);
    }
  } else {
    for (let i = 0; i < count; i++) {
      const r = cand[i]!;
      const x = v[r]!;
      out[n] = r;
      n += +(x >= lo) & +(x <= hi);
    }
  }
  return n;
}

export function rangeFloat32(v: Float32Array, lo: number, hi: number, cand: Int32Array | null, count: number, out: Int32Array, branchy: boolean): number {
  let n = 0;
  if (branchy) {
    if (cand === null) {
      for (let r = 0; r < count; r++) {
        const x = v[r]!;
        if (x >= lo && x <= hi) out[n++] = r;
      }
    } else {
      for (let i = 0; i < count; i++) {
        const r = cand[i]!;
        const x = v[r]!;
        if (x >= lo && x <= hi) out[n++] = r;
      }
    }
  } else if (cand === null) {
    for (let r = 0; r < count; r++) {
      const x = v[r]!;
      out[n] = r;
      n += +(x >= lo) & +(x <= hi);
    }
  } else {
    for (let i = 0; i < count; i++) {
      const r = cand[i]!;
      const x = v[r]!;
      out[n] = r;
      n += +(x >= lo) & +(x <= hi);
    }
  }
  return n;
}

/**
 * Longs compared as (signed high word, unsigned low word) pairs of 32-bit ints: no BigInt is
 * created per value. `words` is the BigInt64Array's buffer viewed as Int32Array (little-endian).
 */
export function rangeInt64(values: BigInt64Array, lo: bigint, hi: bigint, cand: Int32Array | null, count: number, out: Int32Array): number {
  const w = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
  const loH = Number(lo >> 32n);
  const loL = Number(lo & 0xffffffffn);
  const hiH = Number(hi >> 32n);
  const hiL = Number(hi & 0xffffffffn);
  let n = 0;
  if (cand === null) {
    for (let r = 0; r < count; r++) {
      const h = w[2 * r + 1]!;
      const l = w[2 * r]! >>> 0;
      if ((h > loH || (h === loH && l >= loL)) && (h < hiH || (h === hiH && l <= hiL))) out[n++] = r;
    }
  } else {
    for (let i = 0; i < count; i++) {
      const r = cand[i]!;
      const h = w[2 * r + 1]!;
      const l = w[2 * r]! >>> 0;
      if ((h > loH || (h === loH && l >= loL)) && (h < hiH || (h === hiH && l <= hiL))) out[n++] = r;
    }
  }
  return n;
}

/** The element type of a raw numeric block, or null for strings and bytes. */
export function rawElement(values: unknown): RawElement | null {
  if (values instanceof Int32Array || values instanceof Uint16Array) return 'int32';
  if (values instanceof Float64Array || values instanceof Float32Array) return 'float';
  if (values instanceof BigInt64Array) return 'int64';
  return null;
}

/** Runs the loop for a numeric range leaf; -1 when these values need the generic test. */
export function scanRange(bounds: Readonly<Record<RawElement, NumericBounds | null>>, values: unknown, cand: Int32Array | null, count: number, out: Int32Array, branchy: boolean): number {
  const element = rawElement(values);
  const b = element === null ? null : bounds[element];
  if (b === null) return -1;
  if (b.kind === 'empty') return 0;
  if (b.kind === 'int64') return rangeInt64(values as BigInt64Array, b.lo, b.hi, cand, count, out);
  if (values instanceof Int32Array) return rangeInt32(values, b.lo, b.hi, cand, count, out, branchy);
  if (values instanceof Uint16Array) return rangeUint16(values, b.lo, b.hi, cand, count, out, branchy);
  if (values instanceof Float64Array) return rangeFloat64(values, b.lo, b.hi, cand, count, out, branchy);
  return rangeFloat32(values as Float32Array, b.lo, b.hi, cand, count, out, branchy);
}
