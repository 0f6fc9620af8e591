import { describe, expect, it } from 'vitest';
import { matchIds8, matchMvIds } from '../../../../src/query/exec/id-kernels.js';

describe('dictionary id loops', () => {
  it('single-value ids: rows whose id is in the match table, with and without candidates', () => {
    const ids = Uint8Array.from([0, 1, 2, 1, 0, 2, 2]);
    const match = Uint8Array.from([0, 1, 1]);
    const out = new Int32Array(7);
    expect(Array.from(out.subarray(0, matchIds8(ids, match, null, 7, out)))).toEqual([1, 2, 3, 5, 6]);
    const cand = Int32Array.from([0, 3, 4, 6]);
    expect(Array.from(out.subarray(0, matchIds8(ids, match, cand, 4, out)))).toEqual([3, 6]);
  });

  it('multi-value ids: any value matches; counts every value of every tested row', () => {
    // Rows: [0], [1, 2], [], [2, 2, 0], [0, 0]
    const offsets = Uint32Array.from([0, 1, 3, 3, 6, 8]);
    const match = Uint8Array.from([0, 0, 1]);
    const scanned = new Float64Array(1);
    const cum = new Int32Array(9);
    const out = new Int32Array(5);
    for (const ids of [Uint8Array.from([0, 1, 2, 2, 2, 0, 0, 0]), Uint16Array.from([0, 1, 2, 2, 2, 0, 0, 0]), Int32Array.from([0, 1, 2, 2, 2, 0, 0, 0])]) {
      expect(Array.from(out.subarray(0, matchMvIds(ids, offsets, match, null, 5, 5, out, cum, scanned)))).toEqual([1, 3]);
      expect(scanned[0]).toBe(8);
      const many = Int32Array.from([1, 2, 4]);
      expect(Array.from(out.subarray(0, matchMvIds(ids, offsets, match, many, 3, 5, out, cum, scanned)))).toEqual([1]);
      expect(scanned[0]).toBe(4);
      const few = Int32Array.from([3]); // fewer than a quarter of the rows: tested one by one
      expect(Array.from(out.subarray(0, matchMvIds(ids, offsets, match, few, 1, 5, out, cum, scanned)))).toEqual([3]);
      expect(scanned[0]).toBe(3);
    }
  });
});
