import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { buildTableSchema, validateSchema, validateTableConfig } from '../src/config/index.js';
import { createStream, kinesisClientFor, startEmulator } from '../src/emulator/index.js';
import { TableIngestion } from '../src/ingest/index.js';
import { resolveTable } from '../src/table/table-resolution.js';
import { silentLogger } from '../src/logger.js';
import { QueryEngine, snapshotRuntime } from '../src/query/index.js';
import { fmt, machineInfo, quantile } from './harness.js';
import type { BenchResult } from './harness.js';

export interface FreshnessParams {
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly shards: number;
  /** `requests_per_second_limit` per shard, for the table and the baseline reader alike. */
  readonly requestsPerSecondLimit: number;
  /** `minFetchPeriod` in millis (the effective period is the larger of it and 1000 / rps). */
  readonly minFetchPeriodMs: number;
  /** Pause between visibility queries. */
  readonly pollMs: number;
}

export function freshnessParams(quick: boolean): FreshnessParams {
  return { seconds: quick ? 5 : 20, recordsPerSecond: 1000, shards: 4, requestsPerSecondLimit: 10, minFetchPeriodMs: 10, pollMs: 5 };
}

const schema = buildTableSchema(
  validateSchema({
    schemaName: 'fresh',
    dimensionFieldSpecs: [
      { name: 'id', dataType: 'LONG' },
      { name: 'kind', dataType: 'STRING' },
    ],
    metricFieldSpecs: [{ name: 'amount', dataType: 'DOUBLE' }],
    dateTimeFieldSpecs: [{ name: 'ts', dataType: 'TIMESTAMP', format: '1:MILLISECONDS:EPOCH', granularity: '1:MILLISECONDS' }],
  }),
);

const BATCH_INTERVAL_MS = 50;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * Freshness on kinesalite (in this process): a producer puts `recordsPerSecond` records/s in
 * PutRecords batches every 50 ms for `seconds`; each row's latency runs from its PutRecords
 * acknowledgement to the first `SELECT id FROM fresh WHERE id >= <oldest unseen>` (polled every
 * `pollMs`) that returns it. Baseline in the same run, on the same records: a bare reader per shard
 * calling GetRecords at the same pace as the table, latency from acknowledgement to the first
 * GetRecords response holding the record — what the emulator and the polling period cost alone.
 */
