import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryPool } from '../../../../src/query/parallel/query-pool.js';
import { planSegments } from '../../../../src/query/parallel/parallel-executor.js';
import type { BatchResult, WorkerQuery } from '../../../../src/query/parallel/messages.js';
import { buildTableSegments } from '../query-fixtures.js';
import type { FixtureTable } from '../query-fixtures.js';
import { VISITS_SCHEMA, visitRows } from '../../../helpers/visits-table.js';

/**
 * Cache affinity of the query pool: a lane of a query's segments goes to the same thread every
 * time (the thread whose block cache holds them), and a worker done with its lane takes nothing
 * cold from a lane another worker has (`SegmentClaims`, `QueryPool.dispatch`).
 */
describe('segments stay on the worker that read them', () => {
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

  /** Runs `sql` over the table's eight segments as the executor does (one task per lane); which thread read which segment. */
  async function readers(sql: string): Promise<Map<number, number>> {
    const segments = table.queryTable.snapshot();
    const { worker, breakBefore, claims } = planSegments(segments, pool.threads);
    const query: WorkerQuery = { id: nextId++, sql, options: undefined, startedMs: Date.now(), tableName: 'affinity', schema: table.schema };
    const refs = worker.map((i) => ({ segmentName: segments[i]!.name, numDocs: segments[i]!.numDocs, file: segments[i]!.file!, liveDocs: segments[i]!.liveDocs }));
    const task = (lane: number): Promise<BatchResult> => pool.run(query.id, { query, segments: refs, breakBefore, claims: claims.buffer, lane, deadlineMs: Date.now() + 60_000, cancel: new SharedArrayBuffer(4) });
    const results = await Promise.all(Array.from({ length: claims.laneCount }, (_, lane) => task(lane)));
    pool.cancelQuery(query.id);
    const by = new Map<number, number>();
    for (const r of results) for (const p of r.pieces) for (let s = p.first; s <= p.last; s++) by.set(s, r.thread);
    return by;
  }

  it('sends lane i to thread i, and no segment moves to the other thread over repeated queries', async () => {
    const threads = pool.threadsForTest().map((w) => w.threadId);
    expect(threads).toHaveLength(2);
    const sqls = ['SELECT country, count(*), sum(amount) FROM affinity GROUP BY country', 'SELECT count(*), max(clicks) FROM affinity WHERE rank < 50'];
    for (const sql of sqls) {
      for (let round = 0; round < 4; round++) {
        const by = await readers(sql);
        expect(by.size, sql).toBe(8);
        // Lane 0 holds segments 0-3 (equal rows), lane 1 segments 4-7.
        for (let s = 0; s < 8; s++) expect(by.get(s), `${sql}: segment ${s}, round ${round}`).toBe(threads[s < 4 ? 0 : 1]);
      }
    }
  });
});
