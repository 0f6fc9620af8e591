/**
 * Sorted distinct values of a numeric column, by LSD radix sort of order-preserving unsigned keys
 * (16-bit digits; a digit that every key shares is skipped, so small ints and timestamps take one
 * or two passes). About 3-5x faster than `TypedArray#sort` on a million values, which dominated
 * sealing. The order is `compareFloat`'s: -Infinity < ... < -0 < +0 < ... < Infinity < NaN, all
 * NaNs one value (written as the canonical quiet NaN).
 */

/** Below this many values `TypedArray#sort` is as fast (the digit histograms cost 256 KiB each). */
const RADIX_MIN = 4096;
const DIGIT = 0x10000;

export type NumericArray = Int32Array | Float32Array | Float64Array | BigInt64Array;

/**
 * Sorts `keys` (unsigned 32-bit words: one per key, or `(hi, lo)` pairs when `words` is 2)
 * ascending, by 16-bit digits from the least significant. Returns the sorted keys (`keys` or a
 * scratch array).
 */
function radixSort(keys: Uint32Array, words: 1 | 2): Uint32Array {
  const n = keys.length / words;
  const digits = 2 * words;
  // One histogram per digit, from one pass; digit 0 is the lowest 16 bits of the last word.
  const counts = new Uint32Array(digits * DIGIT);
  for (let i = 0; i < n; i++) {
    for (let w = 0; w < words; w++) {
      const k = keys[i * words + w]!;
      const d = 2 * (words - 1 - w);
      counts[d * DIGIT + (k & 0xffff)]!++;
      counts[(d + 1) * DIGIT + (k >>> 16)]!++;
    }
  }
  let src: Uint32Array = keys;
  let dst: Uint32Array = new Uint32Array(keys.length);
  for (let d = 0; d < digits; d++) {
    const base = d * DIGIT;
    // Every key has the same digit here: the pass would not move anything.
    let skip = false;
    let sum = 0;
    for (let b = 0; b < DIGIT; b++) {
      const c = counts[base + b]!;
      if (c === n) skip = true;
      counts[base + b] = sum;
      sum += c;
    }
    if (skip) continue;
    const w = words - 1 - (d >> 1);
    const shift = (d & 1) * 16;
    if (words === 1) {
      for (let i = 0; i < n; i++) {
        const k = src[i]!;
        dst[counts[base + ((k >>> shift) & 0xffff)]!++] = k;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const hi = src[2 * i]!;
        const lo = src[2 * i + 1]!;
        const at = 2 * counts[base + (((w === 0 ? hi : lo) >>> shift) & 0xffff)]!++;
        dst[at] = hi;
        dst[at + 1] = lo;
      }
    }
    const t = src;
    src = dst;
    dst = t;
  }
  return src;
}

/** Sorted distinct values of `values` (a new array). */
export function sortedDistinct<A extends NumericArray>(values: A): A {
  if (values.length < RADIX_MIN) return nativeSortedDistinct(values);
  const n = values.length;
  if (values instanceof Int32Array) {
    const keys = new Uint32Array(n);
    for (let i = 0; i < n; i++) keys[i] = (values[i]! ^ 0x80000000) >>> 0;
    const sorted = uniqueKeys(radixSort(keys, 1), 1);
    for (let i = 0; i < sorted.length; i++) sorted[i] = (sorted[i]! ^ 0x80000000) >>> 0;
    return new Int32Array(sorted.buffer, 0, sorted.length) as A;
  }
  if (values instanceof Float32Array) {
    const bits = new Uint32Array(values.buffer, values.byteOffset, n);
    const keys = new Uint32Array(n);
    for (let i = 0; i < n; i++) keys[i] = floatKey(bits[i]!);
    const sorted = uniqueKeys(radixSort(keys, 1), 1);
    for (let i = 0; i < sorted.length; i++) sorted[i] = sorted[i]! & 0x80000000 ? sorted[i]! & 0x7fffffff : ~sorted[i]! >>> 0;
    return new Float32Array(sorted.buffer, 0, sorted.length) as A;
  }
  // 64-bit values as little-endian (lo, hi) words; keys as (hi, lo) pairs.
  const words = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  const keys = new Uint32Array(2 * n);
  const isLong = values instanceof BigInt64Array;
  for (let i = 0; i < n; i++) {
    const lo = words[2 * i]!;
    const hi = words[2 * i + 1]!;
    if (isLong) {
      keys[2 * i] = (hi ^ 0x80000000) >>> 0;
      keys[2 * i + 1] = lo;
    } else doubleKey(hi, lo, keys, 2 * i);
  }
  const sorted = uniqueKeys(radixSort(keys, 2), 2);
  const count = sorted.length / 2;
  for (let i = 0; i < count; i++) {
    const hk = sorted[2 * i]!;
    const lk = sorted[2 * i + 1]!;
    // Back to little-endian (lo, hi) words of the value.
    if (isLong) {
      sorted[2 * i] = lk;
      sorted[2 * i + 1] = (hk ^ 0x80000000) >>> 0;
    } else doubleOfKey(hk, lk, sorted, 2 * i);
  }
  return (isLong ? new BigInt64Array(sorted.buffer, 0, count) : new Float64Array(sorted.buffer, 0, count)) as A;
}

