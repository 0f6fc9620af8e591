import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SplitShardCommand } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStream, kinesisClientFor, startEmulator, waitForStreamStatus } from '../../src/emulator/index.js';
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

function tableConfig(endpoint: string, tableName = 'kv', upsertConfig: Record<string, unknown> = { mode: 'FULL', deleteRecordColumn: 'del' }): Record<string, unknown> {
  return {
    tableName,
    tableType: 'REALTIME',
    segmentsConfig: { timeColumnName: 'ts' },
    tableIndexConfig: {
      sortedColumn: ['note'],
      nullHandlingEnabled: true,
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
    upsertConfig,
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

/** The PARTIAL table's reference: `v` MAX, `note` IGNORE, the rest overwritten; a delete restarts the row. */
function partialReference(evs: readonly Event[]): Event[] {
  const out = new Map<string, Event>();
  for (const e of evs) {
    const old = out.get(e.k);
    if (old !== undefined && e.ts < old.ts) continue;
    out.set(e.k, old === undefined || old.del ? e : { ...e, v: Math.max(old.v, e.v), note: old.note });
  }
  return [...out.values()].filter((e) => !e.del).sort((a, b) => (a.k < b.k ? -1 : 1));
}

/**
 * Exactly-once for upsert tables: `serve` is SIGKILLed at random moments and inside seals (before
 * and after the rename) while updates stream into 3 shards, one of them split midway; afterwards
 * every key's live row, COUNT(*), COUNT(DISTINCT k) and SUM(v) equal a run without crashes, for a
 * FULL table and a PARTIAL one (MAX, IGNORE) reading the same stream.
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

  it('every key has the live row of a run without crashes after repeated kills and a split, FULL and PARTIAL', async () => {
    const client = kinesisClientFor(emulator.endpoint);
    const evs = events();
    let produced = 0;
    const produceSome = async (count: number): Promise<void> => {
      const rows = evs.slice(produced, produced + count);
      if (rows.length === 0) return;
      await putJsonRecords(client, STREAM, rows, (e) => e.k);
      produced += rows.length;
    };
    const query = async (sql: string, queryOptions?: string, table = 'kv'): Promise<unknown[][]> => {
      sql = sql.replace(/FROM kv/, `FROM ${table}`);
      const response = await server!.request('POST', '/query/sql', { sql, ...(queryOptions ? { queryOptions } : {}) });
      const json = response.json as { resultTable?: { rows: unknown[][] }; exceptions?: unknown[] };
      expect(json.exceptions ?? [], JSON.stringify(json)).toEqual([]);
      return json.resultTable?.rows ?? [];
    };

    server = await ServerProcess.start({ dataDir });
    expect((await server.request('POST', '/schemas', schema)).status).toBe(200);
    expect((await server.request('POST', '/schemas', { ...schema, schemaName: 'kvp' })).status).toBe(200);
    const created = await server.request('POST', '/tables', tableConfig(emulator.endpoint));
    expect(created.status, JSON.stringify(created.json)).toBe(200);
    const partial = { mode: 'PARTIAL', deleteRecordColumn: 'del', partialUpsertStrategies: { v: 'MAX', note: 'IGNORE' } };
    const createdPartial = await server.request('POST', '/tables', tableConfig(emulator.endpoint, 'kvp', partial));
    expect(createdPartial.status, JSON.stringify(createdPartial.json)).toBe(200);

    const crashes: (string | null)[] = [null, 'seal:before-rename:2', 'seal:after-publish:2', null, 'seal:before-rename:1', null];
    for (const [i, fault] of crashes.entries()) {
      if (i === 3) {
        // A split in the middle: keys of shard 0 move to its children.
        await client.send(new SplitShardCommand({ StreamName: STREAM, ShardToSplit: 'shardId-000000000000', NewStartingHashKey: (2n ** 126n).toString() }));
        await waitForStreamStatus(client, STREAM, 'ACTIVE');
      }
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
    const deadlineP = Date.now() + 60_000;
    while (Date.now() < deadlineP && Number((await query('SELECT COUNT(*) FROM kv', 'skipUpsert=true', 'kvp'))[0]?.[0] ?? -1) < TOTAL) await sleep(250);
    const wantPartial = partialReference(evs);
    expect(await query('SELECT k, v, ts, note FROM kv ORDER BY k LIMIT 100000', undefined, 'kvp')).toEqual(wantPartial.map((e) => [e.k, e.v, e.ts, e.note]));

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
