import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/cli/serve.js';
import type { RunningServer } from '../../src/cli/serve.js';
import { createStream, kinesisClientFor, startEmulator } from '../../src/emulator/index.js';
import type { Emulator } from '../../src/emulator/index.js';
import { silentLogger } from '../../src/logger.js';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { emulatorStreamConfigs } from '../helpers/emulator-table.js';

/**
 * A fact table whose transform calls lookUp() on a dimension table survives a restart, even
 * when its name sorts before the dimension table's: at start, dimension tables are admitted and
 * started first, so the transform binds and the first records after the restart find the rows.
 * The dimension table's rows are all sealed here (flush every 2 rows): rows of a consuming
 * segment are re-read from the stream after a restart, and a record transformed before that
 * could miss them (docs/query.md says so).
 */
let emulator: Emulator;
let dataDir: string;
let server: RunningServer | null = null;

const streamConfigs = (stream: string, flushRows: number): Record<string, string> =>
  emulatorStreamConfigs(emulator.endpoint, stream, {
    'stream.kinesis.decoder.class.name': 'org.apache.pinot.plugin.inputformat.json.JSONMessageDecoder',
    'stream.kinesis.fetch.timeout.millis': '500',
    'realtime.segment.flush.threshold.rows': String(flushRows),
  });

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const r = await fetch(`${server!.url}${path}`, { method, ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
  const text = await r.text();
  return { status: r.status, json: text === '' ? null : JSON.parse(text) };
}

async function rows(sql: string): Promise<unknown[][]> {
  const r = await call('POST', '/query/sql', { sql });
  expect(r.json.exceptions).toEqual([]);
  return r.json.resultTable.rows as unknown[][];
}

async function waitForCount(table: string, n: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const r = await call('POST', '/query/sql', { sql: `SELECT count(*) FROM ${table}` });
    if (r.json.exceptions?.length === 0 && r.json.resultTable.rows[0][0] === n) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${table}: never reached ${n} rows`);
}

beforeAll(async () => {
  emulator = await startEmulator('kinesalite');
  dataDir = await mkdtemp(join(tmpdir(), 'shardtable-dim-restart-'));
});

afterAll(async () => {
  await server?.close();
  await emulator?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('dimension tables across a restart', () => {
  it('the fact table (afact) binds its lookUp() transform to the dimension table (zdim) after a restart', async () => {
    const client = kinesisClientFor(emulator.endpoint, { maxAttempts: 5 });
    try {
      await createStream(emulator.endpoint, 'zdim-s', 1);
      await createStream(emulator.endpoint, 'afact-s', 1);
      server = await startServer({ dataDir, port: 0, host: '127.0.0.1', logger: silentLogger() });
      expect((await call('POST', '/schemas', { schemaName: 'zdim', dimensionFieldSpecs: [{ name: 'k', dataType: 'STRING' }, { name: 'label', dataType: 'STRING' }], primaryKeyColumns: ['k'] })).status).toBe(200);
      expect((await call('POST', '/tables', { tableName: 'zdim', tableType: 'REALTIME', isDimTable: true, segmentsConfig: {}, tableIndexConfig: { streamConfigs: streamConfigs('zdim-s', 2) } })).status).toBe(200);
      await putJsonRecords(client, 'zdim-s', [{ k: 'a', label: 'Alpha' }, { k: 'b', label: 'Beta' }, { k: 'c', label: 'Gamma' }, { k: 'd', label: 'Delta' }], (r) => r.k);
      await waitForCount('zdim', 4);
      expect((await call('POST', '/schemas', { schemaName: 'afact', dimensionFieldSpecs: [{ name: 'id', dataType: 'INT' }, { name: 'k', dataType: 'STRING' }, { name: 'label', dataType: 'STRING' }] })).status).toBe(200);
      const fact = { tableName: 'afact', tableType: 'REALTIME', segmentsConfig: {}, tableIndexConfig: { streamConfigs: streamConfigs('afact-s', 3) }, ingestionConfig: { transformConfigs: [{ columnName: 'label', transformFunction: "lookUp('zdim', 'label', 'k', k)" }] } };
      expect((await call('POST', '/tables', fact)).status).toBe(200);
      await putJsonRecords(client, 'afact-s', [{ id: 1, k: 'a' }, { id: 2, k: 'c' }, { id: 3, k: 'x' }], (r) => String(r.id));
      await waitForCount('afact', 3);

      await server.close();
      server = await startServer({ dataDir, port: 0, host: '127.0.0.1', logger: silentLogger() });
      const tables = await call('GET', '/tables');
      expect(tables.json.tables).toEqual(['afact', 'zdim']);
      await putJsonRecords(client, 'afact-s', [{ id: 4, k: 'd' }, { id: 5, k: 'b' }], (r) => String(r.id));
      await waitForCount('afact', 5);
      expect(await rows('SELECT id, label FROM afact ORDER BY id')).toEqual([[1, 'Alpha'], [2, 'Gamma'], [3, 'null'], [4, 'Delta'], [5, 'Beta']]);
      expect(await rows('SET useMultistageEngine=true; SELECT f.id, d.label FROM afact f JOIN zdim d ON f.k = d.k ORDER BY f.id')).toEqual([[1, 'Alpha'], [2, 'Gamma'], [4, 'Delta'], [5, 'Beta']]);
    } finally {
      client.destroy();
    }
  }, 120_000);
});
