import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer } from '../../src/cli/serve.js';
import type { RunningServer } from '../../src/cli/serve.js';
import { silentLogger } from '../../src/logger.js';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { openSegment } from '../../src/segment/index.js';
import { withEmulator } from '../helpers/emulator.js';
import { emulatorTableConfig, FIRST_TS, idKindTsRows, idKindTsSchema } from '../helpers/emulator-table.js';
import { waitFor } from '../helpers/table-rows.js';

/*
 * Issue 19: indexes added to a live table's config reach the segments sealed before, through the
 * real server on kinesalite — `PUT /tables/{name}` with new `tableIndexConfig` lists, then
 * `POST /segments/{name}/reload` rebuilds each sealed file with them; the files on disk hold the
 * indexes, queries answer the same and read fewer entries.
 */

async function call(server: RunningServer, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(server.url + path, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, json: await response.json() };
}

async function query(server: RunningServer, sql: string): Promise<any> {
  const { json } = await call(server, 'POST', '/query/sql', { sql });
  expect(json.exceptions, sql).toEqual([]);
  return json;
}

const QUERIES = [
  `SELECT COUNT(*) FROM events WHERE ts BETWEEN ${FIRST_TS + 10} AND ${FIRST_TS + 14}`,
  'SELECT id, kind FROM events WHERE id IN (14, 66) ORDER BY id',
  'SELECT COUNT(*) FROM events WHERE id IN (15, 55, 95)', // odd ids: one inside each segment's min/max, in none
  `SELECT kind, COUNT(*) FROM events WHERE JSON_MATCH(payload, '"$.n" >= 50') GROUP BY kind ORDER BY kind`,
];

describe('adding indexes to a live table and reloading (kinesalite)', () => {
  const env = withEmulator('kinesalite');
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('PUT the config with range, bloom and JSON indexes, reload: sealed files get them, answers stay, fewer entries are scanned', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'shardtable-reload-indexes-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const server = await startServer({ dataDir, port: 0, host: '127.0.0.1', logger: silentLogger() });
    cleanups.push(() => server.close());
    const stream = await env.newStream(1);
    expect((await call(server, 'POST', '/schemas', idKindTsSchema('events', { dimensions: [{ name: 'payload', dataType: 'JSON' }] }))).status).toBe(200);
    const table = emulatorTableConfig({ endpoint: env.endpoint, stream, timeColumn: 'ts', streamConfigs: { 'realtime.segment.flush.threshold.rows': '20', 'stream.kinesis.fetch.timeout.millis': '1000' } });
    expect((await call(server, 'POST', '/tables', table)).status).toBe(200);
    await putJsonRecords(env.client, stream, idKindTsRows(0, 60, ['view', 'click'], (id) => ({ payload: JSON.stringify({ n: id }) })).map((r) => ({ ...r, id: 2 * (r.id as number) })), (row) => String(row.id));
    const sealedNames = async (): Promise<string[]> => ((await readdir(join(dataDir, 'events'))).filter((f) => f.endsWith('.seg')).sort());
    await waitFor('three sealed segments', async () => (await sealedNames()).length === 3 && (await query(server, 'SELECT COUNT(*) FROM events')).resultTable.rows[0][0] === 60);
    const before = await Promise.all(QUERIES.map((sql) => query(server, sql)));

    const indexed = { ...table, tableIndexConfig: { ...(table.tableIndexConfig as object), rangeIndexColumns: ['ts'], bloomFilterConfigs: { id: { fpp: 0.001 } }, jsonIndexColumns: ['payload'] } };
    expect((await call(server, 'PUT', '/tables/events', indexed)).status).toBe(200);
    const reload = await call(server, 'POST', '/segments/events_REALTIME/reload');
    expect(reload.status).toBe(200);
    const files = await sealedNames();
    expect(reload.json.failed).toEqual([]);
    expect([...reload.json.reindexed].sort()).toEqual(files.map((f) => f.slice(0, -4)));

    for (const file of files) {
      const segment = await openSegment(join(dataDir, 'events', file));
      expect(segment.footer.indexing).toMatchObject({ rangeIndexColumns: ['ts'], bloomFilterColumns: ['id'], jsonIndexColumns: ['payload'] });
      expect(segment.column('ts').rangeIndex!.values.length).toBe(20);
      expect(segment.column('id').bloomFilter).not.toBeNull();
      expect(segment.column('payload').jsonIndex).not.toBeNull();
      segment.close();
    }

    const after = await Promise.all(QUERIES.map((sql) => query(server, sql)));
    after.forEach((a, i) => expect(a.resultTable.rows, QUERIES[i]).toEqual(before[i].resultTable.rows));
    expect(after[0].numEntriesScannedInFilter).toBe(0); // every row is in a sealed, range-indexed segment
    expect(before[0].numEntriesScannedInFilter).toBeGreaterThan(0);
    expect(before[2].numSegmentsPrunedByValue).toBe(0);
    expect(after[2].numSegmentsPrunedByValue).toBe(3); // the bloom filters rule every segment out
    const plan = await query(server, `EXPLAIN PLAN FOR SELECT id FROM events WHERE ts > ${FIRST_TS + 3}`);
    expect(JSON.stringify(plan.resultTable.rows)).toContain('FILTER_RANGE_INDEX');

    // Nothing left to rebuild: a second reload re-reads the files.
    const again = await call(server, 'POST', '/segments/events/reload');
    expect(again.json.reindexed).toEqual([]);
    expect(again.json.reloaded).toHaveLength(files.length);
  }, 120_000);
});
