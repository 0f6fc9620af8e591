import { describe, expect, it } from 'vitest';
import { countByLanes, sumRowsByLanesI32, sumRowsByLanesU16 } from '../../../../src/query/exec/lane-kernels.js';
import { mulberry32 } from '../../../../src/util/random.js';

/**
 * The two-lane kernels (even rows into the states, odd rows into a second set folded in at the
 * end) must leave exactly the states a row-by-row loop leaves: counts, and sums of integers,
 * from states already started, for odd and even row counts, rows selected out of order, and
 * groups that repeat, alternate, or are never touched.
 */
function brute(xs: Float64Array, ns: Float64Array | null, v: ArrayLike<number>, rows: Int32Array, gids: Int32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    xs[gids[i]!] += v[rows[i]!]!;
    if (ns !== null) ns[gids[i]!]++;
  }
}

describe('two-lane COUNT and integer SUM kernels', () => {
  const rand = mulberry32(17);
  const cases = [
    { n: 0, groups: 1 },
    { n: 1, groups: 1 },
    { n: 7, groups: 3 },
    { n: 4097, groups: 5 },
    { n: 16_384, groups: 700 },
  ];

  it('leave the states a row-by-row loop leaves', () => {
    for (const { n, groups } of cases) {
      // Runs of 1-5 rows, a third of the groups never used, selected rows in a shuffled order.
      const gids = new Int32Array(n);
      for (let i = 0, g = 0; i < n; g = Math.floor(rand() * Math.max(1, (groups * 2) / 3))) {
        const len = 1 + Math.floor(rand() * 5);
        gids.fill(g, i, Math.min(n, i + len));
        i += len;
      }
      const rows = Int32Array.from({ length: n }, (_, i) => (i * 7) % Math.max(1, n));
      const i32 = Int32Array.from({ length: Math.max(1, n) }, () => Math.floor((rand() - 0.5) * 2 ** 31));
      const u16 = Uint16Array.from({ length: Math.max(1, n) }, () => Math.floor(rand() * 65536));
      const start = (): Float64Array => Float64Array.from({ length: groups }, (_, g) => g * 1000);

      const counts = start();
      const countsTruth = start();
      countByLanes(counts, gids, n, groups);
      brute(new Float64Array(groups), countsTruth, rows, Int32Array.from({ length: n }, (_, i) => i), gids, n);
      expect(counts, `count n=${n}`).toEqual(countsTruth);

      for (const [name, v, kernel] of [
        ['i32', i32, sumRowsByLanesI32],
        ['u16', u16, sumRowsByLanesU16],
      ] as const) {
        for (const withCounts of [false, true]) {
          const xs = start();
          const ns = withCounts ? start() : null;
          const xsTruth = start();
          const nsTruth = withCounts ? start() : null;
          (kernel as (xs: Float64Array, ns: Float64Array | null, v: ArrayLike<number>, rows: Int32Array, gids: Int32Array, n: number, numGroups: number) => void)(xs, ns, v, rows, gids, n, groups);
          brute(xsTruth, nsTruth, v, rows, gids, n);
          expect(xs, `${name} sum n=${n}`).toEqual(xsTruth);
          expect(ns, `${name} count n=${n}`).toEqual(nsTruth);
        }
      }
    }
  });

  it('start each block from clean odd lanes (a larger block before a smaller one)', () => {
    const big = Int32Array.from({ length: 1000 }, (_, i) => i % 10);
    const ns = new Float64Array(10);
    countByLanes(ns, big, 1000, 10);
    const small = new Float64Array(4);
    countByLanes(small, Int32Array.of(0, 1, 2, 3, 3), 5, 4);
    expect(Array.from(small)).toEqual([1, 1, 1, 2]);
    const xs = new Float64Array(4);
    sumRowsByLanesU16(new Float64Array(10), null, Uint16Array.from({ length: 1000 }, () => 9), Int32Array.from({ length: 1000 }, (_, i) => i), big, 1000, 10);
    sumRowsByLanesI32(xs, null, Int32Array.of(5, -6, 7, 8, 1), Int32Array.of(0, 1, 2, 3, 4), Int32Array.of(0, 1, 2, 3, 3), 5, 4);
    expect(Array.from(xs)).toEqual([5, -6, 7, 9]);
  });
});
