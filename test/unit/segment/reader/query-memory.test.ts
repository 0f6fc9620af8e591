import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryEngine } from '../../../../src/query/index.js';
import { BlockCache, blockCache } from '../../../../src/segment/reader/block-cache.js';
import { QueryMemory, queryMemory, withReservation } from '../../../../src/segment/reader/query-memory.js';
import { createMetricsRegistry } from '../../../../src/metrics/metrics-registry.js';
import type { TableManager } from '../../../../src/table/table-manager.js';
import { buildTableSegments } from '../../query/query-fixtures.js';
import type { FixtureTable } from '../../query/query-fixtures.js';

const MIB = 1024 * 1024;

/** A cache of `budget` bytes (no compressed tier) filled with `count` entries of `each` bytes. */
function filledCache(budget: number, count: number, each: number): BlockCache {
  const cache = new BlockCache(budget);
  for (let k = 0; k < count; k++) cache.put(k, { k }, each);
  return cache;
}

describe('QueryMemory: query reservations share the memory budget with the block cache', () => {
  it('evicts cache entries to make room for a reservation and gives the room back on release', () => {
    const cache = filledCache(64 * MIB, 60, MIB);
    const memory = new QueryMemory(cache);
    expect(cache.bytes).toBe(60 * MIB);
    const r = memory.open('q1');
    r.track(r, 20 * MIB + 1); // reserved in steps of 1 MiB: 21 MiB
    expect(r.bytes).toBe(21 * MIB);
    expect(cache.reservedBytes).toBe(21 * MIB);
    expect(cache.bytes).toBeLessThanOrEqual(64 * MIB - 21 * MIB);
    expect(cache.stats().evictions).toBeGreaterThan(0);
    expect(cache.bytes + memory.stats().reservedBytes).toBeLessThanOrEqual(64 * MIB);
    // A second query reserves beside the first.
    const r2 = memory.open('q2');
    r2.add(10 * MIB);
    expect(memory.stats()).toMatchObject({ reservedBytes: 31 * MIB, activeQueries: 2 });
    expect(cache.bytes).toBeLessThanOrEqual(33 * MIB);
    r.release();
    r.release(); // idempotent
    expect(memory.stats()).toMatchObject({ reservedBytes: 10 * MIB, peakReservedBytes: 31 * MIB, activeQueries: 1, queriesOverBudget: 0 });
    r2.release();
    expect(memory.stats().reservedBytes).toBe(0);
    // The whole budget is the cache's again.
    for (let k = 100; k < 164; k++) cache.put(k, { k }, MIB - 1024);
    expect(cache.bytes).toBeGreaterThan(60 * MIB);
    expect(r.exceededBytes).toBe(0);
    expect(memory.stats().peakTotalBytes).toBeLessThanOrEqual(64 * MIB);
  });

  it('a structure that grows reports its whole size: the reservation follows the largest, never shrinks before release', () => {
    const memory = new QueryMemory(filledCache(256 * MIB, 0, 0));
    const r = memory.open('q');
    const table = {};
    r.track(table, 1000); // small structures reserve nothing (a COUNT(*) must not evict a step of cache)
    expect(r.bytes).toBe(0);
    r.track(table, 3 * MIB);
    r.track(table, 2 * MIB); // smaller: the reservation stays
    expect(r.bytes).toBe(3 * MIB);
    r.track(table, 5 * MIB + 10);
    r.add(MIB);
    expect(r.peakBytes).toBe(6 * MIB + 10);
    expect(r.bytes).toBe(7 * MIB);
    r.release();
    r.track(table, 100 * MIB); // after release: ignored
    expect(memory.stats().reservedBytes).toBe(0);
  });

  it('stops evicting at the floor (the resident index share); past it the query runs on and says by how much the budget was exceeded', () => {
    const cache = new BlockCache(100 * MIB);
    cache.putIndex(1, { directory: true }, MIB); // a resident index section
    for (let k = 10; k < 80; k++) cache.put(k, { k }, MIB);
    const memory = new QueryMemory(cache);
    const r = memory.open('big');
    r.add(150 * MIB);
    expect(cache.floorBytes).toBe(10 * MIB);
    expect(cache.get(1)).toEqual({ directory: true }); // the floor kept the resident section
    expect(cache.bytes).toBeLessThanOrEqual(cache.floorBytes);
    expect(r.exceededBytes).toBe(cache.bytes + 150 * MIB - 100 * MIB);
    expect(r.exceededBytes).toBeGreaterThan(50 * MIB);
    r.release();
    expect(memory.stats()).toMatchObject({ reservedBytes: 0, queriesOverBudget: 1 });
  });

  it('counts bytes derived from a cached value into its entry, so they leave the budget with it', () => {
    const cache = new BlockCache(10 * MIB);
    const dict = { dict: true };
    cache.put(7, dict, MIB);
    expect(cache.chargeValue(dict, 2 * MIB)).toBe(true);
    expect(cache.bytes).toBe(3 * MIB);
    expect(cache.chargeValue({ other: true }, MIB)).toBe(false); // not cached
    cache.resize(2 * MIB); // the dictionary and what it derived no longer fit
    expect(cache.get(7)).toBeUndefined();
    expect(cache.chargeValue(dict, MIB)).toBe(false); // evicted: no entry to charge
    expect(cache.bytes).toBeLessThanOrEqual(10 * MIB);
  });

  it('collects garbage at once when a reservation of at least 1/8 of the budget is released, not for smaller ones', async () => {
    const cache = filledCache(64 * MIB, 0, MIB);
    const memory = new QueryMemory(cache);
    const small = memory.open('small');
    small.add(7 * MIB); // under 8 MiB (1/8 of 64): left to V8's own pace
    small.release();
    expect(memory.collections).toBe(0);
    const large = memory.open('large');
    large.add(8 * MIB);
    // What the reservation held is garbage once released: a weakly held array of it is gone right after.
    let table: Float64Array | null = new Float64Array(1024);
    const gone = new WeakRef(table);
    table = null;
    // A WeakRef holds its target to the end of the job that made it.
    await new Promise((resolve) => setImmediate(resolve));
    large.release();
    expect(memory.collections).toBe(1);
    expect(gone.deref()).toBeUndefined();
    large.release(); // idempotent: no second collection
    expect(memory.collections).toBe(1);
    // A budget of 0 (cache off) never collects.
    const off = new QueryMemory(new BlockCache(0));
    const r = off.open('off');
    r.willGrow(r, 8 * MIB, 8 * MIB);
    r.release();
    expect(off.collections).toBe(0);
  });

  it('willGrow reserves a resize before it allocates (the cache evicts first), and collects and trims when it is 1/16 of the budget or more', () => {
    const cache = filledCache(64 * MIB, 60, MIB);
    const memory = new QueryMemory(cache);
    const r = memory.open('q');
    const owner = {};
    r.track(owner, 4 * MIB);
    r.willGrow(owner, 4 * MIB + 3 * MIB, 3 * MIB); // old and new arrays alive at once: 7 MiB
    expect(r.bytes).toBe(7 * MIB);
    expect(cache.bytes).toBeLessThanOrEqual(64 * MIB - 7 * MIB);
    expect(memory.collections).toBe(0); // 3 MiB < 4 MiB (1/16 of 64)
    const trimsBefore = cache.reclaimer.stats().trims;
    r.willGrow(owner, 7 * MIB + 4 * MIB, 4 * MIB);
    expect(r.bytes).toBe(11 * MIB);
    expect(memory.collections).toBe(1);
    // …and trims at once, on this thread, before the new arrays are allocated (not on the timer).
    expect(cache.reclaimer.stats().trims).toBe(trimsBefore + 1);
    expect(cache.reclaimer.busy).toBe(false);
    // After the resize the structure reports its size without the old arrays: the reservation stays until release.
    r.track(owner, 8 * MIB);
    expect(r.bytes).toBe(11 * MIB);
    expect(cache.bytes + memory.stats().reservedBytes).toBeLessThanOrEqual(64 * MIB);
    r.release();
    expect(memory.stats().reservedBytes).toBe(0);
  });

  it('a budget of 0 (cache off) never reports an overrun', () => {
    const memory = new QueryMemory(new BlockCache(0));
    const r = memory.open('q');
    r.add(50 * MIB);
    expect(r.exceededBytes).toBe(0);
    r.release();
  });

  it('reports reservations, their peaks and queries over budget on /metrics', async () => {
    const capacity = blockCache.capacityBytes;
    blockCache.resize(64 * MIB);
    try {
      const before = queryMemory.stats().reservedBytes;
      const r = queryMemory.open('metrics');
      r.track(r, 3 * MIB);
      const registry = createMetricsRegistry({ listTables: () => [] } as unknown as TableManager);
      const text = await registry.metrics();
      const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
      const s = queryMemory.stats();
      expect(s.reservedBytes).toBeGreaterThanOrEqual(3 * MIB);
      expect(value('shardtable_query_memory_reserved_bytes')).toBe(s.reservedBytes);
      expect(value('shardtable_query_memory_peak_reserved_bytes')).toBe(s.peakReservedBytes);
      expect(value('shardtable_memory_budget_peak_bytes')).toBe(s.peakTotalBytes);
      expect(value('shardtable_queries_over_memory_budget_total')).toBe(s.queriesOverBudget);
      r.release();
      expect(queryMemory.stats().reservedBytes).toBe(before);
    } finally {
      blockCache.resize(capacity);
    }
  });

  it('withReservation makes the reservation current across awaits', async () => {
    const r = queryMemory.open('q');
    try {
      await withReservation(r, async () => {
        await new Promise((resolve) => setImmediate(resolve));
        const { currentReservation } = await import('../../../../src/segment/reader/query-memory.js');
        expect(currentReservation()).toBe(r);
      });
    } finally {
      r.release();
    }
  });
});

