import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../helpers/random.js';
import type { NumericArray } from '../../../../src/segment/format/numeric-order.js';
import { sortedDistinct, sortedNumbers } from '../../../../src/segment/format/numeric-order.js';
import { compareFloat } from '../../../../src/segment/format/sorted-dictionary.js';

/** The reference: sort with the file's order, drop repeats (NaNs are one value, -0 and +0 two). */
function reference(values: NumericArray): unknown[] {
  const all = Array.from(values as ArrayLike<number | bigint>);
  const cmp = (a: number | bigint, b: number | bigint): number => (typeof a === 'bigint' ? (a < (b as bigint) ? -1 : a > (b as bigint) ? 1 : 0) : compareFloat(a, b as number));
  all.sort(cmp);
  return all.filter((v, i) => i === 0 || cmp(v, all[i - 1]!) !== 0).map((v) => (Object.is(v, -0) ? '-0' : v));
}

function actual(values: NumericArray): unknown[] {
  return Array.from(sortedDistinct(values) as ArrayLike<number | bigint>, (v) => (Object.is(v, -0) ? '-0' : v));
}

describe('sortedDistinct', () => {
  // Below 4096 values the native sort is used, above it the radix sort: both sizes are checked.
  for (const size of [0, 1, 100, 4095, 5000, 70_000]) {
    it(`sorts and dedupes ${size} values of every numeric type like the file's comparator`, () => {
      const next = mulberry32(size + 1);
      const special = [0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE];
      const pick = (i: number, wide: () => number): number => (i % 11 === 0 ? special[i % special.length]! : wide());
      const ints = Int32Array.from({ length: size }, (_, i) => (i % 5 === 0 ? [0, -1, 2147483647, -2147483648][i % 4]! : Math.floor(next() * 2 ** 32) - 2 ** 31));
      const smallInts = Int32Array.from({ length: size }, () => Math.floor(next() * 7));
      const doubles = Float64Array.from({ length: size }, (_, i) => pick(i, () => (next() - 0.5) * 10 ** Math.floor(next() * 40 - 20)));
      const floats = Float32Array.from({ length: size }, (_, i) => pick(i, () => (next() - 0.5) * 1000));
      const longs = BigInt64Array.from({ length: size }, (_, i) =>
        i % 7 === 0 ? [0n, -1n, 9223372036854775807n, -9223372036854775808n, 4294967296n, -4294967296n, 4294967295n][i % 7]! : BigInt(Math.floor((next() - 0.5) * 2 ** 53)) * 1023n,
      );
      const timestamps = BigInt64Array.from({ length: size }, () => 1_700_000_000_000n + BigInt(Math.floor(next() * 1e6)));
      for (const values of [ints, smallInts, doubles, floats, longs, timestamps]) expect(actual(values)).toEqual(reference(values));
    });
  }

  it('writes NaN as the canonical quiet NaN, whatever NaN bits came in', () => {
    const doubles = new Float64Array(5000);
    const words = new Uint32Array(doubles.buffer);
    for (let i = 0; i < 5000; i++) {
      words[2 * i] = i; // NaN payloads, positive and negative
      words[2 * i + 1] = i % 2 === 0 ? 0x7ff00000 : 0xfff00001;
    }
    doubles[0] = 1.5;
    const out = sortedDistinct(doubles);
    expect(out.length).toBe(2);
    expect(out[0]).toBe(1.5);
    expect(Array.from(new Uint32Array(out.buffer, out.byteOffset + 8, 2))).toEqual([0, 0x7ff80000]);
  });
});

describe('sortedNumbers', () => {
  for (const size of [0, 3, 4095, 5000, 70_000]) {
    it(`sorts ${size} doubles like the file's comparator, repeats kept, the input untouched`, () => {
      const next = mulberry32(size + 7);
      const special = [0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -Number.MIN_VALUE, 2 ** 53 - 1, -(2 ** 53 - 1)];
      const values = Float64Array.from({ length: size }, (_, i) => (i % 13 === 0 ? special[i % special.length]! : i % 3 === 0 ? Math.floor(next() * 50) : (next() - 0.5) * 1e9));
      const before = values.slice();
      const want = Array.from(values).sort(compareFloat).map((v) => (Object.is(v, -0) ? '-0' : v));
      expect(Array.from(sortedNumbers(values), (v) => (Object.is(v, -0) ? '-0' : v))).toEqual(want);
      expect(values).toEqual(before);
    });
  }
});
