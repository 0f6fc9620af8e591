import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, PutItemCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { buildTableSchema, validateSchema, validateTableConfig } from '../src/config/index.js';
import { MotoServer } from '../src/emulator/index.js';
import { TableIngestion } from '../src/ingest/index.js';
import { streamValidationOptions } from '../src/plugins/stream/registry.js';
import { resolveTable } from '../src/table/table-resolution.js';
import { silentLogger } from '../src/logger.js';
import { QueryEngine, snapshotRuntime } from '../src/query/index.js';
import { fmt, machineInfo, quantile } from './harness.js';
import type { BenchResult } from './harness.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

const schema = buildTableSchema(
  validateSchema({
    schemaName: 'ddb',
    dimensionFieldSpecs: [
      { name: '_id', dataType: 'STRING' },
      { name: '_deleted', dataType: 'BOOLEAN' },
    ],
    metricFieldSpecs: [{ name: 'seq', dataType: 'LONG' }],
    primaryKeyColumns: ['_id'],
  }),
);

/**
 * DynamoDB change lag on moto: a writer puts `writesPerSecond` items (PutItem, one at a time) for
 * `seconds`; each write's lag runs from PutItem's acknowledgement to the first `SELECT seq FROM
 * ddb WHERE seq >= <oldest unseen>` that returns it (polled every 5 ms). Baseline in the same run,
 * on the same writes: a bare GetRecords loop on the table's stream at the table's poll interval,
 * lag from acknowledgement to the GetRecords response holding the record — what moto and the
 * polling period cost alone. The table runs in this process with `initial.load: none`.
 */
export async function benchDynamoDbLag(quick: boolean): Promise<BenchResult> {
  const params = { seconds: quick ? 5 : 20, writesPerSecond: 50, pollIntervalMs: 250 };
  const moto = await MotoServer.start();
  const client = moto.client();
  const streams = new DynamoDBStreamsClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, requestHandler: new NodeHttpHandler() });
  const tableDir = await mkdtemp(join(tmpdir(), 'shardtable-bench-ddb-'));
  const saved = { ...process.env };
  Object.assign(process.env, moto.env());
  let runtime: TableIngestion | undefined;
  const stop = new AbortController();
  try {
    await client.send(
      new CreateTableCommand({
        TableName: 'bench-lag',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
    await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: 'bench-lag' });
    const json = {
      tableName: 'ddb',
      tableType: 'REALTIME',
      tableIndexConfig: {
        streamConfigs: {
          streamType: 'dynamodb',
          'stream.dynamodb.table.name': 'bench-lag',
          'stream.dynamodb.initial.load': 'none',
          'stream.dynamodb.poll.interval.millis': String(params.pollIntervalMs),
        },
      },
      upsertConfig: { mode: 'FULL', deleteRecordColumn: '_deleted' },
    };
    const config = validateTableConfig(json, schema, streamValidationOptions());
    runtime = new TableIngestion({ table: resolveTable(schema, config), tableDir, logger: silentLogger() });
    await runtime.start();
    const started = runtime;
    const engine = new QueryEngine({ resolve: (n) => (n.toLowerCase() === 'ddb' ? { name: 'ddb', schema, snapshot: () => snapshotRuntime(started) } : undefined) });

    const total = params.seconds * params.writesPerSecond;
    const ackAt = new Float64Array(total).fill(Number.NaN);
    const tableSeenAt = new Float64Array(total).fill(Number.NaN);
    const rawSeenAt = new Float64Array(total).fill(Number.NaN);
    const baseline = bareGetRecordsLoop(client, streams, params.pollIntervalMs, rawSeenAt, stop.signal);

    const writing = (async () => {
      const t0 = performance.now();
      for (let i = 0; i < total; i++) {
        await sleep(t0 + (i * 1000) / params.writesPerSecond - performance.now());
        await client.send(new PutItemCommand({ TableName: 'bench-lag', Item: { pk: { S: `item-${i % 500}` }, seq: { N: String(i) } } }));
        ackAt[i] = performance.now();
      }
    })();

    let oldestUnseen = 0;
    const deadline = performance.now() + params.seconds * 1000 + 60_000;
    while (oldestUnseen < total) {
      if (performance.now() > deadline) throw new Error(`dynamodb-lag: only ${oldestUnseen} of ${total} writes became visible`);
      // skipUpsert: every version is a row, so each write's own arrival is seen (not only the latest per key).
      const result = await engine.query(`SELECT seq FROM ddb WHERE seq >= ${oldestUnseen} LIMIT 1000000`, "skipUpsert=true");
      const now = performance.now();
      if (result.exceptions.length > 0) throw new Error(`dynamodb-lag query failed: ${JSON.stringify(result.exceptions)}`);
      for (const [seq] of result.rows) {
        const n = Number(seq);
        if (Number.isNaN(tableSeenAt[n]!)) tableSeenAt[n] = now;
      }
      while (oldestUnseen < total && !Number.isNaN(tableSeenAt[oldestUnseen]!)) oldestUnseen++;
      await sleep(5);
    }
    await writing;
    while (rawSeenAt.some(Number.isNaN) && performance.now() < deadline) await sleep(20);
    stop.abort();
    await baseline;

    const lag = (seen: Float64Array) => Array.from(seen, (t, i) => t - ackAt[i]!).filter((v) => !Number.isNaN(v));
    const table = lag(tableSeenAt);
    const raw = lag(rawSeenAt);
    const stats = (v: number[]) => ({ p50: quantile(v, 0.5), p99: quantile(v, 0.99), max: Math.max(...v) });
    const t = stats(table);
    const b = stats(raw);
    console.log(`dynamodb-lag: table p50 ${fmt(t.p50!, 0)} p99 ${fmt(t.p99!, 0)} ms; bare GetRecords p50 ${fmt(b.p50!, 0)} p99 ${fmt(b.p99!, 0)} ms (${total} writes on moto)`);
    return {
      name: 'dynamodb-lag',
      machine: machineInfo(),
      params: { ...params, quick, source: 'moto (python3 -m moto.server)', writes: total },
      metrics: {
        tableMs: { median: t.p50!, min: Math.min(...table), max: t.max, runs: [] },
        baselineMs: { median: b.p50!, min: Math.min(...raw), max: b.max, runs: [] },
        tableP50Ms: t.p50!,
        tableP99Ms: t.p99!,
        baselineP50Ms: b.p50!,
        baselineP99Ms: b.p99!,
      },
    };
  } finally {
    stop.abort();
    await runtime?.stop();
    process.env = saved;
    client.destroy();
    streams.destroy();
    await moto.stop();
    await rm(tableDir, { recursive: true, force: true });
  }
}

/** A bare GetRecords loop on the table's one moto shard, one call per `periodMs`. */
async function bareGetRecordsLoop(client: ReturnType<MotoServer['client']>, streams: DynamoDBStreamsClient, periodMs: number, seenAt: Float64Array, signal: AbortSignal): Promise<void> {
  const arn = (await client.send(new DescribeTableCommand({ TableName: 'bench-lag' }))).Table!.LatestStreamArn!;
  const shard = (await streams.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription!.Shards![0]!;
  let iterator = (await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
  let next = performance.now();
  while (!signal.aborted && iterator) {
    await sleep(next - performance.now());
    next = Math.max(next + periodMs, performance.now());
    const out = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    const now = performance.now();
    for (const r of out.Records ?? []) {
      const seq = Number(r.dynamodb?.NewImage?.seq?.N);
      if (Number.isInteger(seq) && Number.isNaN(seenAt[seq]!)) seenAt[seq] = now;
    }
    iterator = out.NextShardIterator;
  }
}
