import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PinotSchema } from '../../src/config/schema.js';
import { eventsSchema, eventsTableConfig } from '../helpers/pinot-config-fixtures.js';
import { recordingRuntimeFactory } from '../helpers/recording-runtime-factory.js';
import { buildFixture } from '../unit/query/query-fixtures.js';
import type { QueryFixture } from '../unit/query/query-fixtures.js';
import { startHarness } from './http-harness.js';
import type { Harness } from './http-harness.js';

const COUNTRIES = ['NL', 'DE', 'US'];

describe('query routes', () => {
  let h: Harness;
  let data: QueryFixture;

  beforeAll(async () => {
    // Real segments (two sealed files + a consuming segment) behind the recording runtime.
    const rows = Array.from({ length: 30 }, (_, i) => [`u${i % 7}`, COUNTRIES[i % 3]!, BigInt(i) * 1_000_000_000_007n, 1_700_000_000_000n + BigInt(i)]);
    data = await buildFixture(eventsSchema() as unknown as PinotSchema, rows, { segmentRows: 10 });
    const recorder = recordingRuntimeFactory();
    const base = recorder.factory;
    h = await startHarness({
      recorder: {
        ...recorder,
        factory: (args) => Object.assign(base(args), { queryableSegments: () => ({ sealed: data.sealed, consuming: data.consuming }) }),
      },
    });
    await h.inject({ method: 'POST', url: '/schemas', payload: eventsSchema() });
    await h.inject({ method: 'POST', url: '/tables', payload: eventsTableConfig() });
  });
  afterAll(async () => {
    await h.close();
    await data.cleanup();
  });

  const post = (sql: string, queryOptions?: string) => h.inject({ method: 'POST', url: '/query/sql', payload: { sql, ...(queryOptions ? { queryOptions } : {}) } });

  it('answers POST /query/sql with a broker response', async () => {
    const r = await post('SELECT country, count(*), sum(clicks) FROM events GROUP BY country ORDER BY country');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/application\/json/);
    const body = r.json();
    expect(body.resultTable).toEqual({
      dataSchema: { columnNames: ['country', 'count(*)', 'sum(clicks)'], columnDataTypes: ['STRING', 'LONG', 'DOUBLE'] },
      rows: [
        ['DE', 10, 145000000001015],
        ['NL', 10, 135000000000945],
        ['US', 10, 155000000001085],
      ],
    });
    expect(body).toMatchObject({ exceptions: [], totalDocs: 30, numDocsScanned: 30, numSegmentsQueried: 3, numConsumingSegmentsQueried: 1, numRowsResultSet: 3 });
  });

  it('answers GET /query/sql?sql=… and keeps LONG exact', async () => {
    const r = await h.inject({ method: 'GET', url: `/query/sql?sql=${encodeURIComponent('SELECT clicks FROM events_REALTIME ORDER BY clicks DESC LIMIT 1')}` });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('"rows":[[29000000000203]]');
  });

  it('reports query errors with Pinot codes and stays up', async () => {
    const cases: [string, number, RegExp][] = [
      ['SELECT FROM events', 150, /SQLParsingError/],
      ['SELECT count(*) FROM nope', 190, /Table nope does not exist/],
      ['SELECT nope FROM events', 710, /Unknown column 'nope'/],
      ['SELECT upper(country, user) FROM events', 200, /upper expects 1 argument/],
      ['SELECT abs(country) FROM events', 200, /expected a number/],
      ['SELECT country FROM events LIMIT 5000000', 700, /maximum of 1000000 rows/],
      [`SELECT groovy('{}', 'arg0', clicks) FROM events`, 200, /Unsupported function: groovy/],
      ['', 150, /empty/],
    ];
    for (const [sql, code, message] of cases) {
      const r = await post(sql);
      expect(r.statusCode, sql).toBe(200);
      const body = r.json();
      expect(body.exceptions[0].errorCode, sql).toBe(code);
      expect(body.exceptions[0].message, sql).toMatch(message);
      expect(body.resultTable, sql).toBeUndefined();
    }
    expect((await post('SELECT count(*) FROM events')).json().resultTable.rows).toEqual([[30]]);
  });

  it('handles a 1 MB SQL string', async () => {
    const garbage = `SELECT count(*) FROM events WHERE user IN (${Array.from({ length: 120_000 }, (_, i) => `'x${i}'`).join(',')}, 'u1')`;
    expect(garbage.length).toBeGreaterThan(1_000_000);
    const ok = await post(garbage);
    expect(ok.json().resultTable.rows).toEqual([[5]]);
    const bad = await post(`SELECT ${'x'.repeat(1_000_000)} FROM events`);
    expect(bad.json().exceptions[0].errorCode).toBe(710);
    const junk = await post('%'.repeat(1_000_000));
    expect(junk.json().exceptions[0].errorCode).toBe(150);
  });

  it('bounds group counts with numGroupsLimit from queryOptions', async () => {
    const r = await post('SELECT clicks, count(*) FROM events GROUP BY clicks LIMIT 100', 'numGroupsLimit=5;timeoutMs=10000');
    const body = r.json();
    // The limit is per segment (Pinot): fewer than all clicks values, at least the limit.
    const all = (await post('SELECT clicks, count(*) FROM events GROUP BY clicks LIMIT 100')).json();
    expect(body.resultTable.rows.length).toBeGreaterThanOrEqual(5);
    expect(body.resultTable.rows.length).toBeLessThan(all.resultTable.rows.length);
    expect(body.numGroupsLimitReached).toBe(true);
    const bad = await post('SELECT count(*) FROM events', 'timeoutMs=soon');
    expect(bad.json().exceptions[0]).toMatchObject({ errorCode: 700 });
  });

  it('maps every table to this server in GET /v2/brokers/tables', async () => {
    const r = await h.inject({ method: 'GET', url: '/v2/brokers/tables?state=ONLINE', headers: { host: 'localhost:9000' } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ events: [{ instanceName: 'Broker_localhost_9000', host: 'localhost', port: 9000 }] });
  });

  it("sends every field of Pinot's BrokerResponseNative, in Pinot's order, with requestId, brokerId and tablesQueried", async () => {
    const r = await h.inject({ method: 'POST', url: '/query/sql', payload: { sql: 'SELECT count(*) FROM EVENTS_REALTIME WHERE clicks > 0' }, headers: { host: 'db.example:9000' } });
    const body = r.json();
    expect(Object.keys(body)).toEqual([
      'resultTable', 'numRowsResultSet', 'partialResult', 'exceptions', 'numGroupsLimitReached', 'numGroupsWarningLimitReached',
      'maxRowsInDistinctReached', 'maxRowsWithoutChangeInDistinctReached', 'maxExecutionTimeInDistinctReached', 'timeUsedMs',
      'requestId', 'clientRequestId', 'brokerId', 'numDocsScanned', 'totalDocs', 'numEntriesScannedInFilter', 'numEntriesScannedPostFilter',
      'numServersQueried', 'numServersResponded', 'numSegmentsQueried', 'numSegmentsProcessed', 'numSegmentsMatched',
      'numConsumingSegmentsQueried', 'numConsumingSegmentsProcessed', 'numConsumingSegmentsMatched', 'minConsumingFreshnessTimeMs',
      'numSegmentsPrunedByBroker', 'numSegmentsPrunedByServer', 'numSegmentsPrunedInvalid', 'numSegmentsPrunedByLimit',
      'numSegmentsPrunedByValue', 'brokerReduceTimeMs', 'offlineThreadCpuTimeNs', 'realtimeThreadCpuTimeNs',
      'offlineSystemActivitiesCpuTimeNs', 'realtimeSystemActivitiesCpuTimeNs', 'offlineResponseSerializationCpuTimeNs',
      'realtimeResponseSerializationCpuTimeNs', 'offlineTotalCpuTimeNs', 'realtimeTotalCpuTimeNs', 'explainPlanNumEmptyFilterSegments',
      'explainPlanNumMatchAllFilterSegments', 'traceInfo', 'tablesQueried', 'offlineThreadMemAllocatedBytes',
      'realtimeThreadMemAllocatedBytes', 'offlineResponseSerMemAllocatedBytes', 'realtimeResponseSerMemAllocatedBytes',
      'offlineTotalMemAllocatedBytes', 'realtimeTotalMemAllocatedBytes', 'pools', 'rlsFiltersApplied', 'groupsTrimmed',
    ]);
    expect(body).toMatchObject({ brokerId: 'Broker_db.example_9000', tablesQueried: ['events'], traceInfo: {}, numSegmentsPrunedByBroker: 0 });
    expect(body.numSegmentsPrunedByServer).toBe(body.numSegmentsQueried - body.numSegmentsProcessed);
    const next = (await post('SELECT count(*) FROM events')).json();
    expect(Number(next.requestId)).toBeGreaterThan(Number(body.requestId));
    // clientRequestId echoes the clientQueryId option (request queryOptions or SET), null without it.
    expect(body.clientRequestId).toBeNull();
    expect((await post('SELECT count(*) FROM events', 'clientQueryId=dash-42')).json().clientRequestId).toBe('dash-42');
    expect((await post("SET clientQueryId = 'from-set'; SELECT count(*) FROM events")).json().clientRequestId).toBe('from-set');
  });

  it('fills traceInfo with trace=true (POST body or GET parameter)', async () => {
    const posted = (await h.inject({ method: 'POST', url: '/query/sql', payload: { sql: 'SELECT count(*) FROM events', trace: true } })).json();
    const [server, trace] = Object.entries(posted.traceInfo as Record<string, string>)[0]!;
    expect(server).toMatch(/^Broker_/);
    expect(JSON.parse(trace)).toEqual([{ QueryExecution: expect.objectContaining({ numSegmentsQueried: 3, numDocsScanned: 30 }) }]);
    const got = (await h.inject({ method: 'GET', url: `/query/sql?trace=true&sql=${encodeURIComponent('SELECT count(*) FROM events')}` })).json();
    expect(Object.keys(got.traceInfo)).toHaveLength(1);
  });

  it('sets X-Pinot-Error-Code (-1 on success) and answers HTTP statuses with Pinot-Use-Http-Status-For-Errors: true', async () => {
    expect((await post('SELECT count(*) FROM events')).headers['x-pinot-error-code']).toBe('-1');
    const failed = await post('SELECT nope FROM events');
    expect(failed.statusCode).toBe(200);
    expect(failed.headers['x-pinot-error-code']).toBe('710');
    const cases: [string, number][] = [['SELECT nope FROM events', 400], ['SELECT count(*) FROM nope', 404], ['SELECT FROM', 400], ['SELECT abs(country) FROM events', 500]];
    for (const [sql, status] of cases) {
      const r = await h.inject({ method: 'POST', url: '/query/sql', payload: { sql }, headers: { 'pinot-use-http-status-for-errors': 'true' } });
      expect(r.statusCode, sql).toBe(status);
      expect(r.json().exceptions).toHaveLength(1);
    }
    const ok = await h.inject({ method: 'POST', url: '/query/sql', payload: { sql: 'SELECT count(*) FROM events' }, headers: { 'pinot-use-http-status-for-errors': 'true' } });
    expect(ok.statusCode).toBe(200);
  });

  it("answers a request without 'sql' with 400, as Pinot's broker does", async () => {
    for (const payload of [{}, { query: 'SELECT 1' }, { sql: 42 }]) {
      const r = await h.inject({ method: 'POST', url: '/query/sql', payload });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toEqual({ code: 400, error: "bad request: Payload is missing the query string field 'sql'" });
    }
    expect((await h.inject({ method: 'GET', url: '/query/sql' })).statusCode).toBe(400);
    expect((await h.inject({ method: 'POST', url: '/query/sql', payload: 'not json', headers: { 'content-type': 'application/json' } })).statusCode).toBe(400);
  });

  it('validates syntax without running or looking up tables (POST /query/sql/validateSyntax, Pinot\'s SqlSyntaxValidationResponse)', async () => {
    const check = (payload: unknown) => h.inject({ method: 'POST', url: '/query/sql/validateSyntax', payload: payload as Record<string, unknown> });
    // A table that does not exist is fine: only the syntax is checked.
    for (const sql of ['SELECT count(*) FROM nowhere', 'SET timeoutMs = 10; SELECT a, b FROM t WHERE c IN (1, 2) ORDER BY a LIMIT 5', 'EXPLAIN PLAN FOR SELECT * FROM events']) {
      const r = await check({ sql });
      expect(r.statusCode, sql).toBe(200);
      expect(r.json(), sql).toEqual({ valid: true, sqlType: 'DQL' });
    }
    for (const sql of ['SELEC kind FROM t', 'SELECT FROM', '', 'SELECT a FROM t WHERE']) {
      const r = await check({ sql });
      expect(r.statusCode, sql).toBe(200);
      const body = r.json();
      expect(Object.keys(body), sql).toEqual(['valid', 'errorMessage']);
      expect(body.valid, sql).toBe(false);
      expect(typeof body.errorMessage).toBe('string');
    }
    expect((await check({ sql: 'SELEC kind FROM t' })).json().errorMessage).toContain("found 'SELEC'");
    expect((await check({ sql: 'SELEC kind FROM t' })).headers['content-type']).toMatch(/application\/json/);
    const missing = await check({ query: 'SELECT 1' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error).toContain("Payload is missing the query string field 'sql'");
  });

  it('counts consuming segments processed and matched, and segments pruned by value (min/max) and by a filled LIMIT', async () => {
    // Three segments: sealed ts 0..9 and 10..19, consuming ts 20..29 (offsets from 1700000000000).
    const counters = (b: Record<string, number>) => ({
      queried: b.numSegmentsQueried,
      processed: b.numSegmentsProcessed,
      matched: b.numSegmentsMatched,
      consumingQueried: b.numConsumingSegmentsQueried,
      consumingProcessed: b.numConsumingSegmentsProcessed,
      consumingMatched: b.numConsumingSegmentsMatched,
      byValue: b.numSegmentsPrunedByValue,
      byLimit: b.numSegmentsPrunedByLimit,
      byServer: b.numSegmentsPrunedByServer,
    });
    // The footers' min/max of ts rule out both sealed segments.
    const recent = (await post('SELECT count(*) FROM events WHERE ts >= 1700000000025')).json();
    expect(recent.resultTable.rows).toEqual([[5]]);
    expect(counters(recent)).toEqual({ queried: 3, processed: 1, matched: 1, consumingQueried: 1, consumingProcessed: 1, consumingMatched: 1, byValue: 2, byLimit: 0, byServer: 2 });
    // Only the first sealed segment can match; the consuming one is processed (its range is open) but matches nothing.
    const old = (await post('SELECT count(*) FROM events WHERE ts < 1700000000005')).json();
    expect(old.resultTable.rows).toEqual([[5]]);
    expect(old.numSegmentsPrunedByValue).toBeGreaterThanOrEqual(1);
    expect(old.numSegmentsMatched).toBe(1);
    expect(old.numConsumingSegmentsMatched).toBe(0);
    expect(old.numSegmentsPrunedByValue + old.numSegmentsProcessed).toBe(3);
    // A selection-only LIMIT filled by the first segment read: the other two are pruned by limit.
    const limited = (await post('SELECT user FROM events LIMIT 5')).json();
    expect(limited.numRowsResultSet).toBe(5);
    expect(counters(limited)).toMatchObject({ queried: 3, processed: 1, matched: 1, byValue: 0, byLimit: 2, byServer: 2 });
    // Aggregations read every segment: nothing pruned.
    const all = (await post('SELECT count(*) FROM events')).json();
    expect(counters(all)).toEqual({ queried: 3, processed: 3, matched: 3, consumingQueried: 1, consumingProcessed: 1, consumingMatched: 1, byValue: 0, byLimit: 0, byServer: 0 });
  });
});
