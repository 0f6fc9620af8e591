import { describe, expect, it } from 'vitest';
import { SortedRun, marksToValues } from '../../../../src/query/exec/sorted-union.js';
import type { RunMarks } from '../../../../src/query/exec/sorted-union.js';
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

  const sorted = (xs: Iterable<number>): number[] => [...new Set(xs)].sort((a, b) => a - b);
  const runWith = (...runs: Float64Array[]): SortedRun => {
    const r = new SortedRun();
    for (const run of runs) r.union(run, run.length);
    return r;
  };

  it("marks a first union whose own range is narrow, on words (base and length multiples of 4), and hands the marks over", () => {
    const first = runOf(rand, 1003, 700, 600);
    const r = runWith(first);
    const marks = r.takeMarks()!;
    expect([marks.base % 4, marks.marks.length % 4, marks.length]).toEqual([0, 0, first.length]);
    expect(Array.from(marksToValues(marks))).toEqual(Array.from(first));
    expect(r.length).toBe(0);
    expect(r.takeMarks()).toBeNull();
    // A sparse first union stays a run: no marks to take.
    expect(runWith(runOf(rand, 0, 2 ** 40, 300)).takeMarks()).toBeNull();
  });

  it("adds other runs' marks: the first as they are, the next ORed in (widened either way), a far one or a listed run merged", () => {
    for (const order of [[0, 1, 2], [1, 0, 2], [2, 0, 1]]) {
      const runs = [runOf(rand, 1001, 800, 700), runOf(rand, 1503, 900, 700), runOf(rand, 2 ** 40 + 7, 600, 500)];
      const r = new SortedRun();
      for (const [step, i] of order.entries()) {
        r.addMarks(runWith(runs[i]!).takeMarks()!);
        // The count as added up, before anything reads the values back out.
        expect(r.length).toBe(sorted(order.slice(0, step + 1).flatMap((j) => Array.from(runs[j]!))).length);
      }
      const truth = sorted(runs.flatMap((x) => Array.from(x)));
      expect(r.length).toBe(truth.length);
      expect(Array.from(r.values())).toEqual(truth);
    }
    // Into a listed run (not marks): merged by value.
    const listed = runWith(runOf(rand, 0, 2 ** 40, 200));
    const near = runOf(rand, 5, 400, 300);
    listed.addMarks(runWith(near).takeMarks()!);
    expect(listed.length).toBe(200 + near.length);
  });

  it('ORs marks that do not line up on words a byte at a time, counting only values not held', () => {
    const r = runWith(Float64Array.of(8, 9, 10, 11, 12, 13, 14, 15));
    // Base 10 and 7 marks: 10, 12, 16 (the first two held already).
    const odd: RunMarks = { base: 10, marks: Uint8Array.of(1, 0, 1, 0, 0, 0, 1), length: 3 };
    r.addMarks(odd);
    expect(r.length).toBe(9);
    expect(Array.from(r.values())).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 16]);
  });

  it('marks unsorted integers with repeats (markAll) into an empty or marked run, and declines a listed run or a wide range', () => {
    const values = Float64Array.from({ length: 5000 }, () => 300 + Math.floor(rand() * 3000));
    const r = new SortedRun();
    expect(r.markAll(values, values.length)).toBe(true);
    const more = Float64Array.from({ length: 2000 }, () => 100 + Math.floor(rand() * 4000));
    expect(r.markAll(more, more.length)).toBe(true);
    const truth = sorted([...values, ...more]);
    expect(r.length).toBe(truth.length);
    expect(Array.from(r.values())).toEqual(truth);
    // Now a listed run (values() read the marks back out): declined, nothing changed.
    expect(r.markAll(Float64Array.of(5, 6), 2)).toBe(false);
    expect(r.length).toBe(truth.length);
    // Too wide for its number of values.
    expect(new SortedRun().markAll(Float64Array.of(0, 1_000_000, 3), 3)).toBe(false);
  });
});
