import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PinotSchema } from '../../src/config/schema.js';
import { closeSharedQueryPool, configureQueryThreads, sharedParallelExecution } from '../../src/query/parallel/pool-config.js';
import { eventsSchema, eventsTableConfig } from '../helpers/pinot-config-fixtures.js';
import { recordingRuntimeFactory } from '../helpers/recording-runtime-factory.js';
import { buildTableSegments } from '../unit/query/query-fixtures.js';
import type { FixtureTable } from '../unit/query/query-fixtures.js';
import { startHarness } from './http-harness.js';
import type { Harness } from './http-harness.js';

const ROWS = 24_000;
const SQL = "SELECT count(*) FROM events WHERE length(regexpReplace(repeat(user, 100), 'u(s+)e', '$1')) > 0";
/**
 * Per row, not per dictionary id (the workers keep per-id results of SQL above once they have run
 * it, and then answer it well within any short timeout): at least a few hundred ms of work.
 */
const SLOW_PER_ROW_SQL = "SELECT count(*) FROM events WHERE length(regexpReplace(concat(repeat(user, 300), CAST(ts AS VARCHAR), ''), 'u(s+)e', '$1')) > 0";

describe('the server while a query runs on the worker pool (HTTP)', () => {
  let h: Harness;
  let data: FixtureTable;

  beforeAll(async () => {
    // Six sealed segments and one consuming: the sealed ones are read by the pool's threads.
    const rows = Array.from({ length: ROWS }, (_, i) => [`user-${i % 1_000}`, `c${i % 5}`, BigInt(i), 1_700_000_000_000n + BigInt(i)]);
    data = await buildTableSegments(eventsSchema() as unknown as PinotSchema, rows, { segmentRows: 3_429 });
    configureQueryThreads({ threads: 2, minRows: 0 });
    await sharedParallelExecution()!.pool.whenReady();
    const recorder = recordingRuntimeFactory();
    const base = recorder.factory;
    h = await startHarness({
      recorder: { ...recorder, factory: (args) => Object.assign(base(args), { queryableSegments: () => ({ sealed: data.sealed, consuming: data.consuming }) }) },
    });
    await h.inject({ method: 'POST', url: '/schemas', payload: eventsSchema() });
    await h.inject({ method: 'POST', url: '/tables', payload: eventsTableConfig() });
  }, 120_000);
  afterAll(async () => {
    await h.close();
    await closeSharedQueryPool();
    await data.cleanup();
  });

  it('answers /health while the query is still running in the workers, then answers the query', async () => {
    const pool = sharedParallelExecution()!.pool;
    const completedBefore = pool.stats.completed;
    let settled = false;
    const query = h.inject({ method: 'POST', url: '/query/sql', payload: { sql: SQL, queryOptions: 'timeoutMs=600000' } }).then((r) => {
      settled = true;
      return r;
    });
    while (pool.stats.busy === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    const health = await h.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    // Answered before the query: the query's segments were still being read.
    expect(settled).toBe(false);
    const body = (await query).json();
    expect(body.exceptions).toEqual([]);
    expect(body.resultTable.rows).toEqual([[ROWS]]);
    // One batch of contiguous sealed segments per worker.
    expect(pool.stats.completed - completedBefore).toBe(Math.min(pool.threads, data.sealed.length));
  });

  it('stops the query at timeoutMs with 250 and keeps serving', async () => {
    const r = await h.inject({ method: 'POST', url: '/query/sql', payload: { sql: SLOW_PER_ROW_SQL, queryOptions: 'timeoutMs=100' } });
    expect(r.json().exceptions[0].errorCode).toBe(250);
    expect((await h.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });
});