/**
 * `values` ascending in the same order, repeats kept (a new array): the sort of `sortedDistinct`
 * without its last step, for callers that count repeats (a GROUP BY counting a raw key's values:
 * `query/exec/value-counts.ts`; 312,500 values in ~4 ms against ~30 for `Float64Array#sort`).
 */
export function sortedNumbers(values: Float64Array): Float64Array {
  if (values.length < RADIX_MIN) return values.slice().sort();
  const n = values.length;
  const words = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  const keys = new Uint32Array(2 * n);
  for (let i = 0; i < n; i++) doubleKey(words[2 * i + 1]!, words[2 * i]!, keys, 2 * i);
  const sorted = radixSort(keys, 2);
  const out = new Float64Array(n);
  const outWords = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) doubleOfKey(sorted[2 * i]!, sorted[2 * i + 1]!, outWords, 2 * i);
  return out;
}

/** Writes the order-preserving (hi, lo) key of the double with words `hi`, `lo` to `keys[at..at+2)`; every NaN keys after +Infinity. */
function doubleKey(hi: number, lo: number, keys: Uint32Array, at: number): void {
  if ((hi & 0x7ff00000) === 0x7ff00000 && ((hi & 0xfffff) !== 0 || lo !== 0)) {
    keys[at] = 0xfff80000; // NaN: after +Infinity, all NaNs equal
    keys[at + 1] = 0;
  } else if (hi & 0x80000000) {
    keys[at] = ~hi >>> 0;
    keys[at + 1] = ~lo >>> 0;
  } else {
    keys[at] = (hi | 0x80000000) >>> 0;
    keys[at + 1] = lo;
  }
}

/** Writes the little-endian (lo, hi) words of the double whose key is (`hk`, `lk`) to `out[at..at+2)`. */
function doubleOfKey(hk: number, lk: number, out: Uint32Array, at: number): void {
  if (hk & 0x80000000) {
    out[at] = lk;
    out[at + 1] = hk & 0x7fffffff;
  } else {
    out[at] = ~lk >>> 0;
    out[at + 1] = ~hk >>> 0;
  }
}

/** Order-preserving key of a float32's bits; every NaN maps to the key after +Infinity's. */
function floatKey(bits: number): number {
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0) return 0xffc00000; // key of 0x7fc00000
  return bits & 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
}

/** Drops repeated keys of a sorted key array, in place; returns the distinct prefix. */
function uniqueKeys(keys: Uint32Array, words: 1 | 2): Uint32Array {
  const n = keys.length / words;
  let w = 0;
  if (words === 1) {
    for (let r = 0; r < n; r++) if (w === 0 || keys[r] !== keys[w - 1]) keys[w++] = keys[r]!;
    return keys.subarray(0, w);
  }
  for (let r = 0; r < n; r++) {
    if (w === 0 || keys[2 * r] !== keys[2 * w - 2] || keys[2 * r + 1] !== keys[2 * w - 1]) {
      keys[2 * w] = keys[2 * r]!;
      keys[2 * w + 1] = keys[2 * r + 1]!;
      w++;
    }
  }
  return keys.subarray(0, 2 * w);
}

function nativeSortedDistinct<A extends NumericArray>(values: A): A {
  const s = values.slice().sort() as A;
  const v = s as unknown as (number | bigint)[];
  let w = 0;
  for (let r = 0; r < s.length; r++) {
    const a = v[r]!;
    const b = v[w - 1];
    // Floats: -0 and +0 are distinct values, NaNs are one value (compareFloat).
    const same = w > 0 && (a === b ? a !== 0 || Object.is(a, -0) === Object.is(b, -0) : a !== a && b !== b);
    if (!same) v[w++] = a;
  }
  return s.subarray(0, w) as A;
}
