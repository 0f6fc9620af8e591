import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bloomKey, bloomShape, buildBloomFilter, readBloomFilter } from '../../../src/segment/indexes/bloom-filter.js';
import { buildFixture, EVENTS_SCHEMA, eventRows } from './query-fixtures.js';
import type { QueryFixture } from './query-fixtures.js';

describe('bloom filter section', () => {
  it('never loses a value and stays near its false-positive target', () => {
    const keys = Array.from({ length: 5000 }, (_, i) => bloomKey(`id-${i}`));
    const filter = readBloomFilter(buildBloomFilter(keys, { fpp: 0.05, maxSizeInBytes: 0 }));
    for (const k of keys) expect(filter.mightContain(k)).toBe(true);
    let fp = 0;
    for (let i = 0; i < 20_000; i++) if (filter.mightContain(bloomKey(`other-${i}`))) fp++;
    expect(fp / 20_000).toBeLessThan(0.08);
  });

  it('caps its size at maxSizeInBytes and refuses a malformed section', () => {
    expect(bloomShape(1_000_000, { fpp: 0.01, maxSizeInBytes: 1024 }).numBits).toBe(8192);
    const bytes = buildBloomFilter([bloomKey(1n)], { fpp: 0.05, maxSizeInBytes: 0 });
    expect(() => readBloomFilter(bytes.subarray(0, bytes.length - 1))).toThrow(/does not match/);
    expect(bloomKey(-0)).toBe(bloomKey(0));
  });
});

describe('bloom filter segment pruning', () => {
  let withBloom: QueryFixture;
  let without: QueryFixture;
  // Ids spread over every segment (37 is prime to 120), so min/max alone prunes almost nothing.
  const all = eventRows(120);
  const rows = all.map((_, i) => all[(i * 37) % 120]!);
  beforeAll(async () => {
    const bloomFilters = { id: { fpp: 0.01, maxSizeInBytes: 0 }, device: { fpp: 0.05, maxSizeInBytes: 0 }, amount: { fpp: 0.01, maxSizeInBytes: 0 }, price: { fpp: 0.01, maxSizeInBytes: 0 }, tags: { fpp: 0.01, maxSizeInBytes: 0 } };
    withBloom = await buildFixture(EVENTS_SCHEMA, rows, { segmentRows: 12, indexing: { bloomFilters, nullHandlingEnabled: true } });
    without = await buildFixture(EVENTS_SCHEMA, rows, { segmentRows: 12, indexing: { nullHandlingEnabled: true } });
  });
  afterAll(async () => {
    await withBloom?.cleanup();
    await without?.cleanup();
  });

  it('gives the same answers with and without the filter, and counts the segments it prunes', async () => {
    const queries = [
      'SELECT id, country FROM events WHERE id = 37 ORDER BY id',
      'SELECT id FROM events WHERE id IN (3, 58, 101) ORDER BY id',
      "SELECT COUNT(*) FROM events WHERE id = 37 AND device = 'ios'",
      'SELECT COUNT(*) FROM events WHERE id = 37 OR id = 90',
      'SELECT COUNT(*) FROM events WHERE id = 100000',
      'SELECT COUNT(*) FROM events WHERE amount = 15',
      'SELECT COUNT(*) FROM events WHERE price = 7.1',
      "SELECT COUNT(*) FROM events WHERE tags = 'b'",
      'SELECT COUNT(*) FROM events WHERE NOT id = 37',
      'SELECT COUNT(*) FROM events WHERE id <> 37',
    ];
    let pruned = 0;
    for (const sql of queries) {
      const a = await withBloom.query(sql);
      const b = await without.query(sql);
      expect(a.exceptions, sql).toEqual([]);
      expect(a.resultTable!.rows, sql).toEqual(b.resultTable!.rows);
      expect(a.numSegmentsPrunedByValue, sql).toBeGreaterThanOrEqual(b.numSegmentsPrunedByValue);
      pruned += a.numSegmentsPrunedByValue - b.numSegmentsPrunedByValue;
    }
    expect(pruned).toBeGreaterThan(20);
    // id = 37: 9 of the 10 sealed segments lack it; at fpp 0.01 a false positive is rare.
    const one = await withBloom.query('SELECT COUNT(*) FROM events WHERE id = 37');
    expect(one.numSegmentsPrunedByValue).toBeGreaterThanOrEqual(8);
    expect(one.resultTable!.rows).toEqual([[1]]);
    const hash = await withBloom.query("SELECT COUNT(*) FROM events WHERE device = 'ios' AND amount = 16.5");
    expect(hash.resultTable!.rows).toEqual((await without.query("SELECT COUNT(*) FROM events WHERE device = 'ios' AND amount = 16.5")).resultTable!.rows);
  });

  it('shows the bloom filters in the segment metadata', () => {
    const col = withBloom.sealed[0]!.metadata.columns.find((c) => c.name === 'id')!;
    expect(col.hasBloomFilter).toBe(true);
    expect(col.bloomFilterBytes).toBeGreaterThan(0);
    expect(withBloom.sealed[0]!.metadata.columns.find((c) => c.name === 'country')!.hasBloomFilter).toBe(false);
  });
});
