import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PinotSchema } from '../../src/config/schema.js';
import { eventsSchema, eventsTableConfig } from '../helpers/pinot-config-fixtures.js';
import { recordingRuntimeFactory } from '../helpers/recording-runtime-factory.js';
import { buildFixture } from '../unit/query/query-fixtures.js';
import type { QueryFixture } from '../unit/query/query-fixtures.js';
import { startHarness } from './http-harness.js';
import type { Harness } from './http-harness.js';

const ROWS = 40_000;
const SQL = "SELECT count(*) FROM events WHERE length(regexpReplace(repeat(user, 3), 'u(s)', '$1')) > 0";

describe('queries that cannot freeze the server (HTTP)', () => {
  let h: Harness;
  let data: QueryFixture;
  /** Called when a query takes its snapshot, synchronously before it starts executing. */
  let onSnapshot: () => void = () => {};

  beforeAll(async () => {
    // Forty consuming segments of 1,000 rows (one block each), built in memory: the executor
    // yields between blocks, so a request that needs a few event-loop turns waits a few blocks.
    const rows = Array.from({ length: ROWS }, (_, i) => [`user-${i % 1_000}`, `c${i % 5}`, BigInt(i), 1_700_000_000_000n + BigInt(i)]);
    data = await buildFixture(eventsSchema() as unknown as PinotSchema, rows, { segmentRows: 1_000, consumingSegments: 40 });
    const recorder = recordingRuntimeFactory();
    const base = recorder.factory;
    h = await startHarness({
      recorder: { ...recorder, factory: (args) =>
          Object.assign(base(args), {
            queryableSegments: () => {
              onSnapshot();
              return { sealed: data.sealed, consuming: data.consuming };
            },
          }),
      },
    });
    await h.inject({ method: 'POST', url: '/schemas', payload: eventsSchema() });
    await h.inject({ method: 'POST', url: '/tables', payload: eventsTableConfig() });
  });
  afterAll(async () => {
    await h.close();
    await data.cleanup();
  });

  it('answers /health while a long query runs, and the query still answers', async () => {
    let snapshotAt = 0;
    const started = new Promise<void>((resolve) => {
      onSnapshot = () => {
        snapshotAt = performance.now();
        resolve();
      };
    });
    const query = h.inject({ method: 'POST', url: '/query/sql', payload: { sql: SQL, queryOptions: 'timeoutMs=600000' } });
    // This continuation runs only once the query, which took its snapshot, gives the event loop
    // back: after its first block if it yields, after its last if it does not.
    await started;
    onSnapshot = () => {};
    const health = await h.inject({ method: 'GET', url: '/health' });
    const healthAfterMs = performance.now() - snapshotAt;
    expect(health.statusCode).toBe(200);
    const body = (await query).json();
    expect(body.resultTable.rows).toEqual([[ROWS]]);
    // Answered in the first part of the query's run (40 blocks), not after it: a ratio of two
    // measured times, not a wall-clock limit.
    expect(healthAfterMs).toBeLessThan(body.timeUsedMs / 2);
  });

  it('stops a long query at timeoutMs with 250 and keeps serving', async () => {
    const r = await h.inject({ method: 'POST', url: '/query/sql', payload: { sql: SQL, queryOptions: 'timeoutMs=1' } });
    expect(r.json().exceptions[0].errorCode).toBe(250);
    expect((await h.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });

  it('refuses a 100,000-term AND chain at once with 150', async () => {
    const terms = Array.from({ length: 100_000 }, (_, i) => `clicks = ${i}`).join(' AND ');
    const r = await h.inject({ method: 'POST', url: '/query/sql', payload: { sql: `SELECT count(*) FROM events WHERE ${terms}` } });
    expect(r.statusCode).toBe(200);
    expect(r.json().exceptions[0]).toMatchObject({ errorCode: 150 });
    expect(r.json().exceptions[0].message).toContain('query too large');
  });
});
