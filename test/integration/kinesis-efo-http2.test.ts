import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamConfig } from '../../src/config/table-config.js';
import { createKinesisClient, parseKinesisConfig } from '../../src/plugins/stream/kinesis/index.js';
import { KinesisEfoPartitionConsumer } from '../../src/plugins/stream/kinesis/kinesis-efo-consumer.js';
import { systemClock } from '../../src/plugins/stream/kinesis/kinesis-rate-limiter.js';
import type { MessageBatch } from '../../src/spi/message-batch.js';
import type { StreamOffset } from '../../src/spi/offset.js';
import { startSubscribeDouble } from '../helpers/kinesis-subscribe-double.js';
import type { SubscribeDouble } from '../helpers/kinesis-subscribe-double.js';

// The EFO reader over real HTTP/2 and AWS event-stream framing, against the in-process double of
// SubscribeToShard (no emulator here serves it over HTTP/2; docs/decisions.md).
describe('enhanced fan-out over HTTP/2 (SubscribeToShard double)', () => {
  let double: SubscribeDouble;
  beforeAll(async () => {
    double = await startSubscribeDouble();
  });
  afterAll(async () => {
    await double.stop();
  });

  const reader = (shardId: string) => {
    const stream = { streamType: 'kinesis', topicName: 'events', properties: { endpoint: double.endpoint, region: 'us-east-1', accessKey: 'double', secretKey: 'double', shardIteratorType: 'TRIM_HORIZON', 'stream.kinesis.consumer.type': 'efo' } };
    const config = parseKinesisConfig(stream as unknown as StreamConfig, {}, 'events');
    const client = createKinesisClient(config, { http2: true });
    const consumer = new KinesisEfoPartitionConsumer({
      client, config, efo: config.efo!, shardId, clock: systemClock,
      registration: async () => ({ consumerName: 'shardtable-events', consumerArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/events/consumer/shardtable-events:1' }),
      polling: () => { throw new Error('the double serves no GetRecords'); },
      endProbeIntervalMs: 3_600_000,
    });
    return { consumer, client };
  };

  /** Fetches until `count` records came (or the shard ended), as the ingestion loop does. */
  async function readRecords(consumer: KinesisEfoPartitionConsumer, after: StreamOffset | null, count: number): Promise<{ data: string[]; last: StreamOffset | null; ended: boolean }> {
    const data: string[] = [];
    let position = after;
    let batch: MessageBatch | undefined;
    for (let i = 0; i < 200 && data.length < count && batch?.endOfPartition !== true; i++) {
      batch = await consumer.fetchMessages(position, 500);
      for (const m of batch.messages) data.push(new TextDecoder().decode(m.value));
      position = batch.messages.at(-1)?.offset ?? position;
    }
    return { data, last: position, ended: batch?.endOfPartition === true };
  }

  it('receives pushed records, renews an expired subscription after its continuation, and ends at ChildShards', async () => {
    const { consumer, client } = reader('shardId-000000000007');
    try {
      double.put('shardId-000000000007', [{ partitionKey: 'a', data: 'r1' }, { partitionKey: 'b', data: 'r2' }]);
      const first = await readRecords(consumer, null, 2);
      expect(first.data).toEqual(['r1', 'r2']);
      double.put('shardId-000000000007', [{ partitionKey: 'c', data: 'r3' }]);
      const pushed = await readRecords(consumer, first.last, 1);
      expect(pushed.data).toEqual(['r3']);

      double.expireSubscriptions();
      double.put('shardId-000000000007', [{ partitionKey: 'd', data: 'r4' }, { partitionKey: 'e', data: 'r5' }]);
      const renewed = await readRecords(consumer, pushed.last, 2);
      expect(renewed.data).toEqual(['r4', 'r5']);
      const calls = double.calls.filter((c) => c.shardId === 'shardId-000000000007');
      expect(calls).toHaveLength(2);
      expect(calls[0]!.startingPosition).toEqual({ Type: 'TRIM_HORIZON' });
      expect(calls[1]!.startingPosition).toEqual({ Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: pushed.last!.toString() });

      double.put('shardId-000000000007', [{ partitionKey: 'f', data: 'r6' }]);
      double.closeShard('shardId-000000000007', 'shardId-000000000008');
      const end = await readRecords(consumer, renewed.last, 10);
      expect(end.data).toEqual(['r6']);
      expect(end.ended).toBe(true);
      expect(consumer.readMode()).toBe('enhanced fan-out (consumer shardtable-events; ACTIVE, subscriptions since start: 2)');
    } finally {
      await consumer.close();
      client.destroy();
    }
  });
});
