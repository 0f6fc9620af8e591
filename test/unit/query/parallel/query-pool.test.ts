import { unlink } from 'node:fs/promises';
import { deserialize, serialize } from 'node:v8';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CountRun } from '../../../../src/query/exec/count-run.js';
import type { CountRunPartial } from '../../../../src/query/exec/count-run.js';
import { QueryEngine, writeBrokerResponse } from '../../../../src/query/index.js';
import { QueryPool } from '../../../../src/query/parallel/query-pool.js';
import { planSegments } from '../../../../src/query/parallel/parallel-executor.js';
import { SegmentClaims } from '../../../../src/query/parallel/segment-claims.js';
import { scanToPartial } from '../../../../src/query/exec/segment-partial.js';
import { PartialMerge } from '../../../../src/query/exec/partial-merge.js';
import { countOutcome } from '../../../../src/query/exec/segment-scan.js';
import type { PartialResult } from '../../../../src/query/exec/segment-partial.js';
import { countSegments, executePlan } from '../../../../src/query/exec/executor.js';
import { emptyStats } from '../../../../src/query/exec/execution-stats.js';
import { buildFilter } from '../../../../src/query/exec/filter-tree.js';
import { Scratch } from '../../../../src/query/exec/scratch.js';
import { Deadline } from '../../../../src/query/exec/deadline.js';
import { withVirtualColumns } from '../../../../src/query/exec/virtual-columns.js';
import type { SegmentSnapshot } from '../../../../src/query/exec/segment-snapshot.js';
import { parseSql } from '../../../../src/query/parser/parse-statement.js';
import { planQuery } from '../../../../src/query/plan/planner.js';
import { buildTableSegments } from '../query-fixtures.js';
import type { FixtureTable } from '../query-fixtures.js';
import { VISITS_SCHEMA, visitRows } from '../../../helpers/visits-table.js';

const SCHEMA = VISITS_SCHEMA;

const ROWS = 24_000;
/** Eight sealed segments of 2,667 rows and one consuming segment. */
const SEGMENT_ROWS = 2_667;
/** A query whose every row costs a regex replacement over a repeated string: long enough to watch. */
const SLOW = "SELECT count(*) FROM visits WHERE length(regexpReplace(repeat(user, 100), 'u(s+)e', '$1')) > 0";

const rows = (): unknown[][] => visitRows(ROWS, 997);

/** Every answer compared between the pool and the main thread (the JSON minus timeUsedMs). */
const QUERIES = [
  'SELECT count(*), sum(clicks), min(amount), max(amount), avg(amount), minmaxrange(rank) FROM visits',
  'SELECT country, count(*), sum(amount) FROM visits GROUP BY country ORDER BY country',
  'SELECT user, count(*) AS n FROM visits GROUP BY user ORDER BY n DESC, user LIMIT 7',
  'SELECT user, country, sum(clicks) FROM visits GROUP BY user, country ORDER BY sum(clicks) DESC, user, country LIMIT 12',
  'SELECT id, count(*) FROM visits GROUP BY id ORDER BY count(*) DESC, id LIMIT 5',
  'SELECT country, rank, count(*) FROM visits GROUP BY country, rank LIMIT 9',
  'SELECT user FROM visits GROUP BY user LIMIT 4 OFFSET 3',
  'SELECT distinctcount(user), distinctcount(id), distinctcountmv(tags), percentile(amount, 90), percentileest(clicks, 50) FROM visits',
  'SELECT country, distinctcount(rank), percentile(amount, 50), mode(clicks) FROM visits GROUP BY country ORDER BY country',
  'SELECT country, count(*) FILTER (WHERE clicks > 5), summv(tags_n) FROM visits WHERE rank < 9 GROUP BY country HAVING count(*) > 10 ORDER BY 2 DESC, country',
  'SELECT tags, count(*) FROM visits GROUP BY tags ORDER BY tags',
  "SELECT DATETRUNC('HOUR', ts) AS h, count(*) FROM visits GROUP BY h ORDER BY h DESC LIMIT 3",
  'SELECT user, id, amount FROM visits ORDER BY amount DESC, id LIMIT 10',
  'SELECT user, ts FROM visits WHERE country = \'c3\' ORDER BY ts LIMIT 5 OFFSET 2',
  'SELECT arrayagg(rank, \'INT\', true) FROM visits WHERE id < 100',
  'SELECT country, count(*) FROM visits WHERE id > 1000000 GROUP BY country',
  'SELECT count(*) FROM visits WHERE user = \'nobody\'',
  // Virtual columns in the filter: the cost estimate reads them as the scan does.
  "SELECT $segmentName, count(*), max(id) FROM visits WHERE $docId < 100 AND $hostName <> 'nowhere' GROUP BY $segmentName ORDER BY max(id)",
];