const USERS_SCHEMA = {
  schemaName: 'visits',
  dimensionFieldSpecs: [
    { name: 'userId', dataType: 'LONG' as const },
    { name: 'country', dataType: 'STRING' as const },
  ],
  metricFieldSpecs: [{ name: 'amount', dataType: 'DOUBLE' as const }],
  dateTimeFieldSpecs: [{ name: 'ts', dataType: 'TIMESTAMP' as const, format: '1:MILLISECONDS:TIMESTAMP', granularity: '1:MILLISECONDS' }],
};

describe('query reservations are released however the query ends', () => {
  let table: FixtureTable;
  const capacity = blockCache.capacityBytes;
  beforeAll(async () => {
    // `country` holds JSON with path $.a, but for the last (consuming) segment's: extracting $.a fails there only.
    const rows = Array.from({ length: 12_000 }, (_, i) => [BigInt((i * 7919) % 12_000), i >= 9_000 ? '{}' : `{"a":${i % 3}}`, i * 0.5, 1_700_000_000_000n + BigInt(i)]);
    table = await buildTableSegments(USERS_SCHEMA, rows, { segmentRows: 3_000 });
  }, 120_000);
  afterAll(async () => {
    blockCache.resize(capacity);
    await table.cleanup();
  });

  const engineWith = (clock?: () => number): QueryEngine => new QueryEngine({ resolve: () => table.queryTable }, { ...(clock ? { clock } : {}), parallel: null });
  const released = (): void => {
    expect(queryMemory.stats()).toMatchObject({ reservedBytes: 0, activeQueries: 0 });
    expect(blockCache.reservedBytes).toBe(0);
  };

  it('on success, on a timeout and on an error in a row function, each after it reserved', async () => {
    blockCache.resize(64 * MIB);
    queryMemory.resetPeaks();
    const ok = await engineWith().query('SELECT userId, sum(amount) FROM visits GROUP BY userId ORDER BY sum(amount) DESC LIMIT 3');
    expect(ok.exceptions).toEqual([]);
    expect(queryMemory.stats().peakReservedBytes).toBeGreaterThan(0); // it did reserve while it ran
    released();

    // Time stands still until the query has reserved, then jumps past the deadline.
    queryMemory.resetPeaks();
    let now = 1_000_000;
    const clock = (): number => (queryMemory.stats().reservedBytes > 0 ? (now += 10_000) : now);
    const timedOut = await engineWith(clock).query('SELECT userId, count(*) FROM visits GROUP BY userId ORDER BY userId LIMIT 5', 'timeoutMs=1000');
    expect(timedOut.exceptions[0]?.errorCode, JSON.stringify(timedOut.exceptions)).toBe(250);
    expect(queryMemory.stats().peakReservedBytes).toBeGreaterThan(0);
    released();

    queryMemory.resetPeaks();
    const failed = await engineWith().query("SELECT userId, sum(jsonExtractScalar(country, '$.a', 'INT')) FROM visits GROUP BY userId ORDER BY userId LIMIT 5");
    expect(failed.exceptions).toMatchObject([{ errorCode: 200 }]);
    expect(queryMemory.stats().peakReservedBytes).toBeGreaterThan(0);
    released();
  });
});
