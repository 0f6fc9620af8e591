import { describe, expect, it } from 'vitest';
import { FastDistinctValues } from '../../../../src/query/exec/distinct-values.js';
import { aggregationFunction } from '../../../../src/query/functions/aggregation-functions.js';

/** The count the plain JS-Set state of DISTINCTCOUNT gives. */
function plainCount(values: readonly unknown[]): number {
  const fn = aggregationFunction('distinctcount')!.fn;
  const s = fn.init();
  for (const v of values) fn.add(s, v);
  return fn.result(s, 0) as number;
}

describe('FastDistinctValues', () => {
  const mixed: unknown[] = [1, 1n, '1', -0, 0, Number.NaN, Number.NaN, 2n ** 60n, 2n ** 60n, 2n ** 53n, 2n ** 53n - 1n, 9_007_199_254_740_991, null, 'z', Uint8Array.from([1]), Uint8Array.from([1]), 0.5];

  it('counts values as the plain Set state does', () => {
    const set = new FastDistinctValues();
    for (const v of mixed) set.add(v);
    expect(set.size).toBe(plainCount(mixed));
    const copy = new FastDistinctValues();
    for (const v of set.values()) copy.add(v);
    expect(copy.size).toBe(set.size);
  });

  it('merges sorted runs with hashed values without counting twice', () => {
    const set = new FastDistinctValues();
    set.addSorted('long', Float64Array.from([-5, 1, 3, 7]), 4);
    set.addSafeLong(3);
    set.addSafeLong(4);
    set.addSorted('long', Float64Array.from([1, 2, 7, 8, 99]), 4);
    set.add(4n);
    set.addNumber(3);
    expect(set.size).toBe(8); // longs -5 1 2 3 4 7 8, number 3
    set.addSorted('num', Float64Array.from([3, 10]), 2);
    set.addNumber(0.5);
    expect(set.size).toBe(10); // + number 10, 0.5
    expect(plainCount([...set.values()])).toBe(10);
  });
});
