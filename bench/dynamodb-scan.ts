import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteItemCommand, CreateTableCommand, ScanCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { buildTableSchema, validateSchema, validateTableConfig } from '../src/config/index.js';
import { MotoServer } from '../src/emulator/index.js';
import { TableIngestion } from '../src/ingest/index.js';
import { streamValidationOptions } from '../src/plugins/stream/registry.js';
import { resolveTable } from '../src/table/table-resolution.js';
import { silentLogger } from '../src/logger.js';
import { fmt, machineInfo } from './harness.js';
import type { BenchResult } from './harness.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

const schema = buildTableSchema(
  validateSchema({
    schemaName: 'ddbscan',
    dimensionFieldSpecs: [
      { name: '_id', dataType: 'STRING' },
      { name: '_deleted', dataType: 'BOOLEAN' },
      { name: 'name', dataType: 'STRING' },
      { name: 'tags', dataType: 'STRING', singleValueField: false },
    ],
    metricFieldSpecs: [{ name: 'seq', dataType: 'LONG' }, { name: 'price', dataType: 'DOUBLE' }],
    primaryKeyColumns: ['_id'],
  }),
);

/**
 * The initial scan load's rate on moto: `items` items (about 120 bytes each) in a table with a
 * stream; a table with `initial.load: scan` (`segments` parallel segments) is started and timed
 * until its phase is `STREAMING` (every segment read to its end and sealed). Two runs: with a
 * budget far above what moto serves (the load's own speed), and with a tight read-capacity cap
 * (the rate the budget allows; capacity charged per second of load must stay under the cap).
 * Baseline in the same run, on the same table: a bare parallel Scan loop (`ConsistentRead`, pages
 * of 1,000, same segments, no budget), items counted only.
 */
export async function benchDynamoDbScan(quick: boolean): Promise<BenchResult> {
  const params = { items: quick ? 3000 : 20000, segments: 4, cappedRcu: 20, cappedItems: quick ? 1500 : 4000 };
  const moto = await MotoServer.start();
  const client = moto.client();
  const saved = { ...process.env };
  Object.assign(process.env, moto.env());
  try {
    await createTable(client, 'bench-scan', params.items);
    await createTable(client, 'bench-scan-capped', params.cappedItems);
    const bare = await bareScan(client, 'bench-scan', params.segments);
    const free = await loadOnce('bench-scan', params.items, params.segments, 1_000_000);
    const capped = await loadOnce('bench-scan-capped', params.cappedItems, params.segments, params.cappedRcu);
    const cappedUnitsPerSec = capped.capacityUnits / capped.seconds;
    console.log(
      `dynamodb-scan: ${params.items} items: table ${fmt(params.items / free.seconds, 0)} items/s (${fmt(free.seconds, 2)} s), bare Scan ${fmt(params.items / bare, 0)} items/s (${fmt(bare, 2)} s); ` +
        `capped at ${params.cappedRcu} RCU/s: ${fmt(params.cappedItems / capped.seconds, 0)} items/s, ${fmt(cappedUnitsPerSec, 1)} units/s charged`,
    );
    return {
      name: 'dynamodb-scan',
      machine: machineInfo(),
      params: { ...params, quick, source: 'moto (python3 -m moto.server)' },
      metrics: {
        tableItemsPerSec: params.items / free.seconds,
        tableSeconds: { median: free.seconds, min: free.seconds, max: free.seconds, runs: [free.seconds] },
        baselineItemsPerSec: params.items / bare,
        baselineSeconds: { median: bare, min: bare, max: bare, runs: [bare] },
        ratioToBaseline: bare / free.seconds,
        cappedItemsPerSec: params.cappedItems / capped.seconds,
        cappedUnitsPerSec,
        cappedUnitsCharged: capped.capacityUnits,
      },
    };
  } finally {
    process.env = saved;
    client.destroy();
    await moto.stop();
  }
}

async function createTable(client: DynamoDBClient, name: string, items: number): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: name });
  for (let start = 0; start < items; start += 25) {
    const requests = [];
    for (let i = start; i < Math.min(items, start + 25); i++) {
      const item: Record<string, AttributeValue> = { pk: { S: `item-${i}` }, seq: { N: String(i) }, price: { N: `${i % 997}.25` }, name: { S: `name of item ${i} `.padEnd(40, '.') }, tags: { SS: [`t${i % 7}`, `u${i % 11}`] } };
      requests.push({ PutRequest: { Item: item } });
    }
    await client.send(new BatchWriteItemCommand({ RequestItems: { [name]: requests } }));
  }
}

/** Starts a scan-load table and waits until it is STREAMING; seconds and capacity charged. */
async function loadOnce(dynamoTable: string, items: number, segments: number, rcu: number): Promise<{ seconds: number; capacityUnits: number }> {
  const tableDir = await mkdtemp(join(tmpdir(), 'shardtable-bench-ddbscan-'));
  const json = {
    tableName: 'ddbscan',
    tableType: 'REALTIME',
    tableIndexConfig: {
      streamConfigs: {
        streamType: 'dynamodb',
        'stream.dynamodb.table.name': dynamoTable,
        'stream.dynamodb.scan.segments': String(segments),
        'stream.dynamodb.scan.rcu.limit': String(rcu),
        'stream.dynamodb.shard.discovery.interval.ms': '500',
      },
    },
    upsertConfig: { mode: 'FULL', deleteRecordColumn: '_deleted' },
  };
  const runtime = new TableIngestion({ table: resolveTable(schema, validateTableConfig(json, schema, streamValidationOptions())), tableDir, logger: silentLogger() });
  try {
    const t0 = performance.now();
    await runtime.start();
    const deadline = t0 + 600_000;
    for (;;) {
      const phase = runtime.status().phase;
      if (phase?.state === 'STREAMING') {
        const seconds = (performance.now() - t0) / 1000;
        if (phase.progress?.items !== items) throw new Error(`dynamodb-scan: loaded ${phase.progress?.items} of ${items} items`);
        return { seconds, capacityUnits: phase.progress.capacityUnits };
      }
      if (performance.now() > deadline) throw new Error('dynamodb-scan: the load did not finish in 10 minutes');
      await sleep(10);
    }
  } finally {
    await runtime.stop();
    await rm(tableDir, { recursive: true, force: true });
  }
}

/** A bare parallel Scan loop (ConsistentRead, pages of 1,000, no budget): seconds to read every item. */
async function bareScan(client: DynamoDBClient, table: string, segments: number): Promise<number> {
  const t0 = performance.now();
  let items = 0;
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await client.send(new ScanCommand({ TableName: table, Segment: segment, TotalSegments: segments, ConsistentRead: true, Limit: 1000, ...(start ? { ExclusiveStartKey: start } : {}) }));
        items += page.Items?.length ?? 0;
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
    }),
  );
  if (items === 0) throw new Error('dynamodb-scan: the bare Scan read nothing');
  return (performance.now() - t0) / 1000;
}
