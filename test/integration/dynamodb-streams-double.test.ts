import type { ScanCommandInput } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { buildTableSchema } from '../../src/config/schema.js';
import type { IngestionEvent, TableIngestion } from '../../src/ingest/index.js';
import { DynamoDbConsumerFactory } from '../../src/plugins/stream/dynamodb/index.js';
import type { DynamoDbConfig } from '../../src/plugins/stream/dynamodb/index.js';
import type { Item } from '../../src/plugins/stream/dynamodb/dynamodb-attributes.js';
import type { ScanCall } from '../../src/plugins/stream/dynamodb/dynamodb-scan-consumer.js';
import { DynamoDbStreamsDouble } from '../helpers/dynamodb-streams-double.js';
import { itemsTableConfig, ITEMS_SCHEMA } from '../helpers/dynamodb-items.js';
import { withTableRuntimes } from '../helpers/table-runtimes.js';

const schema = buildTableSchema(ITEMS_SCHEMA as never);
const source = async () => ({ keyNames: ['pk'], idAttributeRename: undefined, deleteColumn: '_deleted', tableName: 'Tbl', streamArn: 'arn:double', viewType: 'NEW_AND_OLD_IMAGES', itemCount: 0, createdAtMs: 0 });

const itemOf = (pk: string, n: number): Item => ({ pk: { S: pk }, n: { N: String(n) }, price: { N: '1.5' }, flag: { BOOL: true } });

/** TEST ONLY: an in-process double of DynamoDB Scan over a fixed list of items, split into segments by index. */
function scanDouble(items: readonly Item[]): ScanCall {
  return async (input: ScanCommandInput) => {
    const mine = items.filter((_, i) => i % input.TotalSegments! === input.Segment!);
    const start = input.ExclusiveStartKey === undefined ? 0 : mine.findIndex((it) => it.pk!.S === input.ExclusiveStartKey!.pk!.S) + 1;
    const page = mine.slice(start, start + input.Limit!);
    const more = start + page.length < mine.length;
    return { Items: page as never, ConsumedCapacity: { CapacityUnits: 1 }, ...(more ? { LastEvaluatedKey: { pk: page[page.length - 1]!.pk } as never } : {}) };
  };
}

/** Each key's live, undeleted `n`, read the way a query reads the table now. */
function liveRows(runtime: TableIngestion): Map<string, number> {
  const { sealed, consuming, liveDocs } = runtime.queryableSegments();
  const out = new Map<string, number>();
  for (const segment of [...sealed, ...consuming]) {
    const live = liveDocs?.get(segment.name);
    for (let doc = 0; doc < segment.numDocs; doc++) {
      if (live !== undefined && ((live.queryable[doc >> 3]! >> (doc & 7)) & 1) === 0) continue;
      const id = segment.getValue('_id', doc) as string;
      expect(out.has(id), `key ${id} live twice`).toBe(false);
      out.set(id, Number(segment.getValue('n', doc)));
    }
  }
  return out;
}

function storedRows(runtime: TableIngestion): number {
  const { sealed, consuming } = runtime.queryableSegments();
  return [...sealed, ...consuming].reduce((n, s) => n + s.numDocs, 0);
}

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Lineage, iterator expiry and trimming of DynamoDB Streams against an in-process double of the
 * Streams API (moto has one shard per table, never rotates, trims or expires iterators), through
 * the real ingestion runtime: scan load first, then shards parents before children.
 */
