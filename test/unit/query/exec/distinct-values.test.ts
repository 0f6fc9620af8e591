import { describe, expect, it } from 'vitest';
import { FastDistinctValues } from '../../../../src/query/exec/distinct-values.js';
import { NumberSet } from '../../../../src/query/exec/number-set.js';
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

  it('folds thousands of hashed integers (radix-sorted) into the sorted runs, negatives and keys near 2^53 included', () => {
    const set = new FastDistinctValues();
    const truth = new Set<bigint>();
    const run = Float64Array.from({ length: 20_000 }, (_, i) => (i - 10_000) * 3);
    set.addSorted('long', run, run.length);
    for (const x of run) truth.add(BigInt(x));
    let x = 99;
    for (let i = 0; i < 30_000; i++) {
      x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
      const v = i % 1000 === 0 ? Number.MAX_SAFE_INTEGER - (x % 1000) : (x % 80_000) - 40_000;
      set.addSafeLong(v);
      truth.add(BigInt(v));
    }
    expect(set.size).toBe(truth.size);
    const values = [...set.values()] as bigint[];
    expect(values.length).toBe(truth.size);
    expect(values.every((v, i) => i === 0 || v > values[i - 1]!)).toBe(true); // one ascending run
    expect(values.every((v) => truth.has(v))).toBe(true);
  });
});

describe('NumberSet.addAll and merging hash-ordered parts', () => {
  /** Distinct pseudo-random integers and fractions (a fixed LCG: the test is the same every run). */
  function values(n: number, seed: number): number[] {
    let x = seed;
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
      out.push(i % 5 === 0 ? 1_000_000 + (x % 300_000) + 0.25 : 1_000_000 + (x % 300_000));
    }
    return out;
  }

  it('adds another set in its slot order into a table at least as large as that set', () => {
    const source = new NumberSet();
    for (const v of values(60_000, 7)) source.add(v);
    source.add(Number.NaN);
    source.add(-0);
    const into = new NumberSet();
    into.add(0);
    into.add(1_000_000);
    into.addAll(source.keys());
    expect(into.byteSize()).toBeGreaterThanOrEqual(source.byteSize());
    expect(into.size).toBe(new Set([...source.keys(), 0, 1_000_000]).size);
    expect(source.keys().filter((k) => !into.has(k)).length).toBe(0);
    const reserved = new NumberSet();
    reserved.reserve(1000);
    expect(reserved.byteSize()).toBe(2048 * 8);
    expect(reserved.size).toBe(0);
  });

  it('merges the hash-ordered parts of two sets as the union of their values', () => {
    const a = new FastDistinctValues();
    const b = new FastDistinctValues();
    const va = values(50_000, 1);
    const vb = values(50_000, 2);
    for (const v of va) {
      a.addNumber(v);
      if (Number.isInteger(v)) a.addSafeLong(v);
    }
    for (const v of vb) b.add(v);
    const parts = a.parts();
    expect(parts.numsSorted).toBe(false);
    expect(parts.longsSorted).toBe(false);
    const merged = new FastDistinctValues();
    merged.addParts(structuredClone(b.parts()));
    merged.addParts(structuredClone(parts));
    const longs = new Set(va.filter((v) => Number.isInteger(v)));
    expect(merged.size).toBe(new Set([...va, ...vb]).size + longs.size);
    expect(plainCount([...merged.values()])).toBe(merged.size);
  });
});
