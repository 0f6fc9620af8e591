import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GroupByAggregator } from '../../../../src/query/exec/group-by.js';
import { PartitionAggregator } from '../../../../src/query/parallel/partition-aggregator.js';
import { QueryEngine, writeBrokerResponse } from '../../../../src/query/index.js';
import { QueryPool } from '../../../../src/query/parallel/query-pool.js';
import { parallelRoute } from '../../../../src/query/parallel/partitioned-plan.js';
import { parseSql } from '../../../../src/query/parser/parse-statement.js';
import { planQuery } from '../../../../src/query/plan/planner.js';
import { buildTableSegments } from '../query-fixtures.js';
import type { FixtureTable } from '../query-fixtures.js';
import { VISITS_SCHEMA, visitRows } from '../../../helpers/visits-table.js';

/**
 * High-cardinality GROUP BY and DISTINCTCOUNT split by key across the pool (`partitioned-plan.ts`):
 * each worker owns a range of the key's values and reads every sealed segment. `id` (LONG) has
 * about one value per row, so the segment split declines these queries (group-share rule).
 */
const ROWS = 24_000;
const SEGMENT_ROWS = 2_667;

/** Answered by key partitions: compared with the main thread (rows, types and statistics). */
const PARTITIONED = [
  'SELECT id, count(*) AS n FROM visits GROUP BY id ORDER BY n DESC, id LIMIT 7',
  // Counts tie everywhere: the key breaks them, in both directions.
  'SELECT id, count(*) AS n FROM visits GROUP BY id ORDER BY n, id DESC LIMIT 9',
  'SELECT id, count(*) FROM visits GROUP BY id ORDER BY id DESC LIMIT 5 OFFSET 3',
  'SELECT id, count(*) AS n, sum(clicks) FROM visits GROUP BY id HAVING sum(clicks) > 5 ORDER BY n DESC, id LIMIT 10 OFFSET 2',
  'SELECT id, sum(clicks), min(amount), max(ts), avg(amount), distinctcount(country) FROM visits GROUP BY id ORDER BY sum(clicks) DESC, id LIMIT 6',
  "SELECT id, count(*) FROM visits WHERE country IN ('c1', 'c4') AND rank < 7 GROUP BY id ORDER BY count(*) DESC, id LIMIT 4",
  'SELECT id, count(*) FROM visits WHERE id > 1000000 GROUP BY id ORDER BY id LIMIT 4',
  'SELECT distinctcount(id) FROM visits',
  'SELECT distinctcount(id), distinctcounthll(id) FROM visits WHERE clicks > 3',
  'SELECT distinctcount(id) FILTER (WHERE rank < 5), distinctcount(id) FROM visits',
];

/** Not split by key (another shape, or a segment where numGroupsLimit could bind): the main thread answers. */
const DECLINED: [string, string?][] = [
  ['SELECT id, count(*) AS n FROM visits GROUP BY id ORDER BY n DESC LIMIT 7'],
  ['SELECT id, count(*) FROM visits GROUP BY id LIMIT 7'],
  ['SELECT user, count(*) FROM visits GROUP BY user ORDER BY count(*) DESC, user LIMIT 3'],
  ['SELECT distinctcount(id), count(*) FROM visits'],
  ['SELECT id, count(*) AS n FROM visits GROUP BY id ORDER BY n DESC, id LIMIT 7', 'numGroupsLimit=1000'],
];