describe('DynamoDB Streams behaviours against the in-process double', () => {
  const tables = withTableRuntimes('shardtable-ddb-double-');
  const config = itemsTableConfig('Tbl', { 'stream.dynamodb.scan.segments': '2', 'stream.dynamodb.poll.interval.millis': '5', 'realtime.segment.flush.threshold.rows': '7' });

  const start = async (double: DynamoDbStreamsDouble, seeded: readonly Item[], tableDir?: string, onEvent?: (e: IngestionEvent) => void) =>
    tables.start({
      schema,
      config,
      ...(tableDir !== undefined ? { tableDir } : {}),
      ...(onEvent !== undefined ? { onEvent } : {}),
      streamFactory: (stream, opts) => new DynamoDbConsumerFactory(stream.settings as DynamoDbConfig, { ...opts, streamsApi: double, scan: scanDouble(seeded), describe: source }),
    });

  it('loads the scan first, then reads rotated shards parents before children; the live rows are the latest of every key', async () => {
    const seeded = Array.from({ length: 30 }, (_, i) => itemOf(`k${i}`, 0));
    const double = new DynamoDbStreamsDouble();
    const want = new Map(seeded.map((it) => [it.pk!.S!, 0]));
    // Changes in three generations of shards: updates, deletes, re-inserts, new keys.
    for (let i = 0; i < 10; i++) (double.put(itemOf(`k${i}`, 1)), want.set(`k${i}`, 1));
    double.rotate();
    for (let i = 5; i < 15; i++) (double.put(itemOf(`k${i}`, 2)), want.set(`k${i}`, 2));
    for (let i = 20; i < 25; i++) (double.remove(`k${i}`), want.delete(`k${i}`));
    double.rotate();
    for (let i = 22; i < 40; i++) (double.put(itemOf(`k${i}`, 3), 'INSERT'), want.set(`k${i}`, 3));

    const events: IngestionEvent[] = [];
    const runtime = await start(double, seeded, undefined, (e) => events.push(e));
    await until('every change applied', () => JSON.stringify([...liveRows(runtime)].sort()) === JSON.stringify([...want].sort()));
    expect(runtime.status().phase?.state).toBe('STREAMING');

    const [s1, s2, s3] = double.shardIds;
    const startedAt = (shardId: string) => events.findIndex((e) => e.kind === 'partitionStarted' && e.shardId === shardId);
    const endedAt = (shardId: string) => events.findIndex((e) => e.kind === 'segmentSealed' && e.shardId === shardId && e.endOfShard);
    for (const scan of ['scan-0', 'scan-1']) {
      expect(endedAt(scan)).toBeGreaterThanOrEqual(0);
      expect(endedAt(scan)).toBeLessThan(startedAt(s1!));
    }
    expect(endedAt(s1!)).toBeLessThan(startedAt(s2!));
    expect(endedAt(s2!)).toBeLessThan(startedAt(s3!));
    // Every record stored once: the 30 scanned items and the 43 stream records.
    expect(storedRows(runtime)).toBe(30 + 10 + 10 + 5 + 18);
  });

  it('an expired shard iterator is re-acquired after the last record read: nothing skipped, nothing twice', async () => {
    const double = new DynamoDbStreamsDouble();
    const runtime = await start(double, []);
    for (let i = 0; i < 20; i++) double.put(itemOf(`a${i}`, i));
    await until('first records', () => liveRows(runtime).size === 20);
    const acquired = double.calls.getShardIterator;
    double.expireIterators();
    for (let i = 0; i < 20; i++) double.put(itemOf(`a${i}`, 100 + i));
    await until('records after the expiry', () => [...liveRows(runtime).values()].every((n) => n >= 100));
    expect(storedRows(runtime)).toBe(40);
    expect(double.calls.getShardIterator).toBeGreaterThan(acquired);
    const shard = runtime.partitions().find((p) => p.shardId.startsWith('shardId-'))!;
    expect(shard.state).not.toBe('ERROR');
  });

  it('a checkpoint trimmed past retention stops the shard with a loss report naming the shard and the lost range', async () => {
    const double = new DynamoDbStreamsDouble();
    const first = await start(double, []);
    for (let i = 0; i < 14; i++) double.put(itemOf(`t${i}`, i));
    // Two segments of 7 rows sealed: the checkpoint is the 14th record.
    await until('two sealed segments', () => first.queryableSegments().sealed.filter((s) => s.metadata.shardId.startsWith('shardId-')).length === 2);
    await first.stop();
    const lostFrom = double.put(itemOf('t14', 14));
    double.put(itemOf('t15', 15));
    const kept = double.put(itemOf('t16', 16));
    double.trimThrough(String(BigInt(kept) - 1n));

    const again = await start(double, [], tables.dirs[0]);
    await until('the shard stops', () => again.partitions().some((p) => p.state === 'ERROR'));
    const shard = again.partitions().find((p) => p.state === 'ERROR')!;
    expect(shard.lastError).toMatch(new RegExp(`data loss: shard ${double.shardIds[0]} .*the records after sequence number ${BigInt(lostFrom) - 1n} up to \\(not including\\) ${kept} were trimmed`));
    expect(shard.lastError).toMatch(/re-load the table from DynamoDB \(docs\/dynamodb.md, "Re-loading"\)/);
  });
});
