import { MergeShardsCommand, SplitShardCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { buildTableSchema, validateSchema } from '../../src/config/index.js';
import { waitForStreamStatus } from '../../src/emulator/index.js';
import type { TableIngestion } from '../../src/ingest/index.js';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { QueryEngine, snapshotRuntime, writeBrokerResponse } from '../../src/query/index.js';
import { withEmulator } from '../helpers/emulator.js';
import { emulatorTableConfig } from '../helpers/emulator-table.js';
import { waitFor } from '../helpers/table-rows.js';
import { withTableRuntimes } from '../helpers/table-runtimes.js';

const schema = buildTableSchema(
  validateSchema({
    schemaName: 'kv',
    dimensionFieldSpecs: [
      { name: 'k', dataType: 'STRING' },
      { name: 'del', dataType: 'BOOLEAN' },
      { name: 'tags', dataType: 'STRING', singleValueField: false },
      { name: 'note', dataType: 'STRING' },
    ],
    metricFieldSpecs: [{ name: 'v', dataType: 'LONG' }, { name: 'cnt', dataType: 'LONG' }],
    dateTimeFieldSpecs: [{ name: 'ts', dataType: 'LONG', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }],
    primaryKeyColumns: ['k'],
  }),
);

interface Event {
  k: string;
  v: number;
  ts: number;
  del: boolean;
  cnt: number;
  tags: string[];
  note: string;
}

/** Inserts, updates, deletes, out-of-order records and exact duplicates over `keys` keys. */
function events(n: number, keys: number): Event[] {
  const out: Event[] = [];
  const clock = new Map<string, number>();
  let seed = 42;
  const next = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let v = 0; v < n; v++) {
    const prev = out[out.length - 1];
    if (prev !== undefined && next() < 0.03) {
      out.push({ ...prev, v }); // a duplicate (same key and comparison value; ties go to the later)
      continue;
    }
    const k = `key${Math.floor(next() * keys)}`;
    const last = clock.get(k) ?? 1000;
    const ts = next() < 0.12 ? last - 1 - Math.floor(next() * 9) : last + Math.floor(next() * 4);
    clock.set(k, Math.max(last, ts));
    out.push({ k, v, ts, del: next() < 0.07, cnt: 1 + (v % 5), tags: [`t${v % 6}`], note: `n${v % 11}` });
  }
  return out;
}

function fullReference(evs: readonly Event[]): Map<string, Event> {
  const out = new Map<string, Event>();
  for (const e of evs) {
    const old = out.get(e.k);
    if (old === undefined || e.ts >= old.ts) out.set(e.k, e);
  }
  return new Map([...out].filter(([, e]) => !e.del));
}

function partialReference(evs: readonly Event[]): Map<string, Event> {
  const out = new Map<string, Event>();
  for (const e of evs) {
    const old = out.get(e.k);
    if (old !== undefined && e.ts < old.ts) continue;
    if (old === undefined || old.del) out.set(e.k, { ...e });
    else out.set(e.k, { ...e, cnt: old.cnt + e.cnt, tags: [...new Set([...old.tags, ...e.tags])], note: old.note });
  }
  return new Map([...out].filter(([, e]) => !e.del));
}

async function query(runtime: TableIngestion, sql: string, options?: string): Promise<unknown[][]> {
  const engine = new QueryEngine({ resolve: () => ({ name: 'kv', schema, snapshot: () => snapshotRuntime(runtime) }) });
  const json = JSON.parse(writeBrokerResponse(await engine.query(sql, options))) as { resultTable?: { rows: unknown[][] }; exceptions: unknown[] };
  expect(json.exceptions).toEqual([]);
  return json.resultTable!.rows;
}

async function expectReference(runtime: TableIngestion, ref: Map<string, Event>, columns: 'full' | 'partial'): Promise<void> {
  const sum = [...ref.values()].reduce((s, e) => s + e.v, 0);
  expect(await query(runtime, 'SELECT COUNT(*), COUNT(DISTINCT k), SUM(v) FROM kv')).toEqual([[ref.size, ref.size, sum]]);
  const sql = columns === 'full' ? 'SELECT k, v, ts FROM kv ORDER BY k LIMIT 100000' : 'SELECT k, v, ts, cnt, tags, note FROM kv ORDER BY k LIMIT 100000';
  const want = [...ref.values()]
    .sort((a, b) => (a.k < b.k ? -1 : 1))
    .map((e) => (columns === 'full' ? [e.k, e.v, e.ts] : [e.k, e.v, e.ts, e.cnt, e.tags, e.note]));
  expect(await query(runtime, sql)).toEqual(want);
}

