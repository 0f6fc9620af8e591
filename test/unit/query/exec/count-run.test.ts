import { describe, expect, it } from 'vitest';
import { CountRun, listedRun } from '../../../../src/query/exec/count-run.js';
import { iota } from '../../../../src/query/exec/scratch.js';
import { bestEntries, denseTop, runTop } from '../../../../src/query/exec/run-top.js';
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

  it('counts raw keys (repeats included) straight into dense counts, widening with room to spare, and declines a listed run or a wide range', () => {
    const rand = mulberry32(6);
    const raw = (lo: number, span: number, m: number): Float64Array => Float64Array.from({ length: m }, () => lo + Math.floor(rand() * span));
    const truthOf = (parts: readonly Float64Array[]): [number, number][] => {
      const m = new Map<number, number>();
      for (const p of parts) for (const k of p) m.set(k, (m.get(k) ?? 0) + 1);
      return [...m.entries()].sort((a, b) => a[0] - b[0]);
    };
    const taken = (r: CountRun): [number, number][] => {
      const t = r.take()!;
      return Array.from(t.keys, (k, i) => [k, t.counts[i]!]);
    };
    // An empty run takes them; then ranges below, above, inside and just past the first widening's spare room.
    const parts = [raw(1000, 400, 900), raw(900, 300, 500), raw(1300, 200, 400), raw(1000, 10, 50), raw(1390, 60, 100), raw(860, 20, 40)];
    const r = new CountRun();
    for (const p of parts) expect(r.countAll(p, p.length)).toBe(true);
    expect(r.countAll(new Float64Array(0), 0)).toBe(true);
    expect(taken(r)).toEqual(truthOf(parts));
    // Too wide for dense counts: nothing counted, the caller sorts them.
    const wide = Float64Array.of(0, 2 ** 40, 7);
    expect(r.countAll(wide, 3)).toBe(false);
    expect(r.active).toBe(false);
    // A run that lists its keys (far apart) is not turned dense by raw keys.
    r.add(Float64Array.of(0, 2 ** 40), Int32Array.of(0, 1), Float64Array.of(1, 1), 2);
    expect(r.countAll(Float64Array.of(3, 4), 2)).toBe(false);
    expect(taken(r)).toEqual([[0, 1], [2 ** 40, 1]]);
    // Dense counts then keys by dictionary id, then raw keys again: one run.
    const mixed = new CountRun();
    mixed.countAll(parts[0]!, parts[0]!.length);
    mixed.add(Float64Array.of(850, 1500), Int32Array.of(0, 1), Float64Array.of(3, 4), 2);
    mixed.countAll(parts[1]!, parts[1]!.length);
    const want = new Map(truthOf([parts[0]!, parts[1]!]));
    want.set(850, (want.get(850) ?? 0) + 3);
    want.set(1500, (want.get(1500) ?? 0) + 4);
    expect(taken(mixed)).toEqual([...want.entries()].sort((a, b) => a[0] - b[0]));
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

  it("counts a first segment densely when its own keys are narrow, else keeps them as its run until a second add shows the range narrow", () => {
    const make = (): [CountRun, (keys: number[]) => void] => {
      const r = new CountRun();
      return [r, (keys) => r.add(Float64Array.from(keys), Int32Array.from(keys, (_, i) => i), Float64Array.from(keys, () => 2), keys.length)];
    };
    // 1,000 keys over 3,997 values: narrow enough alone (with 249, a sixteenth, to spare each side).
    const evens = Array.from({ length: 1000 }, (_, i) => 10_000 + 4 * i);
    const [narrow, addNarrow] = make();
    addNarrow(evens);
    expect(narrow.byteSize()).toBe(8 * (3997 + 2 * 249));
    const partial = narrow.takePartial()!;
    expect('dense' in partial && [partial.base, partial.dense.length, partial.widest]).toEqual([10_000 - 249, 3997 + 2 * 249, 1000]);
    // 100 keys over 3,961 values: too sparse alone (a run of 16 bytes a key), dense once 1,000 more fill the range.
    const [sparse, addSparse] = make();
    const tenths = Array.from({ length: 100 }, (_, i) => 10_000 + 40 * i);
    addSparse(tenths);
    expect(sparse.byteSize()).toBe(2 * 8 * 100);
    addSparse(evens.map((k) => k + 1));
    expect(sparse.byteSize()).toBeGreaterThanOrEqual(8 * 3997);
    const taken = sparse.take()!;
    expect(taken.keys.length).toBe(1100);
    expect([taken.keys[0], taken.counts[0], taken.keys[1], taken.keys[1099], taken.counts[1099]]).toEqual([10_000, 2, 10_001, 13_997, 2]);
  });

  it('keeps room to spare past the keys of dense counts, which the width rule does not count', () => {
    const r = new CountRun();
    const add = (keys: number[]): void => r.add(Float64Array.from(keys), Int32Array.from(keys, (_, i) => i), Float64Array.from(keys, () => 1), keys.length);
    // 1,000 keys over 1,999 values: dense, with 124 values to spare on each side.
    const odds = Array.from({ length: 1000 }, (_, i) => 5001 + 2 * i);
    add(odds);
    const size = r.byteSize();
    expect(size).toBe(8 * (1999 + 2 * 124));
    // Keys 100 past either end land in the room kept: no wider copy.
    add([4901, 7099]);
    expect(r.byteSize()).toBe(size);
    // A partial whose array reaches past its keys is judged by its keys: 3,001 values for 1,000 keys fit.
    const other = new CountRun();
    other.add(Float64Array.from(odds, (k) => k + 1000), iota(1000), Float64Array.from(odds, () => 1), 1000);
    r.addPartial(other.takePartial()!);
    const taken = r.take()!;
    // 1,000 + 2 + the 499 of 7,001..7,999 not yet held (7,099 was).
    expect(taken.keys.length).toBe(1501);
    expect([taken.keys[0], taken.keys.at(-1), taken.counts[taken.keys.indexOf(6001)], taken.counts[taken.keys.indexOf(7099)]]).toEqual([4901, 7999, 2, 2]);
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
      r.addPartial(sent);
      const taken = r.take()!;
      expect(Array.from(taken.keys, (k, i) => [k, taken.counts[i]!])).toEqual(truth([...mine, ...theirs]));
    }
  });
});

