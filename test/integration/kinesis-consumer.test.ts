import { DeleteStreamCommand, PutRecordsCommand, SplitShardCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { EMULATOR_KINDS, waitForStreamStatus } from '../../src/emulator/index.js';
import type { StreamConfig } from '../../src/config/table-config.js';
import {
  KinesisConsumerFactory,
  parseKinesisConfig,
  KinesisOffset,
  PartitionIdMap,
  ShardRateLimiter,
} from '../../src/plugins/stream/kinesis/index.js';
import type { Clock, KinesisConsumerFactoryOptions } from '../../src/plugins/stream/kinesis/index.js';
import type { StreamMessage } from '../../src/spi/message-batch.js';
import type { StreamOffset } from '../../src/spi/offset.js';
import type { PartitionConsumer } from '../../src/spi/partition-consumer.js';
import { PermanentStreamError } from '../../src/spi/partition-consumer.js';
import { withEmulator } from '../helpers/emulator.js';
import { emulatorStreamConfigs } from '../helpers/emulator-table.js';

const decoder = new TextDecoder();

function streamConfig(name: string, endpoint: string, properties: Record<string, string> = {}): StreamConfig {
  return {
    streamType: 'kinesis',
    topicName: name,
    properties: emulatorStreamConfigs(endpoint, name, {
      requests_per_second_limit: '1000',
      // Emulators take any call rate; pacing has its own tests (kinesis-fetch-budget.test.ts).
      minFetchPeriod: '0',
      ...properties,
    }),
    flush: { rows: 1000, timeMs: 60_000, segmentSizeBytes: 0 },
    decoderName: 'json',
  };
}

/** Counts SDK calls by command name on `client`. */
function countCalls(client: KinesisClient): Record<string, number> {
  const counts: Record<string, number> = {};
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName).replace(/Command$/, '');
      counts[name] = (counts[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  return counts;
}

/** Puts `{id}` records with the given partition keys, one PutRecords call, in order. */
async function put(client: KinesisClient, stream: string, ids: number[], key: (id: number) => string = (id) => `k${id}`): Promise<void> {
  const out = await client.send(new PutRecordsCommand({
    StreamName: stream,
    Records: ids.map((id) => ({ PartitionKey: key(id), Data: new TextEncoder().encode(JSON.stringify({ id })) })),
  }));
  expect(out.FailedRecordCount ?? 0).toBe(0);
}

const idOf = (m: StreamMessage): number => (JSON.parse(decoder.decode(m.value)) as { id: number }).id;

/**
 * Fetches until `want` messages arrived or the partition ended, checkpointing after each batch
 * like the ingestion loop; returns the messages and whether the end was seen.
 */
async function drain(consumer: PartitionConsumer, after: StreamOffset | null, want: number, maxPolls = 40): Promise<{ messages: StreamMessage[]; ended: boolean }> {
  const messages: StreamMessage[] = [];
  let position = after;
  for (let poll = 0; poll < maxPolls && messages.length < want; poll++) {
    const batch = await consumer.fetchMessages(position, 2000);
    messages.push(...batch.messages);
    if (batch.messages.length > 0) position = batch.messages[batch.messages.length - 1]!.offset;
    if (batch.endOfPartition) return { messages, ended: true };
  }
  return { messages, ended: false };
}

describe.each(EMULATOR_KINDS)('Kinesis consumer on %s', (kind) => {
  const env = withEmulator(kind);

  function factory(stream: string, properties: Record<string, string> = {}, opts: Partial<KinesisConsumerFactoryOptions> = {}): KinesisConsumerFactory {
    return new KinesisConsumerFactory(parseKinesisConfig(streamConfig(stream, env.endpoint, properties)), { partitionIds: new PartitionIdMap(), ...opts });
  }

  it('lists every shard of a multi-shard stream through paged ListShards', async () => {
    const stream = await env.newStream(5, 'paged');
    const f = factory(stream, {}, { listShardsPageSize: 2 });
    const calls = countCalls(f.client);
    const partitions = await f.createMetadataProvider().listPartitions();
    expect(partitions).toEqual([0, 1, 2, 3, 4].map((n) => ({
      partitionId: n,
      shardId: `shardId-00000000000${n}`,
      parentShardIds: [],
      closed: false,
    })));
    // kinesis-local pages (MaxResults 2 → 3 pages); kinesalite ignores MaxResults and NextToken.
    expect(calls.ListShards).toBe(kind === 'kinesalite' ? 1 : 3);
    await f.close();
  });

  it('reads every record in order per shard from TRIM_HORIZON', async () => {
    const stream = await env.newStream(3, 'order');
    const ids = Array.from({ length: 60 }, (_, i) => i);
    await put(env.client, stream, ids.slice(0, 30), (id) => `key-${id % 6}`);
    await put(env.client, stream, ids.slice(30), (id) => `key-${id % 6}`);
    const f = factory(stream, { maxRecordsToFetch: '7' });
    const partitions = await f.createMetadataProvider().listPartitions();
    const seen: number[] = [];
    for (const partition of partitions) {
      const consumer = f.createPartitionConsumer(partition);
      const { messages } = await drain(consumer, null, 60, 30);
      const shardIds = messages.map(idOf);
      expect(shardIds).toEqual([...shardIds].sort((a, b) => a - b)); // produced order within the shard
      for (let i = 1; i < messages.length; i++) expect(messages[i]!.offset.compareTo(messages[i - 1]!.offset)).toBeGreaterThan(0);
      for (const m of messages) expect(m.key).toBe(`key-${idOf(m) % 6}`);
      seen.push(...shardIds);
      await consumer.close();
    }
    expect(seen.sort((a, b) => a - b)).toEqual(ids);
    await f.close();
  });

  it('LATEST sees only later records, and loses none across empty polls', async () => {
    const stream = await env.newStream(1, 'latest');
    await put(env.client, stream, [1, 2, 3]);
    const f = factory(stream, { shardIteratorType: 'LATEST' });
    const [partition] = await f.createMetadataProvider().listPartitions();
    const consumer = f.createPartitionConsumer(partition!);
    expect((await consumer.fetchMessages(null, 2000)).messages).toEqual([]);
    expect((await consumer.fetchMessages(null, 2000)).messages).toEqual([]);
    await put(env.client, stream, [10, 11, 12]);
    const first = await drain(consumer, null, 3);
    expect(first.messages.map(idOf)).toEqual([10, 11, 12]);
    const last = first.messages[2]!.offset;
    expect((await consumer.fetchMessages(last, 2000)).messages).toEqual([]);
    await put(env.client, stream, [13]);
    expect((await consumer.fetchMessages(last, 2000)).messages.map(idOf)).toEqual([13]);
    await consumer.close();
    await f.close();
  });

  it('resumes after a persisted offset with exactly the following records', async () => {
    const stream = await env.newStream(1, 'resume');
    await put(env.client, stream, Array.from({ length: 10 }, (_, i) => i), () => 'same');
    const f = factory(stream);
    const [partition] = await f.createMetadataProvider().listPartitions();
    const all = await drain(f.createPartitionConsumer(partition!), null, 10);
    expect(all.messages.map(idOf)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

    const checkpoint = f.offsetFactory.parse(all.messages[3]!.offset.toString());
    const resumed = f.createPartitionConsumer(partition!);
    const rest = await drain(resumed, checkpoint, 6);
    expect(rest.messages.map(idOf)).toEqual([4, 5, 6, 7, 8, 9]);
    expect((await resumed.fetchMessages(rest.messages[5]!.offset, 2000)).messages).toEqual([]);
    // Rewinding the same consumer to an earlier checkpoint repositions it.
    expect((await drain(resumed, all.messages[7]!.offset, 2)).messages.map(idOf)).toEqual([8, 9]);
    await f.close();
  });

  it('a fetch cut short by its timeout returns an empty batch and skips nothing', async () => {
    const stream = await env.newStream(1, 'timeout');
    await put(env.client, stream, [0, 1, 2, 3, 4], () => 'same');
    const f = factory(stream, { maxRecordsToFetch: '2' });
    const [partition] = await f.createMetadataProvider().listPartitions();
    const consumer = f.createPartitionConsumer(partition!);
    const got: number[] = [];
    let after: StreamOffset | null = null;
    for (let i = 0; i < 6; i++) {
      const batch = await consumer.fetchMessages(after, 1); // usually aborted: must not throw
      got.push(...batch.messages.map(idOf));
      if (batch.messages.length > 0) after = batch.messages[batch.messages.length - 1]!.offset;
    }
    got.push(...(await drain(consumer, after, 5 - got.length)).messages.map(idOf));
    expect(got).toEqual([0, 1, 2, 3, 4]);
    await f.close();
  });

  it('ends a split parent after its last record; children list the parent', async () => {
    const stream = await env.newStream(1, 'split');
    await put(env.client, stream, [0, 1, 2, 3, 4], (id) => `p${id}`);
    await env.client.send(new SplitShardCommand({
      StreamName: stream,
      ShardToSplit: 'shardId-000000000000',
      NewStartingHashKey: (2n ** 127n).toString(),
    }));
    await waitForStreamStatus(env.client, stream, 'ACTIVE');
    await put(env.client, stream, [5, 6, 7, 8, 9, 10, 11], (id) => `c${id}`);

    const f = factory(stream);
    const partitions = await f.createMetadataProvider().listPartitions();
    expect(partitions).toEqual([
      { partitionId: 0, shardId: 'shardId-000000000000', parentShardIds: [], closed: true },
      { partitionId: 1, shardId: 'shardId-000000000001', parentShardIds: ['shardId-000000000000'], closed: false },
      { partitionId: 2, shardId: 'shardId-000000000002', parentShardIds: ['shardId-000000000000'], closed: false },
    ]);

    const parent = f.createPartitionConsumer(partitions[0]!);
    const read = await drain(parent, null, Number.MAX_SAFE_INTEGER);
    expect(read.ended).toBe(true);
    expect(read.messages.map(idOf)).toEqual([0, 1, 2, 3, 4]);
    const again = await parent.fetchMessages(read.messages[4]!.offset, 2000);
    expect(again).toMatchObject({ messages: [], endOfPartition: true });

    const children: number[] = [];
    for (const child of partitions.slice(1)) {
      const batch = await drain(f.createPartitionConsumer(child), null, 7, 5);
      expect(batch.ended).toBe(false);
      children.push(...batch.messages.map(idOf));
    }
    expect(children.sort((a, b) => a - b)).toEqual([5, 6, 7, 8, 9, 10, 11]);
    await f.close();
  });

  it('spaces GetRecords calls by requests_per_second_limit, one budget per shard', async () => {
    const stream = await env.newStream(1, 'rps');
    await put(env.client, stream, [0, 1, 2]);
    let now = 1_000_000;
    const sleeps: number[] = [];
    const clock: Clock = { now: () => now, sleep: async (ms) => { sleeps.push(ms); now += ms; } };
    const limiter = new ShardRateLimiter();
    const f = factory(stream, { requests_per_second_limit: '2', maxRecordsToFetch: '1' }, { clock, rateLimiter: limiter });
    const calls = countCalls(f.client);
    const [partition] = await f.createMetadataProvider().listPartitions();
    const consumer = f.createPartitionConsumer(partition!);

    // Calls that reach the emulator get 10 s: the call's abort timer runs on real time, and a
    // loaded machine can take longer than 100 ms to answer.
    const first = await consumer.fetchMessages(null, 10_000);
    expect(first.messages.map(idOf)).toEqual([0]);
    expect(calls.GetRecords).toBe(1);
    // The next slot is 500 ms away, past a 100 ms deadline: each fetch waits out its deadline
    // (never spinning) and returns an empty batch without calling.
    for (let i = 0; i < 3; i++) expect((await consumer.fetchMessages(first.messages[0]!.offset, 100)).messages).toEqual([]);
    expect(calls.GetRecords).toBe(1);
    // A second table reading the same shard shares the budget.
    const other = new KinesisConsumerFactory(parseKinesisConfig(streamConfig(stream, env.endpoint, { requests_per_second_limit: '2' })), { partitionIds: new PartitionIdMap(), clock, rateLimiter: limiter });
    const otherCalls = countCalls(other.client);
    expect((await other.createPartitionConsumer(partition!).fetchMessages(null, 100)).messages).toEqual([]);
    expect(otherCalls.GetRecords).toBeUndefined();
    // With time to wait, the fetch waits for its slot (100 ms left after four 100 ms deadlines) and calls.
    const second = await consumer.fetchMessages(first.messages[0]!.offset, 10_000);
    expect(second.messages.map(idOf)).toEqual([1]);
    expect(calls.GetRecords).toBe(2);
    expect(sleeps).toEqual([100, 100, 100, 100, 100]);
    now += 500;
    expect((await consumer.fetchMessages(second.messages[0]!.offset, 10_000)).messages.map(idOf)).toEqual([2]);
    expect(calls.GetRecords).toBe(3);
    await f.close();
    await other.close();
  });

  it('reports a deleted stream as a PermanentStreamError naming it', async () => {
    const stream = await env.newStream(1, 'deleted');
    await put(env.client, stream, [0]);
    const f = factory(stream);
    const [partition] = await f.createMetadataProvider().listPartitions();
    const consumer = f.createPartitionConsumer(partition!);
    expect((await drain(consumer, null, 1)).messages.map(idOf)).toEqual([0]);
    await env.client.send(new DeleteStreamCommand({ StreamName: stream }));
    await waitForStreamStatus(env.client, stream, 'DELETED');

    const fromIterator = consumer.fetchMessages(null, 2000);
    await expect(fromIterator).rejects.toBeInstanceOf(PermanentStreamError);
    await expect(fromIterator).rejects.toThrow(stream);
    const listing = f.createMetadataProvider().listPartitions();
    await expect(listing).rejects.toBeInstanceOf(PermanentStreamError);
    await expect(listing).rejects.toThrow(new RegExp(`Kinesis stream ${stream} does not exist`));
    const fresh = f.createPartitionConsumer(partition!).fetchMessages(KinesisOffset.parse('1'), 2000);
    await expect(fresh).rejects.toBeInstanceOf(PermanentStreamError);
    await f.close();
  });
});
