import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryPool } from '../../../../src/query/parallel/query-pool.js';
import { planSegments } from '../../../../src/query/parallel/parallel-executor.js';
import type { BatchResult, WorkerQuery } from '../../../../src/query/parallel/messages.js';
import { buildTableSegments } from '../query-fixtures.js';
import type { FixtureTable } from '../query-fixtures.js';
import { VISITS_SCHEMA, visitRows } from '../../../helpers/visits-table.js';

/**
 * Cache affinity of the query pool: a lane of a query's segments goes to the same thread every
 * time (the thread whose block cache holds them; `QueryPool.dispatch`). A worker done with its
 * lane may still steal from the other (`SegmentClaims`), so which thread read a stolen segment is
 * not fixed; the lane's own task is.
 */
describe('lanes go to the same worker every time', () => {
  let table: FixtureTable;
  let pool: QueryPool;
  let nextId = 1;

  beforeAll(async () => {
    table = await buildTableSegments({ ...VISITS_SCHEMA, schemaName: 'affinity' }, visitRows(8_000, 31) as never, { segmentRows: 1_000, consumingSegments: 0 });
    pool = new QueryPool(2);
    await pool.whenReady();
  }, 120_000);
  afterAll(async () => {
    await pool.close();
    await table.cleanup();
  });

  /** Runs `sql` over the table's eight segments as the executor does (one task per lane); the thread of each lane's task, and who read each segment. */
  async function readers(sql: string): Promise<{ laneThreads: number[]; by: Map<number, number> }> {
    const segments = table.queryTable.snapshot();
    const { worker, breakBefore, claims } = planSegments(segments, pool.threads);
    const query: WorkerQuery = { id: nextId++, sql, options: undefined, startedMs: Date.now(), tableName: 'affinity', schema: table.schema };
    const refs = worker.map((i) => ({ segmentName: segments[i]!.name, numDocs: segments[i]!.numDocs, file: segments[i]!.file!, liveDocs: segments[i]!.liveDocs }));
    const task = (lane: number): Promise<BatchResult> => pool.run(query.id, { query, segments: refs, breakBefore, claims: claims.buffer, lane, deadlineMs: Date.now() + 60_000, cancel: new SharedArrayBuffer(4) });
    const results = await Promise.all(Array.from({ length: claims.laneCount }, (_, lane) => task(lane)));
    pool.cancelQuery(query.id);
    const by = new Map<number, number>();
    for (const r of results) for (const p of r.pieces) for (let s = p.first; s <= p.last; s++) by.set(s, r.thread);
    return { laneThreads: results.map((r) => r.thread), by };
  }

  it('sends lane i to thread i over repeated queries, and every segment is read once', async () => {
    const threads = pool.threadsForTest().map((w) => w.threadId);
    expect(threads).toHaveLength(2);
    const sqls = ['SELECT country, count(*), sum(amount) FROM affinity GROUP BY country', 'SELECT count(*), max(clicks) FROM affinity WHERE rank < 50'];
    for (const sql of sqls) {
      for (let round = 0; round < 4; round++) {
        const { laneThreads, by } = await readers(sql);
        expect(laneThreads, `${sql}, round ${round}`).toEqual(threads);
        expect([...by.keys()].sort((a, b) => a - b), sql).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
        for (const t of by.values()) expect(threads).toContain(t);
      }
    }
  });
});
