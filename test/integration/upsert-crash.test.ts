import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStream, kinesisClientFor, startEmulator } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { ServerProcess } from '../helpers/server-process.js';

const STREAM = 'upsert-crash';
const TOTAL = 3000;
const KEYS = 1200;

const schema = {
  schemaName: 'kv',
  dimensionFieldSpecs: [
    { name: 'k', dataType: 'STRING' },
    { name: 'del', dataType: 'BOOLEAN' },
    { name: 'note', dataType: 'STRING' },
  ],
  metricFieldSpecs: [{ name: 'v', dataType: 'LONG' }],
  dateTimeFieldSpecs: [{ name: 'ts', dataType: 'LONG', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }],
  primaryKeyColumns: ['k'],
};

function tableConfig(endpoint: string): Record<string, unknown> {
  return {
    tableName: 'kv',
    tableType: 'REALTIME',
    segmentsConfig: { timeColumnName: 'ts' },
    tableIndexConfig: {
      sortedColumn: ['note'],
      streamConfigs: {
        streamType: 'kinesis',
        'stream.kinesis.topic.name': STREAM,
        region: 'us-east-1',
        endpoint,
        accessKey: 'test',
        secretKey: 'test-secret',
        shardIteratorType: 'TRIM_HORIZON',
        'stream.kinesis.decoder.class.name': 'org.apache.pinot.plugin.inputformat.json.JSONMessageDecoder',
        'stream.kinesis.fetch.timeout.millis': '1000',
        'stream.kinesis.shard.discovery.interval.ms': '1000',
        maxRecordsToFetch: '97',
        'realtime.segment.flush.threshold.rows': '151',
        'realtime.segment.flush.threshold.time': '1500ms',
      },
    },
    upsertConfig: { mode: 'FULL', deleteRecordColumn: 'del' },
  };
}

interface Event {
  k: string;
  v: number;
  ts: number;
  del: boolean;
  note: string;
}

/** Updates, ties, out-of-order records, deletes and duplicates; `v` identifies the record. */
function events(): Event[] {
  const out: Event[] = [];
  const clock = new Map<string, number>();
  let seed = 7;
  const next = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let v = 0; v < TOTAL; v++) {
    const prev = out[out.length - 1];
    if (prev !== undefined && next() < 0.03) {
      out.push({ ...prev, v });
      continue;
    }
    const k = `key${Math.floor(next() * KEYS)}`;
    const last = clock.get(k) ?? 1000;
    const ts = next() < 0.12 ? last - 1 - Math.floor(next() * 9) : last + Math.floor(next() * 3);
    clock.set(k, Math.max(last, ts));
    out.push({ k, v, ts, del: next() < 0.07, note: `n${Math.floor(next() * 13)}` });
  }
  return out;
}

/** A run without crashes: each key's latest record by ts (ties to the later), deleted keys out. */
function reference(evs: readonly Event[]): Event[] {
  const out = new Map<string, Event>();
  for (const e of evs) {
    const old = out.get(e.k);
    if (old === undefined || e.ts >= old.ts) out.set(e.k, e);
  }
  return [...out.values()].filter((e) => !e.del).sort((a, b) => (a.k < b.k ? -1 : 1));
}

/**
 * Exactly-once for upsert tables: `serve` is SIGKILLed at random moments and inside seals (before
 * and after the rename) while updates stream into 3 shards; afterwards every key's live row,
 * COUNT(*), COUNT(DISTINCT k) and SUM(v) equal a run without crashes.
 */
describe('upsert answers across SIGKILL', () => {
  let emulator: RunningEmulator;
  let dataDir: string;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    emulator = await startEmulator('kinesalite');
    await createStream(emulator.endpoint, STREAM, 3);
    dataDir = await mkdtemp(join(tmpdir(), 'shardtable-upsert-crash-'));
  });

  afterAll(async () => {
    server?.kill('SIGKILL');
    await server?.exited;
    await emulator?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('every key has the live row of a run without crashes after repeated kills', async () => {
    const client = kinesisClientFor(emulator.endpoint);
    const evs = events();
    let produced = 0;
    const produceSome = async (count: number): Promise<void> => {
      const rows = evs.slice(produced, produced + count);
      if (rows.length === 0) return;
      await putJsonRecords(client, STREAM, rows, (e) => e.k);
      produced += rows.length;
    };
    const query = async (sql: string, queryOptions?: string): Promise<unknown[][]> => {
      const response = await server!.request('POST', '/query/sql', { sql, ...(queryOptions ? { queryOptions } : {}) });
      const json = response.json as { resultTable?: { rows: unknown[][] }; exceptions?: unknown[] };
      expect(json.exceptions ?? [], JSON.stringify(json)).toEqual([]);
      return json.resultTable?.rows ?? [];
    };

    server = await ServerProcess.start({ dataDir });
    expect((await server.request('POST', '/schemas', schema)).status).toBe(200);
    const created = await server.request('POST', '/tables', tableConfig(emulator.endpoint));
    expect(created.status, JSON.stringify(created.json)).toBe(200);

    const crashes: (string | null)[] = [null, 'seal:before-rename:2', 'seal:after-publish:2', null, 'seal:before-rename:1', null];
    for (const fault of crashes) {
      if (fault !== null) {
        server.kill('SIGTERM');
        await server.exited;
        server = await ServerProcess.start({ dataDir, env: { SHARDTABLE_FAULT_POINT: fault } });
        await produceSome(400);
        const exit = await Promise.race([server.exited, sleep(30_000).then(() => null)]);
        expect(exit, `fault point ${fault} was never reached; log:\n${server.log()}`).toEqual({ code: null, signal: 'SIGKILL' });
      } else {
        await produceSome(350);
        await sleep(600 + Math.floor(Math.random() * 900));
        server.kill('SIGKILL');
        await server.exited;
      }
      server = await ServerProcess.start({ dataDir });
    }
    await produceSome(TOTAL);
    expect(produced).toBe(TOTAL);

    // FULL mode without dropOutOfOrderRecord stores every record once: wait for all of them.
    const deadline = Date.now() + 60_000;
    let stored = -1;
    while (Date.now() < deadline) {
      stored = Number((await query('SELECT COUNT(*) FROM kv', 'skipUpsert=true'))[0]?.[0] ?? -1);
      if (stored >= TOTAL) break;
      await sleep(250);
    }
    expect(stored, server.log()).toBe(TOTAL);

    const want = reference(evs);
    const sum = want.reduce((s, e) => s + e.v, 0);
    expect(await query('SELECT COUNT(*), COUNT(DISTINCT k), SUM(v) FROM kv')).toEqual([[want.length, want.length, sum]]);
    expect(await query('SELECT k, v, ts FROM kv ORDER BY k LIMIT 100000')).toEqual(want.map((e) => [e.k, e.v, e.ts]));

    // And once more after a clean restart, from the sealed files alone plus the stream.
    server.kill('SIGKILL');
    await server.exited;
    server = await ServerProcess.start({ dataDir });
    const again = Date.now() + 60_000;
    while (Date.now() < again && Number((await query('SELECT COUNT(*) FROM kv', 'skipUpsert=true'))[0]?.[0] ?? -1) < TOTAL) await sleep(250);
    expect(await query('SELECT k, v, ts FROM kv ORDER BY k LIMIT 100000')).toEqual(want.map((e) => [e.k, e.v, e.ts]));
    server.kill('SIGTERM');
    expect((await server.exited).code, server.log()).toBe(0);
    client.destroy();
  }, 300_000);
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