export async function benchFreshness(quick: boolean, overrides: Partial<FreshnessParams> = {}): Promise<BenchResult> {
  const params = { ...freshnessParams(quick), ...overrides };
  const periodMs = Math.max(1000 / params.requestsPerSecondLimit, params.minFetchPeriodMs);
  const emulator = await startEmulator('kinesalite');
  const client = kinesisClientFor(emulator.endpoint);
  const tableDir = await mkdtemp(join(tmpdir(), 'shardtable-bench-fresh-'));
  const stream = `bench-fresh-${randomUUID().slice(0, 8)}`;
  let runtime: TableIngestion | undefined;
  const stopReaders = new AbortController();
  try {
    await createStream(emulator.endpoint, stream, params.shards);
    const config = validateTableConfig(
      {
        tableName: 'fresh',
        tableType: 'REALTIME',
        segmentsConfig: { timeColumnName: 'ts' },
        tableIndexConfig: {
          streamConfigs: {
            streamType: 'kinesis',
            'stream.kinesis.topic.name': stream,
            region: 'us-east-1',
            endpoint: emulator.endpoint,
            accessKey: 'test',
            secretKey: 'test',
            shardIteratorType: 'TRIM_HORIZON',
            'stream.kinesis.fetch.timeout.millis': '1000',
            requests_per_second_limit: String(params.requestsPerSecondLimit),
            minFetchPeriod: `${params.minFetchPeriodMs}ms`,
            // A few seals per shard in the full run, so their cost shows in the tail.
            'realtime.segment.flush.threshold.rows': '2500',
          },
        },
      },
      schema,
    );
    runtime = new TableIngestion({ table: resolveTable(schema, config), tableDir, logger: silentLogger() });
    await runtime.start();
    const started = runtime;
    const engine = new QueryEngine({ resolve: (n) => (n.toLowerCase() === 'fresh' ? { name: 'fresh', schema, snapshot: () => snapshotRuntime(started) } : undefined) });

    const total = params.seconds * params.recordsPerSecond;
    const ackAt = new Float64Array(total).fill(Number.NaN);
    const tableSeenAt = new Float64Array(total).fill(Number.NaN);
    const rawSeenAt = new Float64Array(total).fill(Number.NaN);

    const readers = await startBaselineReaders(client, stream, periodMs, rawSeenAt, stopReaders.signal);

    // Producer: a batch every 50 ms on a fixed schedule (no drift), ack time per record.
    const perBatch = Math.round((params.recordsPerSecond * BATCH_INTERVAL_MS) / 1000);
    const producing = (async () => {
      const t0 = performance.now();
      for (let from = 0, k = 0; from < total; from += perBatch, k++) {
        await sleep(t0 + k * BATCH_INTERVAL_MS - performance.now());
        const ids = Array.from({ length: Math.min(perBatch, total - from) }, (_, i) => from + i);
        const entries = ids.map((id) => ({
          Data: Buffer.from(JSON.stringify({ id, kind: ['a', 'b', 'c'][id % 3], amount: id / 10, ts: Date.now() })),
          PartitionKey: randomUUID(),
        }));
        const out = await client.send(new PutRecordsCommand({ StreamName: stream, Records: entries }));
        const acked = performance.now();
        if ((out.FailedRecordCount ?? 0) > 0) throw new Error(`PutRecords rejected ${out.FailedRecordCount} records (emulator throttling?)`);
        for (const id of ids) ackAt[id] = acked;
      }
    })();

    // Visibility: poll for ids not yet seen.
    let oldestUnseen = 0;
    let polls = 0;
    const deadline = performance.now() + params.seconds * 1000 + 30_000;
    while (oldestUnseen < total) {
      if (performance.now() > deadline) throw new Error(`freshness: only ${oldestUnseen} of ${total} rows became visible`);
      const result = await engine.query(`SELECT id FROM fresh WHERE id >= ${oldestUnseen} LIMIT 1000000`);
      const now = performance.now();
      polls++;
      if (result.exceptions.length > 0) throw new Error(`freshness query failed: ${JSON.stringify(result.exceptions)}`);
      for (const [id] of result.rows) {
        const n = Number(id);
        if (Number.isNaN(tableSeenAt[n]!)) tableSeenAt[n] = now;
      }
      while (oldestUnseen < total && !Number.isNaN(tableSeenAt[oldestUnseen]!)) oldestUnseen++;
      await sleep(params.pollMs);
    }
    await producing;
    while (rawSeenAt.some(Number.isNaN)) {
      if (performance.now() > deadline) throw new Error('freshness: the baseline reader missed records');
      await sleep(20);
    }
    stopReaders.abort();
    await readers.done;

    const table = Array.from(tableSeenAt, (t, i) => t - ackAt[i]!);
    const raw = Array.from(rawSeenAt, (t, i) => t - ackAt[i]!);
    const stats = (v: number[]): Record<string, number> => ({ p50: quantile(v, 0.5), p95: quantile(v, 0.95), p99: quantile(v, 0.99), max: Math.max(...v) });
    const t = stats(table);
    const b = stats(raw);
    const result: BenchResult = {
      name: 'freshness',
      machine: machineInfo(),
      params: { ...params, emulator: 'kinesalite (in process)', effectiveFetchPeriodMs: periodMs, records: total, polls, flushThresholdRows: 2500 },
      metrics: {
        tableMs: { median: t.p50!, min: Math.min(...table), max: t.max!, runs: [] },
        baselineMs: { median: b.p50!, min: Math.min(...raw), max: b.max!, runs: [] },
        tableP50Ms: t.p50!,
        tableP95Ms: t.p95!,
        tableP99Ms: t.p99!,
        tableMaxMs: t.max!,
        baselineP50Ms: b.p50!,
        baselineP95Ms: b.p95!,
        baselineP99Ms: b.p99!,
        baselineMaxMs: b.max!,
      },
    };
    console.log(
      `freshness: table p50 ${fmt(t.p50!, 0)} p95 ${fmt(t.p95!, 0)} p99 ${fmt(t.p99!, 0)} ms; ` +
        `GetRecords baseline p50 ${fmt(b.p50!, 0)} p95 ${fmt(b.p95!, 0)} p99 ${fmt(b.p99!, 0)} ms (${total} records, ${polls} polls)`,
    );
    return result;
  } finally {
    stopReaders.abort();
    await runtime?.stop();
    client.destroy();
    await emulator.stop();
    await rm(tableDir, { recursive: true, force: true });
  }
}

/** One bare GetRecords loop per shard, call starts spaced `periodMs` apart like the table's pacer. */
async function startBaselineReaders(client: KinesisClient, stream: string, periodMs: number, seenAt: Float64Array, signal: AbortSignal): Promise<{ done: Promise<void> }> {
  const shards = (await client.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
  const decoder = new TextDecoder();
  const loops = await Promise.all(
    shards.map(async (shard) => {
      let iterator = (await client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
      // Wrapped: an async function returning a promise would adopt it (and wait for the loop).
      const loop = (async () => {
        let next = performance.now();
        while (!signal.aborted && iterator) {
          await sleep(next - performance.now());
          next = Math.max(next + periodMs, performance.now());
          const out = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
          const now = performance.now();
          for (const record of out.Records ?? []) {
            const { id } = JSON.parse(decoder.decode(record.Data)) as { id: number };
            if (Number.isNaN(seenAt[id]!)) seenAt[id] = now;
          }
          iterator = out.NextShardIterator;
        }
      })();
      return { loop };
    }),
  );
  return { done: Promise.all(loops.map((l) => l.loop)).then(() => undefined) };
}