describe('upsert tables on kinesalite', () => {
  const env = withEmulator('kinesalite');
  const tables = withTableRuntimes('shardtable-upsert-');

  const config = (stream: string, upsertConfig: Record<string, unknown>): Record<string, unknown> =>
    emulatorTableConfig({
      endpoint: env.endpoint,
      stream,
      tableName: 'kv',
      timeColumn: 'ts',
      indexing: { sortedColumn: ['note'], nullHandlingEnabled: true },
      streamConfigs: { 'realtime.segment.flush.threshold.rows': '300', 'stream.kinesis.shard.discovery.interval.ms': '500' },
      extra: { upsertConfig },
    });

  it('FULL and PARTIAL: one live row per key equal to a reference model, across a restart, a split and a merge', async () => {
    const stream = await env.newStream(4);
    const evs = events(4000, 2500);
    const put = (from: number, to: number) => putJsonRecords(env.client, stream, evs.slice(from, to), (e) => e.k);
    const full = { mode: 'FULL', comparisonColumns: ['ts'], deleteRecordColumn: 'del' };
    const partial = { mode: 'PARTIAL', comparisonColumns: ['ts'], deleteRecordColumn: 'del', partialUpsertStrategies: { cnt: 'INCREMENT', tags: 'UNION', note: 'IGNORE' } };
    const tableDirs = [await tables.tempDir(), await tables.tempDir()];
    const start = (i: number) => tables.start({ schema, config: config(stream, i === 0 ? full : partial), tableDir: tableDirs[i] });
    const indexed = async (runtime: TableIngestion, n: number) => waitFor(`${n} rows indexed`, async () => (await query(runtime, 'SELECT COUNT(*) FROM kv', 'skipUpsert=true'))[0]![0] === n, 60_000, 200);

    await put(0, 2200);
    let runtimes = [await start(0), await start(1)];
    await Promise.all(runtimes.map((r) => indexed(r, 2200)));
    await expectReference(runtimes[0]!, fullReference(evs.slice(0, 2200)), 'full');
    await expectReference(runtimes[1]!, partialReference(evs.slice(0, 2200)), 'partial');
    expect(runtimes[0]!.segments().length).toBeGreaterThan(3);

    // Restart: consuming rows are read again from the stream; the key map is rebuilt from the files.
    // Then a split and a merge move keys to child shards while records flow.
    await Promise.all(runtimes.map((r) => r.stop()));
    await put(2200, 2800);
    runtimes = [await start(0), await start(1)];
    await env.client.send(new SplitShardCommand({ StreamName: stream, ShardToSplit: 'shardId-000000000000', NewStartingHashKey: (2n ** 125n).toString() }));
    await waitForStreamStatus(env.client, stream, 'ACTIVE');
    await put(2800, 3400);
    await env.client.send(new MergeShardsCommand({ StreamName: stream, ShardToMerge: 'shardId-000000000001', AdjacentShardToMerge: 'shardId-000000000002' }));
    await waitForStreamStatus(env.client, stream, 'ACTIVE');
    await put(3400, 4000);
    await Promise.all(runtimes.map((r) => indexed(r, 4000)));
    await expectReference(runtimes[0]!, fullReference(evs), 'full');
    await expectReference(runtimes[1]!, partialReference(evs), 'partial');
    expect(runtimes[0]!.partitions().length).toBe(7); // 4 shards, 2 split children, 1 merged child
    const status = runtimes[0]!.status();
    // Keys moved to child shards by the split and merge are not a cross-shard warning.
    expect(status.upsert).toMatchObject({ mode: 'FULL', keys: new Set(evs.map((e) => e.k)).size, liveRows: fullReference(evs).size, keysSeenInUnrelatedShards: 0 });
    const first = runtimes[0]!.segments()[0]!;
    expect(runtimes[0]!.segmentMetadata(first.segmentName)).toMatchObject({ upsertLiveRows: { valid: expect.any(Number), queryable: expect.any(Number) } });
  }, 180_000);

  it('a query loop during heavy updates never sees a key twice or misses one', async () => {
    const stream = await env.newStream(4);
    const keys = 1500;
    const round = (r: number): Event[] => Array.from({ length: keys }, (_, i) => ({ k: `key${i}`, v: r * keys + i, ts: 1000 + r, del: false, cnt: 1, tags: ['a'], note: `n${(i * 7 + r) % 11}` }));
    await putJsonRecords(env.client, stream, round(0), (e) => e.k);
    const runtime = await tables.start({ schema, config: { ...config(stream, { mode: 'FULL' }), tableIndexConfig: { sortedColumn: ['note'], streamConfigs: { ...(config(stream, {}) as any).tableIndexConfig.streamConfigs, 'realtime.segment.flush.threshold.rows': '97' } } } });
    await waitFor('first round', async () => (await query(runtime, 'SELECT COUNT(*) FROM kv', 'skipUpsert=true'))[0]![0] === keys, 60_000, 100);
    const producing = (async () => {
      for (let r = 1; r <= 5; r++) await putJsonRecords(env.client, stream, round(r), (e) => e.k);
    })();
    let queries = 0;
    let done = false;
    void producing.then(() => (done = true));
    while (!done || (await query(runtime, 'SELECT COUNT(*) FROM kv', 'skipUpsert=true'))[0]![0] !== keys * 6) {
      expect(await query(runtime, 'SELECT COUNT(*), COUNT(DISTINCT k) FROM kv')).toEqual([[keys, keys]]);
      queries++;
      // Each query runs in microtasks only; let the producer's and the consumers' I/O in.
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await producing;
    expect(queries).toBeGreaterThan(5);
    expect(await query(runtime, 'SELECT MIN(ts), MAX(ts), COUNT(*) FROM kv')).toEqual([[1005, 1005, keys]]);
    expect(runtime.segments().length).toBeGreaterThan(10);
    await runtime.stop();
  }, 180_000);

  it('DELETE of a sealed segment: keys whose live row was in it leave the key map, their older rows stay not live', async () => {
    const stream = await env.newStream(1);
    const row = (i: number, k: number, ts: number) => ({ k: `key${k}`, v: i, ts, del: false, cnt: 1, tags: ['t'], note: `n${i % 7}` });
    // 300 rows (one segment): 100 keys, three records each. Then 300 rows of keys 0..49 only.
    await putJsonRecords(env.client, stream, Array.from({ length: 300 }, (_, i) => row(i, i % 100, 1000 + i)), () => 'p');
    await putJsonRecords(env.client, stream, Array.from({ length: 300 }, (_, i) => row(300 + i, i % 50, 2000 + i)), () => 'p');
    const runtime = await tables.start({ schema, config: config(stream, { mode: 'FULL', comparisonColumns: ['ts'] }), tableDir: await tables.tempDir() });
    await waitFor('two sealed segments', () => runtime.segments().length === 2, 60_000, 200);
    expect(await query(runtime, 'SELECT COUNT(*) FROM kv')).toEqual([[100]]);
    const newest = runtime.segments().find((s) => s.segmentName.includes('__1__'))!.segmentName;
    expect(await runtime.deleteSegment(newest)).toBe('deleted');
    // Keys 0..49 lived in the deleted segment: gone, not back to their rows in the first one (Pinot).
    expect(await query(runtime, 'SELECT COUNT(*), MIN(k), MAX(v) FROM kv')).toEqual([[50, 'key50', 299]]);
    expect(runtime.status().upsert).toMatchObject({ keys: 50, liveRows: 50, keysRemovedWithSegments: 50 });
    // A later record of such a key starts it afresh, whatever its comparison value.
    await putJsonRecords(env.client, stream, [row(600, 0, 1)], () => 'p');
    await waitFor('key0 back', async () => (await query(runtime, 'SELECT COUNT(*) FROM kv'))[0]![0] === 51, 60_000, 200);
    expect(await query(runtime, "SELECT v, ts FROM kv WHERE k = 'key0'")).toEqual([[600, 1]]);
    await runtime.stop();
  }, 120_000);

  it('dedup: the first record of each key wins, across a restart', async () => {
    const stream = await env.newStream(3);
    const evs = events(2400, 900);
    const first = new Map<string, Event>();
    for (const e of evs) if (!first.has(e.k)) first.set(e.k, e);
    const dedupConfig = (dir: string) =>
      tables.start({ schema, tableDir: dir, config: { ...config(stream, { mode: 'NONE' }), dedupConfig: { dedupEnabled: true, dedupTimeColumn: 'ts' } } });
    const dir = await tables.tempDir();
    const stored = async (runtime: TableIngestion, n: number) => waitFor(`${n} rows`, async () => (await query(runtime, 'SELECT COUNT(*) FROM kv'))[0]![0] === n, 60_000, 200);
    await putJsonRecords(env.client, stream, evs.slice(0, 1200), (e) => e.k);
    let runtime = await dedupConfig(dir);
    const firstHalf = new Set(evs.slice(0, 1200).map((e) => e.k)).size;
    await stored(runtime, firstHalf);
    await waitFor('duplicates counted', () => runtime.status().dedup!.duplicatesDropped === 1200 - firstHalf);
    await runtime.stop();
    await putJsonRecords(env.client, stream, evs.slice(1200), (e) => e.k);
    runtime = await dedupConfig(dir);
    await stored(runtime, first.size);
    const want = [...first.values()].sort((a, b) => (a.k < b.k ? -1 : 1)).map((e) => [e.k, e.v]);
    expect(await query(runtime, 'SELECT k, v FROM kv ORDER BY k LIMIT 100000')).toEqual(want);
    expect(await query(runtime, 'SELECT COUNT(*), COUNT(DISTINCT k) FROM kv', 'skipUpsert=true')).toEqual([[first.size, first.size]]);
    await runtime.stop();
  }, 180_000);
});
