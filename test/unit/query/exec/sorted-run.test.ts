import { describe, expect, it } from 'vitest';
import { SortedRun } from '../../../../src/query/exec/sorted-union.js';
import { mulberry32 } from '../../../../src/util/random.js';

/**
 * `SortedRun` holds the distinct union of ascending integer runs: merged, or, once a second
 * union shows the values span a range at most four times the largest union's size, as marks by
 * `value - base`. Either way its length and values must be the true union's, as ranges widen
 * below and above, go past what marks may cover (back to merging), and are read midway.
 */
function runOf(rand: () => number, lo: number, span: number, size: number): Float64Array {
  return Float64Array.from(new Set(Array.from({ length: size }, () => lo + Math.floor(rand() * span)))).sort();
}

function check(runs: readonly Float64Array[], readEvery = 0): void {
  const r = new SortedRun();
  const truth = new Set<number>();
  runs.forEach((run, i) => {
    r.union(run, run.length);
    for (const x of run) truth.add(x);
    expect(r.length).toBe(truth.size);
    if (readEvery > 0 && i % readEvery === readEvery - 1) expect(Array.from(r.values())).toEqual([...truth].sort((a, b) => a - b));
  });
  expect(Array.from(r.values())).toEqual([...truth].sort((a, b) => a - b));
}

describe('SortedRun', () => {
  const rand = mulberry32(9);

  it('marks values in a narrow range, widening below and above, duplicates counted once', () => {
    check([runOf(rand, 1000, 600, 500), runOf(rand, 900, 600, 500), runOf(rand, 700, 300, 300), runOf(rand, 1500, 400, 350), runOf(rand, 1000, 5, 5)]);
  });

  it('goes back to merging when a run lands far outside the marks, and stays exact', () => {
    check([runOf(rand, 0, 400, 300), runOf(rand, 100, 400, 300), runOf(rand, 2 ** 40, 1000, 200), runOf(rand, 50, 400, 300)]);
    check([runOf(rand, -(2 ** 50), 2 ** 51, 300), runOf(rand, -(2 ** 50), 2 ** 51, 300), runOf(rand, 0, 100, 100)]);
  });

  it('answers its values midway (read back from the marks) and goes on', () => {
    check(Array.from({ length: 9 }, (_, i) => runOf(rand, 5000 - 50 * i, 800, 400)), 2);
  });

  it('holds at most a byte per value of the range when marking, not 16 per value', () => {
    const r = new SortedRun();
    const a = Float64Array.from({ length: 100_000 }, (_, i) => 2 * i);
    const b = Float64Array.from({ length: 100_000 }, (_, i) => 2 * i + 1);
    r.union(a, a.length);
    r.union(b, b.length);
    const c = Float64Array.from({ length: 100_000 }, (_, i) => 200_000 + i);
    r.union(c, c.length);
    expect(r.length).toBe(300_000);
    // Merging three runs would hold two buffers of at least 300,000 doubles (4.8 MB).
    expect(r.byteSize()).toBeLessThan(3_000_000);
    expect(r.values()[299_999]).toBe(299_999);
  });
});
