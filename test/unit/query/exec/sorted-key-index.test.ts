import { describe, expect, it } from 'vitest';
import { SortedKeyIndex } from '../../../../src/query/exec/sorted-key-index.js';

describe('SortedKeyIndex', () => {
  it('finds the groups of a sorted dictionary by merging, across interleaved additions', () => {
    const index = new SortedKeyIndex();
    index.add(Float64Array.from([-5, 2, 10]), Int32Array.from([0, 1, 2]), 3);
    index.add(Float64Array.from([-7, 3, 4, 20]), Int32Array.from([3, 4, 5, 6]), 4);
    index.add(new Float64Array(0), new Int32Array(0), 0);
    expect(index.size).toBe(7);
    const dict = Float64Array.from([-7, -6, -5, 2, 3, 4, 5, 10, 20, 2 ** 60]);
    const memo = new Int32Array(dict.length).fill(-1);
    expect(index.lookupAll(dict, dict.length, memo)).toBe(7);
    expect([...memo]).toEqual([3, -1, 0, 1, 4, 5, -1, 2, 6, -1]);
  });

  it('keeps small runs apart from the main array and still finds their keys', () => {
    const index = new SortedKeyIndex();
    const n = 100;
    index.add(Float64Array.from({ length: n }, (_, i) => i * 10), Int32Array.from({ length: n }, (_, i) => i), n);
    // Below a sixteenth of the main array: kept as runs.
    index.add(Float64Array.from([5, 995, 2000]), Int32Array.from([100, 101, 102]), 3);
    index.add(Float64Array.from([15, 16]), Int32Array.from([103, 104]), 2);
    expect(index.size).toBe(105);
    const dict = Float64Array.from([0, 5, 10, 15, 16, 17, 990, 995, 2000, 2 ** 60]);
    const memo = new Int32Array(dict.length).fill(-1);
    expect(index.lookupAll(dict, dict.length, memo)).toBe(8);
    expect([...memo]).toEqual([0, 100, 1, 103, 104, -1, 99, 101, 102, -1]);
    // The run that reaches a sixteenth merges everything.
    index.add(Float64Array.from([-3, -2, -1, 1, 2]), Int32Array.from([105, 106, 107, 108, 109]), 5);
    const memo2 = new Int32Array(4).fill(-1);
    expect(index.lookupAll(Float64Array.from([-3, 2, 5, 16]), 4, memo2)).toBe(4);
    expect([...memo2]).toEqual([105, 109, 100, 104]);
  });
});
