import { describe, expect, it } from 'vitest';
import { streamIndexOfShard } from '../../../src/ingest/resolved-table.js';
import { streamPartitionIds, TableStreamsFactory } from '../../../src/ingest/table-streams.js';
import type { PartitionInfo } from '../../../src/spi/metadata-provider.js';
import type { PartitionConsumer } from '../../../src/spi/partition-consumer.js';
import type { PartitionIdScheme } from '../../../src/spi/partition-id-scheme.js';
import type { StreamConsumerFactory } from '../../../src/spi/stream-consumer-factory.js';

/** Kinesis-like numbering: the number in `shardId-000000000123`. */
const numeric: PartitionIdScheme = { idFor: (id) => Number(id.split('-')[1]), changed: false, markSaved: () => undefined, toJSON: () => null };

function partition(shardId: string, parentShardIds: string[] = []): PartitionInfo {
  return { partitionId: Number(shardId.split('-')[1]), shardId, parentShardIds, closed: false };
}

/** Test double of one stream's consumer factory: lists fixed shards and records what it was asked for. */
function fakeStream(name: string, shards: PartitionInfo[], ids: PartitionIdScheme): StreamConsumerFactory & { consumersFor: PartitionInfo[] } {
  const consumersFor: PartitionInfo[] = [];
  return {
    consumersFor,
    offsetFactory: { parse: () => ({ compareTo: () => 0, toString: () => '' }) },
    fetchTimeoutMs: name === 'a' ? 1000 : 3000,
    discoveryIntervalMs: name === 'a' ? 60_000 : 5000,
    initialPositionDescription: `start of ${name}`,
    createMetadataProvider: () => ({
      listPartitions: async () => shards.map((s) => ({ ...s, partitionId: ids.idFor(s.shardId) })),
      streamIdentity: async () => ({ id: `arn:${name}`, createdAtMs: 1 }),
      close: async () => undefined,
    }),
    createPartitionConsumer(p: PartitionInfo): PartitionConsumer {
      consumersFor.push(p);
      return { fetchMessages: async () => ({ messages: [], endOfPartition: false }), close: async () => undefined };
    },
    close: async () => undefined,
  };
}

describe('several streams of one table', () => {
  it('numbers stream k partitions k * 10000 + id, keeps a single stream\'s own ids, and refuses an id that would reach the next stream', () => {
    expect(streamPartitionIds(numeric, 0, 1, 'kinesis:a')).toBe(numeric);
    expect(streamPartitionIds(numeric, 0, 2, 'kinesis:a').idFor('shardId-000000000007')).toBe(7);
    expect(streamPartitionIds(numeric, 2, 3, 'kinesis:c').idFor('shardId-000000000007')).toBe(20007);
    expect(() => streamPartitionIds(numeric, 1, 2, 'kinesis:b').idFor('shardId-000000010000')).toThrow(
      'partition shardId-000000010000 of stream kinesis:b has id 10000; a table with several streams numbers partitions k * 10000 + id, so each stream\'s ids must stay below 10000',
    );
  });

  it('lists every stream with table-wide shard ids and routes each partition to its own stream with its own ids', async () => {
    const a = fakeStream('a', [partition('shardId-000000000000')], streamPartitionIds(numeric, 0, 2, 'kinesis:a'));
    const b = fakeStream('b', [partition('shardId-000000000000'), partition('shardId-000000000002', ['shardId-000000000000'])], streamPartitionIds(numeric, 1, 2, 'kinesis:b'));
    const factory = new TableStreamsFactory([
      { topicName: 'a', label: 'kinesis:a', factory: a },
      { topicName: 'b', label: 'kinesis:b', factory: b },
    ]);
    const provider = factory.createMetadataProvider();
    const listed = await provider.listPartitions();
    expect(listed.map((p) => [p.partitionId, p.shardId, p.parentShardIds])).toEqual([
      [0, 'shardId-000000000000', []],
      [10000, 'b/shardId-000000000000', []],
      [10002, 'b/shardId-000000000002', ['b/shardId-000000000000']],
    ]);
    expect(await provider.identities()).toEqual([
      { key: '0', label: 'kinesis:a', identity: { id: 'arn:a', createdAtMs: 1 } },
      { key: '1', label: 'kinesis:b', identity: { id: 'arn:b', createdAtMs: 1 } },
    ]);
    factory.createPartitionConsumer(listed[2]!);
    factory.createPartitionConsumer(listed[0]!);
    expect(b.consumersFor).toEqual([{ partitionId: 10002, shardId: 'shardId-000000000002', parentShardIds: ['shardId-000000000000'], closed: false }]);
    expect(a.consumersFor.map((p) => p.shardId)).toEqual(['shardId-000000000000']);
    expect(factory.labelOf('b/shardId-000000000002')).toBe('kinesis:b');
    expect(factory.labelOf('shardId-000000000002')).toBe('kinesis:a');
    expect([factory.fetchTimeoutMs, factory.discoveryIntervalMs]).toEqual([3000, 5000]);
    expect(factory.fetchConcurrency).toBeUndefined();
    expect(streamIndexOfShard([{ topicName: 'a' }, { topicName: 'b' }], 'b/shardId-1')).toBe(1);
  });
});
