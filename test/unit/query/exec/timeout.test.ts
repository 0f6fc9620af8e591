import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTableSchema } from '../../../../src/config/schema.js';
import { executePlan, parseSql, planQuery, QueryError, snapshotRuntime } from '../../../../src/query/index.js';
import { buildFixture, EVENTS_SCHEMA, eventRows } from '../query-fixtures.js';
import type { QueryFixture } from '../query-fixtures.js';

describe('query deadline', () => {
  let f: QueryFixture;
  beforeAll(async () => {
    f = await buildFixture(EVENTS_SCHEMA, eventRows(20), { segmentRows: 10 });
  });
  afterAll(() => f.cleanup());

  it('fails with 250 once the deadline has passed, naming the timeout', async () => {
    const plan = planQuery(parseSql('SET timeoutMs = 5; SELECT count(*) FROM events'), buildTableSchema(EVENTS_SCHEMA), 'events');
    const segments = snapshotRuntime({ queryableSegments: () => ({ sealed: f.sealed, consuming: f.consuming }) });
    const err = await executePlan(plan, segments, 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueryError);
    expect((err as QueryError).errorCode).toBe(250);
    expect((err as QueryError).message).toMatch(/timed out after 5 ms/);
  });

  it('runs normally within the deadline', async () => {
    const r = await f.query('SELECT count(*) FROM events', 'timeoutMs=60000');
    expect(r.resultTable!.rows).toEqual([[20]]);
  });
});
