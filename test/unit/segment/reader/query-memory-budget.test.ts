import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryEngine, writeBrokerResponse } from '../../../../src/query/index.js';
import { blockCache } from '../../../../src/segment/reader/block-cache.js';
import { queryMemory } from '../../../../src/segment/reader/query-memory.js';
import { buildTableSegments } from '../../query/query-fixtures.js';
import type { FixtureTable } from '../../query/query-fixtures.js';

const MIB = 1024 * 1024;
const ROWS = 120_000;

const SCHEMA = {
  schemaName: 'visits',
  dimensionFieldSpecs: [
    { name: 'userId', dataType: 'LONG' as const },
    { name: 'country', dataType: 'STRING' as const },
  ],
  metricFieldSpecs: [{ name: 'amount', dataType: 'DOUBLE' as const }],
  dateTimeFieldSpecs: [{ name: 'ts', dataType: 'TIMESTAMP' as const, format: '1:MILLISECONDS:TIMESTAMP', granularity: '1:MILLISECONDS' }],
};

/** High-cardinality queries: ~100,000 groups or distinct values, the shape of the storage bench's `GROUP BY userId` and `DISTINCTCOUNT(userId)`. */
const QUERIES = [
  'SELECT userId, count(*), sum(amount) FROM visits GROUP BY userId ORDER BY sum(amount) DESC, userId LIMIT 10',
  'SELECT distinctcount(userId) FROM visits',
  'SELECT country, distinctcount(userId), percentile(amount, 90) FROM visits GROUP BY country ORDER BY country',
];

interface Answer {
  readonly rows: unknown;
  readonly exceededBytes: number | undefined;
}

describe('a high-cardinality GROUP BY under a small memory budget', () => {
  let table: FixtureTable;
  let engine: QueryEngine;
  const capacity = blockCache.capacityBytes;
  const share = blockCache.compressedTierShare;
  beforeAll(async () => {
    // The budget arithmetic below was set with a 20 % compressed tier (its floor, the resident
    // share, is 10 % of the decoded share); the default is now no tier.
    blockCache.setCompressedShare(0.2);
    // 6 sealed segments of 20,000 rows (the last segment consuming); ~100,000 distinct users.
    const rows = Array.from({ length: ROWS }, (_, i) => [BigInt((i * 7919) % 100_003), ['NL', 'DE', 'US', 'FR', 'BE'][i % 5]!, (i % 1000) * 0.25, 1_700_000_000_000n + BigInt(i)]);
    table = await buildTableSegments(SCHEMA, rows, { segmentRows: 20_000 });
    engine = new QueryEngine({ resolve: () => table.queryTable }, { parallel: null });
  }, 120_000);
  afterAll(async () => {
    blockCache.setCompressedShare(share);
    blockCache.resize(capacity);
    await table.cleanup();
  });

  const answer = async (sql: string): Promise<Answer> => {
    const r = await engine.query(sql);
    expect(r.exceptions, sql).toEqual([]);
    const json = JSON.parse(writeBrokerResponse(r)) as { resultTable: { rows: unknown }; shardtableMemoryBudgetExceededBytes?: number };
    return { rows: json.resultTable.rows, exceededBytes: json.shardtableMemoryBudgetExceededBytes };
  };

  it('keeps cache bytes + reserved query bytes within the budget (by the manager own counters), answers equal to an unbudgeted run', async () => {
    // Unbudgeted (a budget far above the data; reservations in steps of 1 MiB, as below): what the queries decode and reserve.
    blockCache.resize(256 * MIB);
    blockCache.clear();
    queryMemory.resetPeaks();
    const expected: Answer[] = [];
    for (const sql of QUERIES) expected.push(await answer(sql));
    const decoded = blockCache.bytes;
    const reserved = queryMemory.stats().peakReservedBytes;
    expect(reserved).toBeGreaterThan(2 * MIB); // the group table of ~100,000 groups and the distinct sets
    expect(decoded).toBeGreaterThan(MIB);

    // A budget that holds the largest reservation and only half of the decoded sections: the cache
    // must give up room to the queries.
    const budget = Math.ceil(reserved / MIB) * MIB + Math.floor(decoded / 2);
    blockCache.resize(budget);
    blockCache.clear();
    queryMemory.resetPeaks();
    expect(budget).toBeGreaterThan(decoded); // without the reservations, every section would stay cached
    const overBefore = queryMemory.stats().queriesOverBudget;
    let before = blockCache.stats();
    for (let round = 0; round < 2; round++) {
      if (round === 1) before = blockCache.stats();
      for (const [i, sql] of QUERIES.entries()) {
        const got = await answer(sql);
        expect(got.rows, sql).toEqual(expected[i]!.rows);
        expect(got.exceededBytes, sql).toBeUndefined();
        expect(queryMemory.stats()).toMatchObject({ reservedBytes: 0, activeQueries: 0 });
      }
    }
    const s = queryMemory.stats();
    expect(s.peakReservedBytes).toBeGreaterThan(2 * MIB);
    expect(s.peakTotalBytes).toBeLessThanOrEqual(budget); // sampled after every block the queries aggregated
    expect(s.queriesOverBudget).toBe(overBefore);
    // The second round read sections again: the cache had made room for the queries' reservations.
    expect(blockCache.stats().misses - before.misses).toBeGreaterThan(0);
    expect(blockCache.bytes).toBeLessThanOrEqual(budget);
  }, 120_000);

  it('under a budget too small for the group table, answers the same and says by how much the budget was exceeded', async () => {
    blockCache.resize(1024 * MIB);
    const expected = await answer(QUERIES[0]!);
    blockCache.resize(2 * MIB);
    const overBefore = queryMemory.stats().queriesOverBudget;
    const got = await answer(QUERIES[0]!);
    expect(got.rows).toEqual(expected.rows);
    expect(got.exceededBytes).toBeGreaterThan(0);
    expect(queryMemory.stats().queriesOverBudget).toBe(overBefore + 1);
    expect(queryMemory.stats().reservedBytes).toBe(0);
  }, 60_000);
});
