import { describe, expect, it } from 'vitest';
import { CountRun } from '../../../../src/query/exec/count-run.js';
import { runTop } from '../../../../src/query/exec/run-top.js';
import type { AggregationPlan } from '../../../../src/query/plan/query-plan.js';
import { mulberry32 } from '../../../helpers/random.js';

/** One segment's counted keys: ascending distinct keys with a count each, as `IdCounts` answers them. */
interface Counted {
  readonly keys: number[];
  readonly counts: number[];
}

function segment(rand: () => number, lo: number, span: number, size: number): Counted {
  const keys = [...new Set(Array.from({ length: size }, () => lo + Math.floor(rand() * span)))].sort((a, b) => a - b);
  return { keys, counts: keys.map(() => 1 + Math.floor(rand() * 5)) };
}

/** Adds each segment the way the aggregator does (numbers by dictionary id, ids ascending) and takes the run. */
function run(segments: readonly Counted[]): [number, number][] {
  const r = new CountRun();
  for (const s of segments) {
    // A dictionary with a key before and after the counted ones, so ids are not just 0..n.
    const nums = Float64Array.from([s.keys[0]! - 1, ...s.keys, s.keys.at(-1)! + 1]);
    const ids = Int32Array.from(s.keys, (_, i) => i + 1);
    r.add(nums, ids, Float64Array.from(s.counts), s.keys.length);
  }
  const taken = r.take();
  if (taken === null) return [];
  expect(r.take()).toBeNull();
  return Array.from(taken.keys, (k, i) => [k, taken.counts[i]!]);
}

function truth(segments: readonly Counted[]): [number, number][] {
  const m = new Map<number, number>();
  for (const s of segments) s.keys.forEach((k, i) => m.set(k, (m.get(k) ?? 0) + s.counts[i]!));
  return [...m.entries()].sort((a, b) => a[0] - b[0]);
}

describe('CountRun', () => {
  it('adds the counts of keys in a narrow range densely, widening below and above the first range', () => {
    const rand = mulberry32(3);
    const segments = [segment(rand, 1000, 500, 400), segment(rand, 900, 500, 400), segment(rand, 1300, 400, 300), segment(rand, 1000, 10, 10)];
    expect(run(segments)).toEqual(truth(segments));
  });

  it('merges keys spread far apart, and goes on merging once a segment widens a dense range too far', () => {
    const rand = mulberry32(4);
    const sparse = [segment(rand, -(2 ** 52), 2 ** 53, 300), segment(rand, -(2 ** 52), 2 ** 53, 300)];
    expect(run(sparse)).toEqual(truth(sparse));
    const widened = [segment(rand, 5000, 300, 250), segment(rand, 5100, 300, 250), segment(rand, 9_000_000, 1000, 100), segment(rand, 5000, 400, 200)];
    expect(run(widened)).toEqual(truth(widened));
  });

  it('hands its arrays over: what was taken stays as it was while the run goes on', () => {
    const r = new CountRun();
    const add = (keys: number[]): void => r.add(Float64Array.from(keys), Int32Array.from(keys, (_, i) => i), Float64Array.from(keys, () => 1), keys.length);
    // Far apart: merged, not dense, so the run's own buffers are the ones handed over.
    add([0, 2 ** 40]);
    add([5, 2 ** 41]);
    const first = r.take()!;
    add([1, 2 ** 42]);
    add([3, 2 ** 43]);
    expect(Array.from(r.take()!.keys)).toEqual([1, 3, 2 ** 42, 2 ** 43]);
    expect(Array.from(first.keys)).toEqual([0, 5, 2 ** 40, 2 ** 41]);
  });

  it("keeps one segment's keys as its run: counts go dense at a second add, if at all", () => {
    const r = new CountRun();
    const add = (keys: number[]): void => r.add(Float64Array.from(keys), Int32Array.from(keys, (_, i) => i), Float64Array.from(keys, () => 2), keys.length);
    // 1,000 keys over 3,997 values: narrow enough to count densely.
    const evens = Array.from({ length: 1000 }, (_, i) => 10_000 + 4 * i);
    add(evens);
    expect(r.byteSize()).toBe(2 * 8 * 1000);
    add(evens.map((k) => k + 1));
    expect(r.byteSize()).toBeGreaterThanOrEqual(8 * 3998);
    const taken = r.take()!;
    expect(taken.keys.length).toBe(2000);
    expect([taken.keys[0], taken.keys[1], taken.keys[1999], taken.counts[1999]]).toEqual([10_000, 10_001, 13_997, 2]);
  });

  it('answers nothing when nothing was added', () => {
    expect(new CountRun().take()).toBeNull();
  });

  it("merges another thread's run, dense or sparse, with its own", () => {
    const rand = mulberry32(5);
    for (const [lo, span] of [[100, 900], [0, 2 ** 40]] as const) {
      const mine = [segment(rand, lo, span, 500), segment(rand, lo, span, 400)];
      const theirs = [segment(rand, lo, span, 600)];
      const other = new CountRun();
      const r = new CountRun();
      for (const [target, list] of [[r, mine], [other, theirs]] as const) {
        for (const s of list) target.add(Float64Array.from(s.keys), Int32Array.from(s.keys, (_, i) => i), Float64Array.from(s.counts), s.keys.length);
      }
      const sent = other.take()!;
      r.addRun(sent.keys, sent.counts);
      const taken = r.take()!;
      expect(Array.from(taken.keys, (k, i) => [k, taken.counts[i]!])).toEqual(truth([...mine, ...theirs]));
    }
  });
});

describe('runTop', () => {
  const key = { kind: 'groupKey', index: 0 };
  const count = { kind: 'aggregate', index: 0 };
  const plan = (orderBy: { expr: object; desc: boolean }[], limit: number, offset = 0, having: object | null = null): AggregationPlan => ({ orderBy, limit, offset, having }) as unknown as AggregationPlan;
  const keys = Float64Array.of(-5, 1, 2, 7, 9, 12);
  const counts = Float64Array.of(9, 3, 9, 1, 3, 9);

  it('answers the best offset + limit entries by the ORDER BY, in key order', () => {
    // count DESC, key: -5 (9), 2 (9), 12 (9), 1 (3), 9 (3), 7 (1).
    expect([...runTop(plan([{ expr: count, desc: true }, { expr: key, desc: false }], 2), keys, counts)!]).toEqual([0, 2]);
    expect([...runTop(plan([{ expr: count, desc: true }, { expr: key, desc: true }], 2, 2), keys, counts)!]).toEqual([0, 2, 4, 5]);
    expect([...runTop(plan([{ expr: count, desc: false }, { expr: key, desc: false }], 3), keys, counts)!]).toEqual([1, 3, 4]);
    expect([...runTop(plan([{ expr: key, desc: true }], 1), keys, counts)!]).toEqual([5]);
  });

  it('answers null where every entry is needed: HAVING, an ORDER BY expression, or a limit past the run', () => {
    expect(runTop(plan([{ expr: count, desc: true }], 2, 0, { kind: 'call' }), keys, counts)).toBeNull();
    expect(runTop(plan([{ expr: { kind: 'call' }, desc: true }], 2), keys, counts)).toBeNull();
    expect(runTop(plan([{ expr: count, desc: true }], 4, 2), keys, counts)).toBeNull();
  });
});