describe('CountRun partials', () => {
  const runOf = (segments: readonly Counted[]): CountRun => {
    const r = new CountRun();
    for (const s of segments) r.add(Float64Array.from(s.keys), Int32Array.from(s.keys, (_, i) => i), Float64Array.from(s.counts), s.keys.length);
    return r;
  };
  const listed = (r: CountRun): [number, number][] => {
    const taken = r.take()!;
    return Array.from(taken.keys, (k, i) => [k, taken.counts[i]!]);
  };

  it("adds other threads' dense counts: the first as they are, the next into them (widened), a far one merged as a run", () => {
    const rand = mulberry32(6);
    const a = [segment(rand, 1000, 800, 600), segment(rand, 1200, 800, 600)];
    const b = [segment(rand, 700, 900, 700)];
    const far = [segment(rand, 2 ** 40, 900, 700)];
    for (const order of [[a, b, far], [b, a, far], [far, a, b]]) {
      const r = new CountRun();
      const partials = order.map((part) => runOf(part).takePartial()!);
      expect(partials.every((p) => 'dense' in p)).toBe(true);
      for (const p of partials) r.addPartial(p);
      expect(listed(r)).toEqual(truth([...a, ...b, ...far]));
    }
    // A listed run and a dense one, in either order.
    const c = [segment(rand, 0, 2 ** 40, 50)];
    for (const order of [[a, c], [c, a]] as const) {
      const m = new CountRun();
      for (const part of order) m.addPartial(runOf(part).takePartial()!);
      expect(listed(m)).toEqual(truth([...a, ...c]));
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

  it('selects from dense counts what it selects from their listed run (bestEntries), ties and offsets included', () => {
    const rand = mulberry32(7);
    const dense = Float64Array.from({ length: 5000 }, () => (rand() < 0.3 ? 0 : 1 + Math.floor(rand() * 6)));
    const list = listedRun({ base: -40, dense, widest: 1 });
    const orders = [
      [{ expr: count, desc: true }, { expr: key, desc: false }],
      [{ expr: count, desc: true }, { expr: key, desc: true }],
      [{ expr: count, desc: false }, { expr: key, desc: false }],
      [{ expr: key, desc: true }],
      [{ expr: key, desc: false }, { expr: count, desc: true }],
      // Ties on the count alone keep the smaller key; a second count key defers to the key after it.
      [{ expr: count, desc: true }],
      [{ expr: count, desc: false }, { expr: key, desc: true }],
      [{ expr: count, desc: true }, { expr: count, desc: false }, { expr: key, desc: true }],
    ];
    for (const orderBy of orders) {
      for (const [limit, offset] of [[0, 0], [1, 0], [10, 0], [7, 25], [400, 3]]) {
        const p = plan(orderBy, limit, offset);
        const fromDense = bestEntries(p, { base: -40, dense, widest: 1 });
        const fromList = bestEntries(p, list);
        expect(fromDense.keys.length).toBe(limit + offset);
        expect([Array.from(fromDense.keys), Array.from(fromDense.counts)]).toEqual([Array.from(fromList.keys), Array.from(fromList.counts)]);
      }
    }
    // Every entry needed (a limit past them, or HAVING): all of them, listed.
    expect(bestEntries(plan(orders[0]!, 6000), { base: -40, dense, widest: 1 }).keys).toEqual(list.keys);
    expect(denseTop(plan(orders[0]!, 3, 0, { kind: 'call' }), -40, dense)).toBeNull();
  });

  it('answers null where every entry is needed: HAVING, an ORDER BY expression, or a limit past the run', () => {
    expect(runTop(plan([{ expr: count, desc: true }], 2, 0, { kind: 'call' }), keys, counts)).toBeNull();
    expect(runTop(plan([{ expr: { kind: 'call' }, desc: true }], 2), keys, counts)).toBeNull();
    expect(runTop(plan([{ expr: count, desc: true }], 4, 2), keys, counts)).toBeNull();
  });
});