describe('queries split by key on the worker pool', () => {
  let table: FixtureTable;
  let nullable: FixtureTable;
  /** `id` repeating (1,500 values per segment): stored with a dictionary, where `visits` stores it raw. */
  let repeats: FixtureTable;
  let sealedOnly: FixtureTable;
  let pool: QueryPool;
  let parallel: QueryEngine;
  let serial: QueryEngine;

  beforeAll(async () => {
    table = await buildTableSegments(VISITS_SCHEMA, visitRows(ROWS, 997) as never, { segmentRows: SEGMENT_ROWS });
    // Null ids (every 50th row) in sealed and consuming segments, with null handling on.
    const withNulls = visitRows(8_000, 997).map((r, i) => (i % 50 === 0 ? [r[0], r[1], null, ...r.slice(3)] : r));
    nullable = await buildTableSegments({ ...VISITS_SCHEMA, schemaName: 'nullable' }, withNulls as never, { segmentRows: 1_000, indexing: { nullHandlingEnabled: true } });
    repeats = await buildTableSegments({ ...VISITS_SCHEMA, schemaName: 'repeats' }, visitRows(ROWS, 997).map((r) => [r[0], r[1], (r[2] as bigint) % 1_500n, ...r.slice(3)]) as never, { segmentRows: SEGMENT_ROWS });
    sealedOnly = await buildTableSegments({ ...VISITS_SCHEMA, schemaName: 'sealed' }, visitRows(8_000, 997) as never, { segmentRows: 1_000, consumingSegments: 0 });
    const tables = new Map([
      ['visits', table],
      ['nullable', nullable],
      ['repeats', repeats],
      ['sealed', sealedOnly],
    ]);
    const resolver = { resolve: (name: string) => tables.get(name.toLowerCase())?.queryTable };
    pool = new QueryPool(2);
    await pool.whenReady();
    parallel = new QueryEngine(resolver, { parallel: { pool, minRows: 0, partitioned: true, orderedSelections: true } });
    serial = new QueryEngine(resolver, { parallel: null });
  }, 120_000);
  afterAll(async () => {
    await pool.close();
    await table.cleanup();
    await nullable.cleanup();
    await repeats.cleanup();
    await sealedOnly.cleanup();
  });

  const answer = async (engine: QueryEngine, sql: string, options?: string): Promise<Record<string, unknown>> => {
    const json = JSON.parse(writeBrokerResponse(await engine.query(sql, options))) as Record<string, unknown>;
    delete json.timeUsedMs;
    return json;
  };
  const routeOf = (sql: string, t: FixtureTable, options?: string): string | null => {
    const opts = new Map(options === undefined ? [] : options.split(';').map((kv) => kv.split('=') as [string, string]));
    const plan = planQuery(parseSql(sql, opts), t.schema, t.name, opts);
    return parallelRoute(plan, t.queryTable.snapshot(), { pool, minRows: 0, partitioned: true, orderedSelections: true })?.kind ?? null;
  };

  it('gives the answers of the main thread, one task per partition', async () => {
    expect(table.sealed.length).toBe(8);
    expect(table.consuming[0]!.numDocs).toBeGreaterThan(0);
    // Raw LONG values (cut between min and max) and a sorted dictionary (cut at its quantiles).
    expect(table.queryTable.snapshot()[0]!.dictionary('id')).toBeNull();
    expect(repeats.queryTable.snapshot()[0]!.dictionary('id')?.sorted).toBe(true);
    for (const sql of [...PARTITIONED, ...PARTITIONED.map((q) => q.replace('FROM visits', 'FROM repeats'))]) {
      expect(routeOf(sql, sql.includes('repeats') ? repeats : table), sql).toBe('partitioned');
      const before = pool.stats.completed;
      const got = await answer(parallel, sql);
      expect(pool.stats.completed - before, sql).toBe(2);
      expect(got, sql).toEqual(await answer(serial, sql));
      expect(got.exceptions, sql).toEqual([]);
      // (Every segment of the `id > 1000000` query is pruned: its statistics are what is compared.)
      if (!sql.includes('1000000')) expect((got.resultTable as { rows: unknown[] }).rows.length, sql).toBeGreaterThan(0);
    }
  });

  it('keeps the main thread for shapes whose answer depends on group order, and where numGroupsLimit could bind', async () => {
    for (const [sql, options] of DECLINED) {
      expect(routeOf(sql, table, options), sql).not.toBe('partitioned');
      expect(await answer(parallel, sql, options), sql).toEqual(await answer(serial, sql, options));
    }
    // Pinot's per-segment cut: 2,667 ids per segment over a limit of 1,000.
    const cut = await answer(parallel, DECLINED[4]![0], DECLINED[4]![1]);
    expect(cut.numGroupsLimitReached).toBe(true);
  });

  it('reads the consuming segment once for counts in a run and for distinct counts, once per partition for groups', async () => {
    // Main-thread partials only (the workers' aggregators live in their own threads).
    const exported = vi.spyOn(GroupByAggregator.prototype, 'exportPartial');
    const narrowed = vi.spyOn(PartitionAggregator.prototype, 'add');
    try {
      for (const [sql, reads] of [
        [PARTITIONED[0]!, 1],
        [PARTITIONED[7]!, 1],
        [PARTITIONED[9]!, 1],
        [PARTITIONED[3]!, 2],
      ] as const) {
        exported.mockClear();
        narrowed.mockClear();
        expect(await answer(parallel, sql), sql).toEqual(await answer(serial, sql));
        exported.mockClear();
        narrowed.mockClear();
        await parallel.query(sql);
        expect(exported.mock.calls.length, sql).toBe(reads);
        expect(narrowed.mock.calls.length > 0, sql).toBe(reads === 2);
      }
    } finally {
      exported.mockRestore();
      narrowed.mockRestore();
    }
  });

  it('groups null keys as the main thread does', async () => {
    for (const sql of ['SELECT id, count(*) AS n FROM nullable GROUP BY id ORDER BY n DESC, id LIMIT 5', 'SELECT id, count(*) FROM nullable GROUP BY id ORDER BY id LIMIT 3', 'SELECT distinctcount(id) FROM nullable']) {
      expect(routeOf(sql, nullable), sql).toBe('partitioned');
      expect(await answer(parallel, sql), sql).toEqual(await answer(serial, sql));
    }
  });

  it('fails at the deadline and cancels the partitions in the workers', async () => {
    // Sealed segments only: the main thread has nothing to read before the workers start.
    const slow = "SELECT id, count(*) FROM sealed WHERE length(regexpReplace(repeat(user, 400), 'u(s+)e', '$1')) > 0 GROUP BY id ORDER BY count(*) DESC, id LIMIT 3";
    expect(routeOf(slow, sealedOnly)).toBe('partitioned');
    const cancelled = pool.stats.cancelled;
    const got = await answer(parallel, slow, 'timeoutMs=30');
    expect((got.exceptions as { errorCode: number }[])[0]!.errorCode).toBe(250);
    await expect.poll(() => pool.stats.cancelled - cancelled).toBe(2);
    // The pool is free again and answers the next query.
    const sql = PARTITIONED[0]!;
    expect(await answer(parallel, sql)).toEqual(await answer(serial, sql));
  });

  it('splits ORDER BY selections by segments, the threads sharing the top-k cut-off', async () => {
    const queries = [
      'SELECT user, id, amount FROM visits ORDER BY amount DESC, id LIMIT 10',
      // INT ascending, every value tied hundreds of times: the second key decides.
      'SELECT id, clicks FROM visits ORDER BY clicks, id DESC LIMIT 5 OFFSET 7',
      "SELECT ts, amount FROM visits WHERE country = 'c2' ORDER BY amount DESC, ts LIMIT 3",
      'SELECT id, amount FROM nullable ORDER BY amount, id LIMIT 6 OFFSET 1',
    ];
    for (const sql of queries) {
      expect(routeOf(sql, sql.includes('nullable') ? nullable : table), sql).toBe('segments');
      const before = pool.stats.completed;
      const got = await answer(parallel, sql);
      expect(pool.stats.completed, sql).toBeGreaterThan(before);
      expect(got, sql).toEqual(await answer(serial, sql));
    }
  });

  it('answers a function error as the main thread does', async () => {
    const sql = "SELECT id, count(*) FROM visits WHERE fromDateTime(user, 'yyyy') > 0 GROUP BY id ORDER BY id LIMIT 3";
    const got = await answer(parallel, sql);
    expect((got.exceptions as { errorCode: number }[])[0]!.errorCode).toBe(200);
    expect(got.exceptions).toEqual((await answer(serial, sql)).exceptions);
  });
});
