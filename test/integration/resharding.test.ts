import { ListShardsCommand, MergeShardsCommand, SplitShardCommand, UpdateShardCountCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTableSchema, validateSchema } from '../../src/config/index.js';
import { EMULATOR_KINDS, waitForStreamStatus } from '../../src/emulator/index.js';
import type { EmulatorKind } from '../../src/emulator/index.js';
import type { IngestionEvent, TableIngestion } from '../../src/ingest/index.js';
import type { Logger } from '../../src/logger.js';
import { putJsonRecords } from '../../src/plugins/stream/kinesis/index.js';
import { createStreamConsumerFactory } from '../../src/plugins/stream/registry.js';
import type { BoundStream, StreamPluginOptions } from '../../src/spi/stream-plugin.js';
import { consumingSegmentsInfo } from '../../src/server/consuming-segments-info.js';
import type { StreamConsumerFactory } from '../../src/spi/stream-consumer-factory.js';
import type { PartitionConsumer } from '../../src/spi/partition-consumer.js';
import { withEmulator } from '../helpers/emulator.js';
import { emulatorTableConfig, timeMillisField } from '../helpers/emulator-table.js';
import { expectExactlyOnce, idCounts, waitFor } from '../helpers/table-rows.js';
import { withTableRuntimes } from '../helpers/table-runtimes.js';

const schema = buildTableSchema(validateSchema({
  schemaName: 'events',
  dimensionFieldSpecs: [{ name: 'id', dataType: 'LONG' }],
  dateTimeFieldSpecs: [timeMillisField()],
}));

/** What each emulator can reshard with (checked by the last test of each block). */
const RESHARD_OPS: Record<EmulatorKind, { merge: boolean; updateShardCount: boolean }> = {
  kinesalite: { merge: true, updateShardCount: false },
  'kinesis-local': { merge: true, updateShardCount: true },
};

const SHARD = (n: number): string => `shardId-${String(n).padStart(12, '0')}`;

function tableConfig(endpoint: string, stream: string): Record<string, unknown> {
  return emulatorTableConfig({
    endpoint,
    stream,
    timeColumn: 'ts',
    streamConfigs: {
      'stream.kinesis.decoder.class.name': 'json',
      'stream.kinesis.fetch.timeout.millis': '1000',
      'stream.kinesis.shard.discovery.interval.ms': '300',
      requests_per_second_limit: '10',
      minFetchPeriod: '50',
      'realtime.segment.flush.threshold.rows': '40',
    },
  });
}