describe('queries on the worker pool', () => {
  let table: FixtureTable;
  /** A small table of the same schema: two sealed segments of 200 rows and a consuming one. */
  let small: FixtureTable;
  /**
   * Eight sealed segments of 1,000 rows and no consuming one: the main thread has nothing to
   * read, so a worker is surely inside its batch while a slow query runs.
   */
  let sealedOnly: FixtureTable;
  let pool: QueryPool;
  let parallel: QueryEngine;
  let serial: QueryEngine;

  beforeAll(async () => {
    table = await buildTableSegments(SCHEMA, rows() as never, { segmentRows: SEGMENT_ROWS });
    small = await buildTableSegments({ ...SCHEMA, schemaName: 'small' }, rows().slice(0, 600) as never, { segmentRows: 200 });
    sealedOnly = await buildTableSegments({ ...SCHEMA, schemaName: 'sealed' }, rows().slice(0, 8_000) as never, { segmentRows: 1_000, consumingSegments: 0 });
    const tables = new Map([
      ['visits', table],
      ['small', small],
      ['sealed', sealedOnly],
    ]);
    const resolver = { resolve: (name: string) => tables.get(name.toLowerCase())?.queryTable };
    pool = new QueryPool(2);
    await pool.whenReady();
    // Every GROUP BY and ORDER BY selection through the pool, high-cardinality ones included (their merge is tested here).
    parallel = new QueryEngine(resolver, { parallel: { pool, minRows: 0, maxGroupShare: Number.POSITIVE_INFINITY, orderedSelections: true } });
    serial = new QueryEngine(resolver, { parallel: null });
  }, 120_000);
  afterAll(async () => {
    await pool.close();
    await table.cleanup();
    await small.cleanup();
    await sealedOnly.cleanup();
  });

  const answer = async (engine: QueryEngine, sql: string, options?: string): Promise<Record<string, unknown>> => {
    const json = JSON.parse(writeBrokerResponse(await engine.query(sql, options))) as Record<string, unknown>;
    delete json.timeUsedMs;
    return json;
  };

  it('gives the answers (rows, types and statistics) of the main thread', async () => {
    expect(table.sealed.length).toBe(8);
    for (const sql of QUERIES) {
      const before = pool.stats.completed;
      const got = await answer(parallel, sql);
      expect(pool.stats.completed, sql).toBeGreaterThan(before);
      expect(got, sql).toEqual(await answer(serial, sql));
      expect(got.exceptions, sql).toEqual([]);
    }
  });

  it('gives the same answers with a segment no worker can open, and over segments of unequal sizes', async () => {
    // The worker taking segment 1 cannot open it (its file is gone): the main thread reads it, and the worker goes on with the next.
    const gone = await buildTableSegments({ ...SCHEMA, schemaName: 'gone' }, rows().slice(0, 4_400) as never, { segmentRows: 500 });
    // One large segment first, then small ones: the lanes split by rows, and a worker done early may take from the other's tail.
    const uneven = await buildTableSegments({ ...SCHEMA, schemaName: 'uneven' }, rows().slice(0, 9_000) as never, { segmentRows: [6_000, 300, 300, 300, 300, 300, 300, 300, 300, 300, 300, 300] });
    try {
      await unlink(gone.sealed[1]!.path);
      const tables = new Map([
        ['gone', gone],
        ['uneven', uneven],
      ]);
      const resolver = { resolve: (name: string) => tables.get(name.toLowerCase())?.queryTable };
      const onPool = new QueryEngine(resolver, { parallel: { pool, minRows: 0, maxGroupShare: Number.POSITIVE_INFINITY, orderedSelections: true } });
      const onMain = new QueryEngine(resolver, { parallel: null });
      for (const sql of QUERIES.slice(0, 13)) {
        for (const name of ['gone', 'uneven']) {
          const q = sql.replace('FROM visits', `FROM ${name}`);
          expect(await answer(onPool, q), q).toEqual(await answer(onMain, q));
        }
      }
    } finally {
      await gone.cleanup();
      await uneven.cleanup();
    }
  });

  it('merges partial results that went through v8.serialize (as from another server) with PartialMerge', async () => {
    const sql = 'SELECT user, country, sum(clicks), distinctcount(rank), percentile(amount, 50) FROM visits GROUP BY user, country ORDER BY sum(clicks) DESC, user, country LIMIT 12';
    const plan = planQuery(parseSql(sql, new Map()), table.schema, 'visits', new Map());
    const ctx = { plan, filterTree: buildFilter(plan.filter), scratch: new Scratch(), deadline: new Deadline(Date.now() + 60_000, Date.now, () => new Error('timeout')), slice: null, liveSel: { buffer: new Int32Array(0) } };
    const views = table.queryTable.snapshot().map((v) => withVirtualColumns(v));
    const partials = [];
    for (const v of views) partials.push(deserialize(serialize((await scanToPartial(ctx, v)).result)) as PartialResult);
    const stats = emptyStats();
    countSegments(plan, views, stats);
    const merge = new PartialMerge(plan);
    for (const p of partials) {
      for (const outcome of p.outcomes) countOutcome(stats, outcome, p.consuming);
      merge.add(p.partial);
    }
    const merged = merge.finish(stats);
    const direct = await executePlan(plan, table.queryTable.snapshot(), Date.now() + 60_000, Date.now);
    expect(merged.rows).toEqual(direct.rows);
    expect(merged.stats).toEqual(direct.stats);
  });

  it("adds the workers' dense counts of a COUNT-only GROUP BY over a narrow INT key, shared with the main thread rather than copied", async () => {
    const added = vi.spyOn(CountRun.prototype, 'addPartial');
    try {
      for (const sql of ['SELECT rank, count(*) AS n FROM visits GROUP BY rank ORDER BY n DESC, rank LIMIT 4', 'SELECT clicks, count(*) FROM visits GROUP BY clicks ORDER BY clicks DESC LIMIT 50']) {
        added.mockClear();
        expect(await answer(parallel, sql), sql).toEqual(await answer(serial, sql));
        const partials = added.mock.calls.map(([p]) => p as CountRunPartial);
        // One per lane of workers (dense, on shared memory) and the consuming segment's (this thread's).
        expect(partials.filter((p) => 'dense' in p && p.dense.buffer instanceof SharedArrayBuffer).length, sql).toBeGreaterThanOrEqual(2);
      }
    } finally {
      added.mockRestore();
    }
  });

  it('keeps a high-cardinality GROUP BY off the segment split by default (on the main thread without key partitions)', async () => {
    // Split by key instead when key partitions are on (partitioned.test.ts).
    const defaults = new QueryEngine({ resolve: (name: string) => (name.toLowerCase() === 'visits' ? table.queryTable : undefined) }, { parallel: { pool, minRows: 0, partitioned: false } });
    const before = pool.stats.completed;
    const sql = 'SELECT id, count(*) FROM visits GROUP BY id ORDER BY count(*) DESC, id LIMIT 5';
    expect(await answer(defaults, sql)).toEqual(await answer(serial, sql));
    expect(pool.stats.completed).toBe(before);
    await answer(defaults, 'SELECT country, count(*) FROM visits GROUP BY country');
    expect(pool.stats.completed).toBeGreaterThan(before);
  });

  it('sends an ORDER BY selection to the pool by default only when its threads share one cut-off (a numeric first key)', async () => {
    const resolve = (name: string) => (name.toLowerCase() === 'visits' ? table.queryTable : undefined);
    const defaults = new QueryEngine({ resolve }, { parallel: { pool, minRows: 0 } });
    const none = new QueryEngine({ resolve }, { parallel: { pool, minRows: 0, orderedSelections: false } });
    const onPool = async (engine: QueryEngine, sql: string): Promise<boolean> => {
      const before = pool.stats.completed;
      expect(await answer(engine, sql)).toEqual(await answer(serial, sql));
      return pool.stats.completed > before;
    };
    const numeric = 'SELECT user, id, amount FROM visits ORDER BY amount DESC, id LIMIT 10';
    expect(await onPool(defaults, numeric)).toBe(true);
    expect(await onPool(defaults, 'SELECT user, ts FROM visits WHERE rank < 5 ORDER BY rank, ts DESC LIMIT 8')).toBe(true);
    // A STRING or LONG first key: no shared cut-off, each worker would keep its own top-k.
    expect(await onPool(defaults, 'SELECT user, ts FROM visits ORDER BY user DESC, ts LIMIT 5')).toBe(false);
    expect(await onPool(defaults, 'SELECT id, amount FROM visits ORDER BY id DESC LIMIT 5')).toBe(false);
    expect(await onPool(none, numeric)).toBe(false);
  });

  it('answers per-segment numGroupsLimit as the main thread does', async () => {
    const sql = 'SELECT user, count(*) FROM visits GROUP BY user ORDER BY count(*) DESC, user LIMIT 5';
    const got = await answer(parallel, sql, 'numGroupsLimit=100');
    expect(got.numGroupsLimitReached).toBe(true);
    expect(got).toEqual(await answer(serial, sql, 'numGroupsLimit=100'));
  });

  it('fails the query with the error a segment raises', async () => {
    const got = await answer(parallel, "SELECT count(*) FROM visits WHERE fromDateTime(user, 'yyyy-MM-dd') > 0");
    expect(got).toEqual(await answer(serial, "SELECT count(*) FROM visits WHERE fromDateTime(user, 'yyyy-MM-dd') > 0"));
    expect((got.exceptions as { errorCode: number }[])[0]?.errorCode).toBe(200);
  });

  it('cancels the work in the workers at the query timeout', async () => {
    const before = pool.stats.cancelled;
    const got = await answer(parallel, SLOW, 'timeoutMs=300');
    expect((got.exceptions as { errorCode: number }[])[0]?.errorCode).toBe(250);
    // The running tasks stop at their next block and the workers take new work.
    await until(() => pool.stats.busy === 0 && pool.stats.queued === 0);
    // One task per worker, both reading the query's segments when it timed out: both dropped.
    expect(pool.stats.cancelled).toBeGreaterThanOrEqual(before + 2);
    expect((await answer(parallel, 'SELECT count(*) FROM visits')).resultTable).toMatchObject({ rows: [[ROWS]] });
  });

  it('shares the pool between concurrent queries, round-robin', async () => {
    const finished: string[] = [];
    const long = parallel.query(SLOW).then((r) => (finished.push('long'), r));
    await until(() => pool.stats.busy > 0);
    const completed = pool.stats.completed;
    // Two segment tasks, queued after the long query's first ones: round-robin runs them before the rest of its eight.
    const short = parallel.query('SELECT country, count(*) FROM small GROUP BY country').then((r) => (finished.push('short'), r));
    const [l, s] = await Promise.all([long, short]);
    expect(l.exceptions).toEqual([]);
    expect(l.rows).toEqual([[BigInt(ROWS)]]);
    expect(s.exceptions).toEqual([]);
    expect(s.rows.reduce((sum, r) => sum + Number(r[1]), 0)).toBe(600);
    expect(pool.stats.completed - completed).toBeGreaterThanOrEqual(2);
    // The short query's tasks were not queued behind all of the long one's.
    expect(finished).toEqual(['short', 'long']);
  });

  it('fails a query whose worker stops, replaces the worker, and answers the next query', async () => {
    const query = parallel.query("SELECT count(*) FROM sealed WHERE length(regexpReplace(repeat(user, 400), 'u(s+)e', '$1')) > 0");
    await until(() => pool.stats.busy > 0);
    const replacedBefore = pool.stats.replaced;
    await pool.threadsForTest()[0]!.terminate();
    const r = await query;
    expect(r.exceptions[0]?.errorCode).toBe(200);
    expect(r.exceptions[0]?.message).toMatch(/a query worker thread stopped while reading segment sealed__0__\d+__20240101T0000Z/);
    await until(() => pool.stats.replaced === replacedBefore + 1 && pool.stats.threads === 2);
    await pool.whenReady();
    const next = await answer(parallel, 'SELECT country, count(*) FROM visits GROUP BY country ORDER BY country');
    expect(next).toEqual(await answer(serial, 'SELECT country, count(*) FROM visits GROUP BY country ORDER BY country'));
  });
});

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('planSegments and SegmentClaims', () => {
  const seg = (numDocs: number, where: 'file' | 'consuming' = 'file'): SegmentSnapshot => ({ numDocs, consuming: where === 'consuming', file: where === 'file' ? 'f' : undefined }) as unknown as SegmentSnapshot;
  const lanes = (claims: SegmentClaims): [number, number][] => Array.from({ length: claims.laneCount }, (_, l) => claims.range(l));

  it('splits the sealed segments into contiguous lanes of roughly equal rows, one per thread', () => {
    const even = planSegments([seg(10), seg(10), seg(10), seg(10), seg(10, 'consuming')], 2);
    expect(even).toMatchObject({ worker: [0, 1, 2, 3], local: [4], breakBefore: [] });
    expect(lanes(even.claims)).toEqual([[0, 2], [2, 4]]);
    expect(lanes(planSegments([seg(10), seg(10), seg(10)], 2).claims)).toEqual([[0, 2], [2, 3]]);
    expect(lanes(planSegments([seg(100), seg(10), seg(10), seg(10)], 2).claims)).toEqual([[0, 1], [1, 4]]);
    expect(lanes(planSegments([seg(10), seg(10), seg(10), seg(10)], 1).claims)).toEqual([[0, 4]]);
    // More threads than segments: one lane per segment.
    expect(lanes(planSegments([seg(10), seg(10)], 4).claims)).toEqual([[0, 1], [1, 2]]);
  });

  it('leaves out empty segments and marks where a main-thread segment cuts the runs', () => {
    const p = planSegments([seg(10), seg(5, 'consuming'), seg(10), seg(0), seg(10), seg(10)], 2);
    expect(p).toMatchObject({ worker: [0, 2, 4, 5], local: [1], breakBefore: [1] });
  });

  it('hands every segment out once: a lane from its front, the rest stolen from the back of the fullest lane', () => {
    const claims = SegmentClaims.split([10, 10, 10, 10, 10, 10, 10, 10], 2);
    expect(claims.takeFront(0)).toBe(0);
    expect(claims.steal()).toBe(7);
    expect(claims.takeFront(1)).toBe(4);
    expect(claims.remaining()).toBe(5);
    const taken = [0, 7, 4];
    // Lane 0 runs dry first: its worker steals from lane 1's back while lane 1's worker takes its front.
    for (let p = claims.takeFront(0); p >= 0; p = claims.takeFront(0)) taken.push(p);
    for (;;) {
      const a = claims.takeFront(1);
      const b = claims.steal();
      if (a >= 0) taken.push(a);
      if (b >= 0) taken.push(b);
      if (a < 0 && b < 0) break;
    }
    expect(taken.sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(claims.remaining()).toBe(0);
    expect(claims.steal()).toBe(-1);
  });

  it('hands out nothing from a failed segment on (the query fails with the first failure in segment order)', () => {
    const claims = SegmentClaims.split([10, 10, 10, 10, 10, 10, 10, 10], 2);
    expect(claims.takeFront(0)).toBe(0);
    claims.stopAt(3);
    claims.stopAt(6);
    expect(claims.remaining()).toBe(2);
    expect(claims.takeFront(1)).toBe(-1);
    expect(claims.steal()).toBe(2);
    expect(claims.takeFront(0)).toBe(1);
    expect(claims.takeFront(0)).toBe(-1);
    expect(claims.steal()).toBe(-1);
  });
});
