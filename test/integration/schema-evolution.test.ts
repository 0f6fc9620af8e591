import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer } from '../../src/cli/serve.js';
import { EMULATOR_KINDS } from '../../src/emulator/index.js';
import type { RunningServer } from '../../src/cli/serve.js';
import { silentLogger } from '../../src/logger.js';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { withEmulator } from '../helpers/emulator.js';
import { emulatorTableConfig, idKindTsRows, idKindTsSchema } from '../helpers/emulator-table.js';
import { waitFor } from '../helpers/table-rows.js';

/*
 * Schema evolution through the real server on the Kinesis emulator (issue 15, item 1): a live
 * table with sealed and consuming segments gets two new columns by `PUT /schemas/{name}`; old rows
 * answer the columns' default null values, new rows carry them, a restart keeps it all; changes
 * Pinot calls backward-incompatible are refused with a 400 naming the column.
 */

async function call(server: RunningServer, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(server.url + path, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, json: await response.json() };
}

async function rows(server: RunningServer, sql: string): Promise<unknown[][]> {
  const { json } = await call(server, 'POST', '/query/sql', { sql });
  expect(json.exceptions, sql).toEqual([]);
  return json.resultTable.rows;
}

const count = async (server: RunningServer): Promise<number> => (await rows(server, 'SELECT count(*) FROM events'))[0]![0] as number;