/** A background producer: batches of unique ids every few millis until stopped. */
function steadyProducer(client: KinesisClient, stream: string, firstId = 0): { stop: () => Promise<number>; produced: () => number } {
  let next = firstId;
  let running = true;
  const loop = (async () => {
    while (running) {
      const rows = Array.from({ length: 10 }, (_, i) => ({ id: next + i, ts: 1_700_000_000_000 + next + i }));
      await putJsonRecords(client, stream, rows, (row) => `key-${row.id}`);
      next += rows.length;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return { stop: async () => { running = false; await loop; return next; }, produced: () => next - firstId };
}

async function openShards(client: KinesisClient, stream: string): Promise<{ shardId: string; start: bigint; end: bigint }[]> {
  const out = await client.send(new ListShardsCommand({ StreamName: stream }));
  return (out.Shards ?? [])
    .filter((s) => s.SequenceNumberRange?.EndingSequenceNumber === undefined)
    .map((s) => ({ shardId: s.ShardId!, start: BigInt(s.HashKeyRange!.StartingHashKey!), end: BigInt(s.HashKeyRange!.EndingHashKey!) }))
    .sort((a, b) => (a.start < b.start ? -1 : 1));
}

/**
 * Parents seal before children start: every child's `partitionStarted` comes after an end-of-shard
 * `segmentSealed` of each parent this table read, and the child's first segment began consuming
 * no earlier than the parent's end segment was created (from the segments' own metadata).
 */
function expectParentsSealedFirst(runtime: TableIngestion, events: readonly IngestionEvent[]): number {
  let children = 0;
  const endSealedAt = new Map<string, number>();
  events.forEach((e, i) => {
    if (e.kind === 'segmentSealed' && e.endOfShard) endSealedAt.set(e.shardId, i);
  });
  const starts = events.flatMap((e, i) => (e.kind === 'partitionStarted' ? [{ e, i }] : []));
  for (const { e, i } of starts) {
    for (const parent of e.parentShardIds) {
      if (!starts.some((s) => s.e.shardId === parent)) continue; // a parent this table never read (not listed)
      children++;
      const sealedAt = endSealedAt.get(parent);
      expect(sealedAt, `${parent} sealed its end before ${e.shardId} started`).toBeDefined();
      expect(sealedAt!).toBeLessThan(i);
      const parentEnd = runtime.segments().find((s) => s.shardId === parent && s.endOfShard)!;
      expect(parentEnd, `end-of-shard segment of ${parent}`).toBeDefined();
      const childFirstStart = firstSegmentStart(runtime, e.shardId);
      expect(childFirstStart).toBeGreaterThanOrEqual(parentEnd.creationTimeMs);
    }
  }
  return children;
}

function firstSegmentStart(runtime: TableIngestion, shardId: string): number {
  const sealed = runtime.segments().filter((s) => s.shardId === shardId);
  const starts = sealed.map((s) => runtime.segmentMetadata(s.segmentName)!.consumingStartTimeMs as number);
  for (const c of runtime.queryableSegments().consuming) if (c.identity.shardId === shardId) starts.push(c.createdAtMs);
  return Math.min(...starts);
}

/** A metadata provider that stops listing `hidden` shards after `visibleListings` listings — a test double for retention expiry. */
function expiringShardsFactory(hidden: readonly string[], visibleListings: number, unreadable: readonly string[] = []) {
  return (stream: BoundStream, opts: StreamPluginOptions): StreamConsumerFactory => {
    const real = createStreamConsumerFactory(stream, opts);
    let listings = 0;
    return Object.assign(Object.create(real) as StreamConsumerFactory, {
      createMetadataProvider() {
        const provider = real.createMetadataProvider();
        return {
          async listPartitions() {
            const all = await provider.listPartitions();
            return listings++ < visibleListings ? all : all.filter((p) => !hidden.includes(p.shardId));
          },
          close: () => provider.close(),
        };
      },
      createPartitionConsumer(partition: Parameters<StreamConsumerFactory['createPartitionConsumer']>[0]): PartitionConsumer {
        if (!unreadable.includes(partition.shardId)) return real.createPartitionConsumer(partition);
        // Test double: a shard whose records could not be read before it expired.
        return {
          fetchMessages: async (_after, timeoutMs) => {
            await new Promise((r) => setTimeout(r, Math.min(timeoutMs, 100)));
            return { messages: [], endOfPartition: false };
          },
          close: async () => undefined,
        };
      },
    });
  };
}

describe.each(EMULATOR_KINDS)('resharding while ingesting on %s', (kind) => {
  const env = withEmulator(kind);
  const tables = withTableRuntimes('shardtable-reshard-');
  const producers: { stop: () => Promise<number> }[] = [];

  const newRuntime = (stream: string, opts: { dir?: string; events?: IngestionEvent[]; logger?: Logger; streamFactory?: ReturnType<typeof expiringShardsFactory> } = {}): Promise<TableIngestion> =>
    tables.start({
      schema,
      config: tableConfig(env.endpoint, stream),
      tableDir: opts.dir,
      logger: opts.logger,
      ...(opts.events ? { onEvent: (e: IngestionEvent) => opts.events!.push(e) } : {}),
      streamFactory: opts.streamFactory,
    });

  function produce(stream: string): ReturnType<typeof steadyProducer> {
    const producer = steadyProducer(env.client, stream);
    producers.push(producer);
    return producer;
  }

  // Runs before the runtimes' hook (registered first): producers stop before the tables do.
  afterEach(async () => {
    await Promise.all(producers.splice(0).map((p) => p.stop()));
  });

  it('SplitShard then MergeShards during a steady produce: parents seal first, every id exactly once', async () => {
    const stream = await env.newStream(2, 'split-merge');
    const events: IngestionEvent[] = [];
    const runtime = await newRuntime(stream, { events });
    const producer = produce(stream);
    await waitFor('first rows', () => idCounts(runtime).size >= 50);

    const [first] = await openShards(env.client, stream);
    await env.client.send(new SplitShardCommand({ StreamName: stream, ShardToSplit: first!.shardId, NewStartingHashKey: ((first!.start + first!.end) / 2n + 1n).toString() }));
    await waitForStreamStatus(env.client, stream, 'ACTIVE');
    await waitFor('split children consuming', () => events.filter((e) => e.kind === 'partitionStarted').length >= 4);

    const [a, b] = await openShards(env.client, stream); // the split's two children, adjacent
    await env.client.send(new MergeShardsCommand({ StreamName: stream, ShardToMerge: a!.shardId, AdjacentShardToMerge: b!.shardId }));
    await waitForStreamStatus(env.client, stream, 'ACTIVE');
    await waitFor('merged child consuming', () => events.filter((e) => e.kind === 'partitionStarted').length >= 5);
    await waitFor('rows into the merged shard', () => (runtime.partitions().find((p) => p.shardId === SHARD(4))?.recordsConsumed ?? 0) > 0);

    const total = await producer.stop();
    await waitFor(`${total} ids`, () => idCounts(runtime).size >= total);
    expectExactlyOnce(runtime, total);

    const states = Object.fromEntries(runtime.partitions().map((p) => [p.shardId, p.state]));
    expect(states[first!.shardId]).toBe('ENDED');
    expect(states[a!.shardId]).toBe('ENDED');
    expect(states[b!.shardId]).toBe('ENDED');
    expect(Object.keys(states)).toHaveLength(5);
    // Split: two children of one parent; merge: one child of two parents.
    expect(expectParentsSealedFirst(runtime, events)).toBe(4);
    expect(runtime.status().dataLoss).toEqual([]);
  });

  it('a restart in the middle of a reshard keeps exactly-once and does not re-read the ended parent', async () => {
    const stream = await env.newStream(1, 'restart');
    const producer = produce(stream);
    const firstEvents: IngestionEvent[] = [];
    const first = await newRuntime(stream, { events: firstEvents });
    await waitFor('first rows', () => idCounts(first).size >= 50);
    await env.client.send(new SplitShardCommand({ StreamName: stream, ShardToSplit: SHARD(0), NewStartingHashKey: (2n ** 127n).toString() }));
    await waitForStreamStatus(env.client, stream, 'ACTIVE');
    await waitFor('children consuming', () => [SHARD(1), SHARD(2)].every((s) => (first.partitions().find((p) => p.shardId === s)?.recordsConsumed ?? 0) > 0));
    expect(first.partitions().find((p) => p.shardId === SHARD(0))?.state).toBe('ENDED');
    await first.stop();

    const secondEvents: IngestionEvent[] = [];
    const second = await newRuntime(stream, { dir: tables.dirs[0]!, events: secondEvents });
    const parent = second.partitions().find((p) => p.shardId === SHARD(0))!;
    expect(parent).toMatchObject({ state: 'ENDED', startedFrom: 'recovered: shard fully read', recordsConsumed: 0 });
    const total = await producer.stop();
    await waitFor(`${total} ids`, () => idCounts(second).size >= total);
    expectExactlyOnce(second, total);
    // The new runtime never started a reader on the ended parent, only on its children.
    expect(secondEvents.filter((e) => e.kind === 'partitionStarted').map((e) => e.kind === 'partitionStarted' && e.shardId).sort()).toEqual([SHARD(1), SHARD(2)]);
    expect(second.partitions().find((p) => p.shardId === SHARD(0))?.recordsConsumed).toBe(0);
    expect(expectParentsSealedFirst(first, firstEvents)).toBe(2);
  });

  it('reports a parent that expired before it was ever read as data loss, and still reads its children', async () => {
    const stream = await env.newStream(1, 'lost');
    await putJsonRecords(env.client, stream, Array.from({ length: 20 }, (_, i) => ({ id: i, ts: i })), (row) => `k${row.id}`);
    await env.client.send(new SplitShardCommand({ StreamName: stream, ShardToSplit: SHARD(0), NewStartingHashKey: (2n ** 127n).toString() }));
    await waitForStreamStatus(env.client, stream, 'ACTIVE');
    await putJsonRecords(env.client, stream, Array.from({ length: 20 }, (_, i) => ({ id: 20 + i, ts: i })), (row) => `k${row.id}`);

    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    // The parent is listed once, unreadable, then gone from the listing as if past retention.
    const runtime = await newRuntime(stream, { logger, streamFactory: expiringShardsFactory([SHARD(0)], 1, [SHARD(0)]) });
    await waitFor('children read', () => idCounts(runtime).size === 20);
    expect([...idCounts(runtime).keys()].every((id) => id >= 20n)).toBe(true);

    const { dataLoss, discovery } = runtime.status();
    expect(dataLoss).toEqual([expect.objectContaining({ shardId: SHARD(0), partitionId: 0, lastSequenceNumber: 'never read' })]);
    expect(discovery).toMatchObject({ intervalMs: 300, lastError: null });
    expect(discovery.runs).toBeGreaterThanOrEqual(2);
    const warned = lines.map((l) => JSON.parse(l) as { shardId?: string; msg: string; dataLoss?: boolean }).filter((l) => l.dataLoss);
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ shardId: SHARD(0) });
    expect(warned[0]!.msg).toMatch(/data loss.*before any of it was read/);
    // And through the consumingSegmentsInfo response shape.
    const info = consumingSegmentsInfo(runtime.partitions(), { serverName: 's', table: runtime.status() });
    expect(info.shardtableTable?.dataLoss.map((d) => d.shardId)).toEqual([SHARD(0)]);
  });

  it('reports an expired parent with unread records after a restart, with the last sequence number the table has', async () => {
    const stream = await env.newStream(1, 'lost-tail');
    await putJsonRecords(env.client, stream, Array.from({ length: 40 }, (_, i) => ({ id: i, ts: i })), (row) => `k${row.id}`);
    const first = await newRuntime(stream);
    await waitFor('40 rows sealed', () => first.segments().reduce((n, s) => n + s.numDocs, 0) === 40);
    const lastSealed = first.segments().at(-1)!.endOffset!;
    await first.stop();
    // More records land in the parent, then it is split; the parent expires while we are down.
    await putJsonRecords(env.client, stream, Array.from({ length: 5 }, (_, i) => ({ id: 1000 + i, ts: i })), (row) => `k${row.id}`);
    await env.client.send(new SplitShardCommand({ StreamName: stream, ShardToSplit: SHARD(0), NewStartingHashKey: (2n ** 127n).toString() }));
    await waitForStreamStatus(env.client, stream, 'ACTIVE');
    await putJsonRecords(env.client, stream, Array.from({ length: 10 }, (_, i) => ({ id: 40 + i, ts: i })), (row) => `k${row.id}`);

    const events: IngestionEvent[] = [];
    const second = await newRuntime(stream, { dir: tables.dirs[0]!, events, streamFactory: expiringShardsFactory([SHARD(0)], 0) });
    await waitFor('children read', () => idCounts(second).size === 50);
    expectExactlyOnce(second, 50);
    expect(second.status().dataLoss).toEqual([expect.objectContaining({ shardId: SHARD(0), partitionId: 0, lastSequenceNumber: lastSealed })]);
    expect(second.status().dataLoss[0]!.reason).toContain(`records after ${lastSealed} are lost`);
    expect(events.filter((e) => e.kind === 'partitionStarted').map((e) => e.kind === 'partitionStarted' && e.shardId).sort()).toEqual([SHARD(1), SHARD(2)]);
  });

  if (RESHARD_OPS[kind].updateShardCount) {
    it('UpdateShardCount (UNIFORM_SCALING) 2 → 4 during a steady produce: parents seal first, every id exactly once', async () => {
      const stream = await env.newStream(2, 'scale');
      const events: IngestionEvent[] = [];
      const runtime = await newRuntime(stream, { events });
      const producer = produce(stream);
      await waitFor('first rows', () => idCounts(runtime).size >= 50);
      await env.client.send(new UpdateShardCountCommand({ StreamName: stream, TargetShardCount: 4, ScalingType: 'UNIFORM_SCALING' }));
      await waitForStreamStatus(env.client, stream, 'ACTIVE');
      await waitFor('new shards consuming', () => runtime.partitions().filter((p) => p.state !== 'ENDED' && p.recordsConsumed > 0).length >= 4);
      const total = await producer.stop();
      await waitFor(`${total} ids`, () => idCounts(runtime).size >= total);
      expectExactlyOnce(runtime, total);
      expect(runtime.partitions().filter((p) => p.state === 'ENDED').map((p) => p.shardId).sort()).toEqual([SHARD(0), SHARD(1)]);
      expect(expectParentsSealedFirst(runtime, events)).toBeGreaterThanOrEqual(4);
    });
  } else {
    it('does not support UpdateShardCount (documented in docs/exactly-once.md)', async () => {
      const stream = await env.newStream(2, 'scale');
      await expect(env.client.send(new UpdateShardCountCommand({ StreamName: stream, TargetShardCount: 4, ScalingType: 'UNIFORM_SCALING' }))).rejects.toThrow();
    });
  }
});
