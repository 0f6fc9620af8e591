import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DecodedBlock } from '../../../../src/segment/index.js';
import { BlockCache } from '../../../../src/segment/reader/block-cache.js';
import { MemoryReclaimer } from '../../../../src/segment/reader/memory-reclaimer.js';
import { blockCache } from '../../../../src/segment/reader/block-cache.js';
import { createMetricsRegistry } from '../../../../src/metrics/metrics-registry.js';
import type { TableManager } from '../../../../src/table/table-manager.js';

const MIB = 1024 * 1024;
const block = (firstDoc: number): DecodedBlock => ({ firstDoc, numDocs: 1, nulls: null, offsets: null, dictIds: null, values: new Int32Array(1) });

describe('MemoryReclaimer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** A reclaimer over a `budget` whose trims are counted (each resolves when `finish` is called), on the fake clock. */
  function reclaimer(budget: number): { r: MemoryReclaimer; calls: () => number; finish: () => void } {
    let calls = 0;
    const waiting: (() => void)[] = [];
    const trim = (): Promise<boolean> => {
      calls++;
      return new Promise((resolve) => waiting.push(() => resolve(true)));
    };
    const r = new MemoryReclaimer(() => budget, trim, () => Date.now());
    return { r, calls: () => calls, finish: () => waiting.splice(0).forEach((f) => f()) };
  }

  it('trims once 1/16 of the budget (at least 32 MiB) has been released, off the releasing call', async () => {
    const { r, calls, finish } = reclaimer(1024 * MIB);
    expect(r.thresholdBytes).toBe(64 * MIB);
    r.released(40 * MIB);
    expect(r.busy).toBe(false);
    r.released(24 * MIB);
    expect(r.busy).toBe(true);
    expect(calls()).toBe(0); // not on the eviction path
    await vi.advanceTimersByTimeAsync(0);
    expect(calls()).toBe(1);
    finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(r.stats()).toMatchObject({ trims: 1, trimsReleased: 1 });
    expect(r.busy).toBe(false);
  });

  it('runs one trim at a time, at most once a second, however fast memory is released', async () => {
    const { r, calls, finish } = reclaimer(256 * MIB);
    expect(r.thresholdBytes).toBe(32 * MIB); // the floor
    r.released(32 * MIB);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls()).toBe(1);
    r.released(500 * MIB); // while the first runs: waits for it
    await vi.advanceTimersByTimeAsync(2000);
    expect(calls()).toBe(1);
    finish(); // the first ends; the second waits out the interval from there
    await vi.advanceTimersByTimeAsync(999);
    expect(calls()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls()).toBe(2);
    finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(r.stats().trims).toBe(2);
  });

  it('maps large allocations apart while trims run, and gives them back to the heap 30 s after the last one', async () => {
    const thresholds: number[] = [];
    let finishTrim = (): void => undefined;
    const trim = (): Promise<boolean> => new Promise((resolve) => (finishTrim = () => resolve(true)));
    const r = new MemoryReclaimer(() => 1024 * MIB, trim, () => Date.now(), (bytes) => thresholds.push(bytes) > 0);
    r.released(32 * MIB); // no pressure yet: glibc's own threshold
    await vi.advanceTimersByTimeAsync(60_000);
    expect(thresholds).toEqual([]);
    expect(r.stats().largeAllocationsMapped).toBe(false);
    r.released(32 * MIB); // 64 MiB: a trim is due, and large allocations are mapped from now on
    await vi.advanceTimersByTimeAsync(0);
    expect(thresholds).toEqual([64 * 1024]);
    expect(r.stats().largeAllocationsMapped).toBe(true);
    finishTrim();
    await vi.advanceTimersByTimeAsync(20_000);
    r.released(64 * MIB); // pressure again 20 s later: mapped for 30 s from this trim (set again: another thread may have switched it back)
    await vi.advanceTimersByTimeAsync(0);
    finishTrim();
    await vi.advanceTimersByTimeAsync(29_999);
    expect(thresholds).toEqual([64 * 1024, 64 * 1024]);
    await vi.advanceTimersByTimeAsync(1);
    expect(thresholds).toEqual([64 * 1024, 64 * 1024, 32 * MIB]); // back to the heap
    expect(r.stats()).toMatchObject({ trims: 2, largeAllocationsMapped: false });
  });

  it('trims on the calling thread when asked (a large table is about to be allocated), counted with the others', async () => {
    const thresholds: number[] = [];
    let syncTrims = 0;
    let budget = 1024 * MIB;
    const r = new MemoryReclaimer(
      () => budget,
      () => Promise.reject(new Error('no timer trim expected')),
      () => Date.now(),
      (bytes) => thresholds.push(bytes) > 0,
      () => ++syncTrims > 0,
    );
    r.released(40 * MIB); // pending, below the threshold
    r.trimNow();
    expect(syncTrims).toBe(1);
    expect(r.stats()).toMatchObject({ trims: 1, trimsReleased: 1, largeAllocationsMapped: true });
    expect(thresholds).toEqual([64 * 1024]); // under pressure, as a timer trim
    r.released(40 * MIB); // what was pending went with the trim: 40 MiB is not yet due
    expect(r.busy).toBe(false);
    budget = 0; // nothing cached: nothing to trim
    r.trimNow();
    expect(syncTrims).toBe(1);
    budget = 1024 * MIB;
    r.released(70 * MIB); // a timer trim waits (the interval since the last one)…
    expect(r.busy).toBe(true);
    r.trimNow(); // …and is not run again after this one (the timer's trim would reject)
    expect(r.busy).toBe(false);
    expect(syncTrims).toBe(2);
    await vi.advanceTimersByTimeAsync(5000);
    expect(r.stats().trims).toBe(2);
  });

  it('never trims with the budget off (nothing is cached), and trims at once after a full collection', async () => {
    const off = reclaimer(0);
    off.r.released(1024 * MIB);
    expect(off.r.busy).toBe(false);
    const on = reclaimer(1024 * MIB);
    on.r.released(64 * MIB);
    await vi.advanceTimersByTimeAsync(0);
    on.finish();
    await vi.advanceTimersByTimeAsync(0);
    on.r.afterCollection(); // no waiting for the interval
    await vi.advanceTimersByTimeAsync(0);
    expect(on.calls()).toBe(2);
  });
});