describe.each(EMULATOR_KINDS)('schema evolution on a live table on %s', (kind) => {
  const env = withEmulator(kind);
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('adds two columns to a table with sealed and consuming segments; old rows answer defaults, new rows carry values, across a restart; a type change is refused', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'shardtable-schema-evolution-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    let server = await startServer({ dataDir, port: 0, host: '127.0.0.1', logger: silentLogger() });
    cleanups.push(() => server.close());
    const stream = await env.newStream(2);
    const schema = idKindTsSchema('events');
    expect((await call(server, 'POST', '/schemas', schema)).status).toBe(200);
    const table = emulatorTableConfig({ endpoint: env.endpoint, stream, timeColumn: 'ts', streamConfigs: { 'realtime.segment.flush.threshold.rows': '20', 'stream.kinesis.fetch.timeout.millis': '1000' } });
    expect((await call(server, 'POST', '/tables', table)).status).toBe(200);

    // 50 rows without the new fields: each shard seals 20-row segments and keeps the rest consuming.
    await putJsonRecords(env.client, stream, idKindTsRows(0, 50, ['view', 'click']), (row) => String(row.id));
    await waitFor('50 rows', async () => (await count(server)) === 50);
    const partitions = (await call(server, 'GET', '/tables/events/consumingSegmentsInfo')).json.shardtablePartitions as { rowsInConsumingSegment: number }[];
    const sealedBefore = (await call(server, 'GET', '/tables/events/size')).json.realtimeSegments.segments;
    expect(Object.keys(sealedBefore).length).toBeGreaterThanOrEqual(1);
    expect(partitions.reduce((n, p) => n + p.rowsInConsumingSegment, 0)).toBeGreaterThan(0);

    // Incompatible changes are refused with a 400 naming the column; the table keeps serving.
    const retyped = { ...schema, dimensionFieldSpecs: [{ name: 'id', dataType: 'LONG' }, { name: 'kind', dataType: 'INT' }] };
    const refused = await call(server, 'PUT', '/schemas/events', retyped);
    expect(refused.status).toBe(400);
    expect(refused.json.code).toBe(400);
    expect(refused.json.error).toContain('New schema events is not backward-compatible with the existing schema, which table events uses');
    expect(refused.json.error).toContain('column kind: data type STRING changed to INT');
    const removed = await call(server, 'POST', '/schemas', { ...schema, dimensionFieldSpecs: [{ name: 'id', dataType: 'LONG' }] });
    expect(removed.status).toBe(400);
    expect(removed.json.error).toContain('column kind was removed');
    const multi = await call(server, 'PUT', '/schemas/events', { ...schema, dimensionFieldSpecs: [{ name: 'id', dataType: 'LONG' }, { name: 'kind', dataType: 'STRING', singleValueField: false }] });
    expect(multi.status).toBe(400);
    expect(multi.json.error).toContain('column kind: single-value changed to multi-value');
    expect((await call(server, 'GET', '/schemas/events')).json.dimensionFieldSpecs.map((f: { name: string }) => f.name)).toEqual(['id', 'kind']);
    expect(await count(server)).toBe(50);

    // Add a dimension and a metric.
    const evolved = {
      ...schema,
      dimensionFieldSpecs: [...schema.dimensionFieldSpecs!, { name: 'region', dataType: 'STRING' }],
      metricFieldSpecs: [{ name: 'score', dataType: 'LONG' }],
    };
    const put = await call(server, 'PUT', '/schemas/events', evolved);
    expect(put.status, JSON.stringify(put.json)).toBe(200);
    expect(put.json.status).toBe('events successfully added');
    expect((await call(server, 'GET', '/tables/events/schema')).json.metricFieldSpecs).toEqual([expect.objectContaining({ name: 'score', dataType: 'LONG' })]);
    // The table restarted on the new schema: its consuming rows are read again from the stream.
    await waitFor('the 50 rows again', async () => (await count(server)) === 50);

    // 30 new rows carry the new fields; they land in consuming segments (and seal past 20 rows).
    await putJsonRecords(env.client, stream, idKindTsRows(50, 30, ['view', 'click'], (id) => ({ region: id % 2 === 0 ? 'eu' : 'us', score: id * 10 })), (row) => String(row.id));
    await waitFor('80 rows', async () => (await count(server)) === 80);

    const expected = [
      ['eu', 15, 15 * 640],
      ['null', 50, 0],
      ['us', 15, 15 * 650],
    ];
    const byRegion = 'SELECT region, count(*), sum(score) FROM events GROUP BY region ORDER BY region';
    const check = async (): Promise<void> => {
      expect(await rows(server, byRegion)).toEqual(expected);
      expect(await rows(server, 'SELECT id, region, score FROM events WHERE id IN (0, 49, 50, 51) ORDER BY id')).toEqual([
        [0, 'null', 0],
        [49, 'null', 0],
        [50, 'eu', 500],
        [51, 'us', 510],
      ]);
    };
    await check();
    // Segments sealed before the change hold only the default: a filter on the new column prunes them by value.
    const eu = (await call(server, 'POST', '/query/sql', { sql: "SELECT count(*) FROM events WHERE region = 'eu'" })).json;
    expect(eu.resultTable.rows).toEqual([[15]]);
    expect(eu.numSegmentsPrunedByValue).toBeGreaterThanOrEqual(Object.keys(sealedBefore).length);

    // Seal what is consuming, so new-schema segment files exist too, then restart the server.
    const commit = (await call(server, 'POST', '/tables/events/forceCommit')).json;
    await waitFor('the force commit', async () => (await call(server, 'GET', `/tables/forceCommitStatus/${commit.forceCommitJobId}`)).json.numberOfSegmentsYetToBeCommitted === 0);
    await check();
    await server.close();
    server = await startServer({ dataDir, port: 0, host: '127.0.0.1', logger: silentLogger() });
    await waitFor('80 rows after the restart', async () => (await count(server)) === 80);
    await check();
    expect((await call(server, 'GET', '/schemas/events')).json.metricFieldSpecs).toEqual([expect.objectContaining({ name: 'score' })]);
    // Still refused after the restart, and re-sending the evolved schema unchanged is fine.
    expect((await call(server, 'PUT', '/schemas/events', retyped)).status).toBe(400);
    expect((await call(server, 'POST', '/schemas', evolved)).status).toBe(200);
  }, 120_000);
});