describe('BlockCache reports what leaves it to its reclaimer (real malloc_trim)', () => {
  it('counts evicted, refused, deleted and cleared entries of every tier', async () => {
    const cache = new BlockCache(512 * MIB); // threshold 32 MiB
    for (let k = 0; k < 540; k++) cache.put(k, block(k), MIB); // 28 MiB leave: not yet
    expect(cache.reclaimer.busy).toBe(false);
    for (let k = 540; k < 600; k++) cache.put(k, block(k), MIB); // 88 MiB have left
    expect(cache.reclaimer.busy).toBe(true);
    await cache.reclaimer.settled();
    expect(cache.reclaimer.stats().trims).toBe(1);
    cache.put(10_000, block(0), 600 * MIB); // larger than the whole cache: refused at once
    cache.putIndex(20_000, block(0), 1024); // a resident index section, cleared below
    cache.clear(); // the rest: 512 MiB
    expect(cache.reclaimer.busy).toBe(true);
    await cache.reclaimer.settled();
    expect(cache.reclaimer.stats().trims).toBe(2);
  });
});

describe('the reclaimer on /metrics', () => {
  it('reports the trims, their time and whether large allocations are mapped, as the reclaimer counts them', async () => {
    const capacity = blockCache.capacityBytes;
    blockCache.resize(512 * MIB); // threshold 32 MiB
    try {
      for (let k = 0; k < 600; k++) blockCache.put(900_000 + k, block(k), MIB); // 88 MiB leave: a trim
      await blockCache.reclaimer.settled();
      const s = blockCache.reclaimer.stats();
      expect(s.trims).toBeGreaterThan(0);
      expect(s.largeAllocationsMapped).toBe(true);
      const text = await createMetricsRegistry({ listTables: () => [] } as unknown as TableManager).metrics();
      const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
      expect(value('shardtable_memory_trims_total')).toBe(s.trims);
      expect(value('shardtable_memory_trim_seconds_total')).toBeCloseTo(s.trimMs / 1000, 6);
      expect(value('shardtable_memory_large_allocations_mapped')).toBe(1);
    } finally {
      blockCache.clear();
      blockCache.resize(capacity);
    }
  });
});
