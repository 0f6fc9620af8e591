import type { KinesisClient, SubscribeToShardEventStream } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { parseKinesisConfig } from '../../../../../src/plugins/stream/kinesis/kinesis-config.js';
import { defaultConsumerName } from '../../../../../src/plugins/stream/kinesis/kinesis-efo-config.js';
import { KinesisEfoPartitionConsumer } from '../../../../../src/plugins/stream/kinesis/kinesis-efo-consumer.js';
import { KinesisOffset } from '../../../../../src/plugins/stream/kinesis/kinesis-offset.js';
import { systemClock } from '../../../../../src/plugins/stream/kinesis/kinesis-rate-limiter.js';
import type { MessageBatch } from '../../../../../src/spi/message-batch.js';
import type { PartitionConsumer } from '../../../../../src/spi/partition-consumer.js';
import { PermanentStreamError, TransientStreamError } from '../../../../../src/spi/partition-consumer.js';

const stream = (more: Record<string, string> = {}) => ({
  streamType: 'kinesis', topicName: 'events', decoderClass: 'json', properties: { 'stream.kinesis.topic.name': 'events', endpoint: 'http://127.0.0.1:1', shardIteratorType: 'TRIM_HORIZON', 'stream.kinesis.consumer.type': 'efo', ...more },
});
const config = parseKinesisConfig(stream() as never, {}, 'events');

type Subscribe = { StartingPosition: { Type: string; SequenceNumber?: string } };
const record = (seq: number) => ({ SequenceNumber: String(seq), PartitionKey: 'k', Data: new TextEncoder().encode(`r${seq}`) });

/**
 * TEST DOUBLE of a Kinesis client that answers only SubscribeToShard: each call takes the next
 * script, a list of events (or an error to throw mid-stream, or one to refuse the call with).
 * Neither emulator sends ChildShards or error events, so these paths are driven here.
 */
function subscribeDouble(scripts: (SubscribeToShardEventStream | Error)[][], refuse?: Error) {
  const calls: Subscribe[] = [];
  const client = {
    send: async (command: { input: Subscribe }) => {
      calls.push(command.input);
      if (refuse !== undefined) throw refuse;
      const script = scripts.shift() ?? [];
      return {
        EventStream: (async function* () {
          for (const item of script) {
            if (item instanceof Error) throw item;
            yield item;
          }
        })(),
      };
    },
  } as unknown as KinesisClient;
  return { client, calls };
}

function consumer(client: KinesisClient, opts: { registration?: () => Promise<{ consumerName: string; consumerArn: string }>; polling?: () => PartitionConsumer } = {}) {
  return new KinesisEfoPartitionConsumer({
    client,
    config,
    efo: config.efo!,
    shardId: 'shardId-000000000000',
    clock: systemClock,
    registration: opts.registration ?? (async () => ({ consumerName: 'shardtable-events', consumerArn: 'arn:consumer' })),
    polling: opts.polling ?? (() => { throw new Error('no polling in this test'); }),
    endProbeIntervalMs: 3_600_000,
  });
}

const seqs = (batch: MessageBatch): string[] => batch.messages.map((m) => m.offset.toString());
const namedError = (name: string) => Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: 400 } });

describe('KinesisEfoPartitionConsumer', () => {
  it('ends the shard at the event with ChildShards, after returning its records', async () => {
    const { client, calls } = subscribeDouble([[
      { SubscribeToShardEvent: { Records: [record(10), record(20)], ContinuationSequenceNumber: '20', MillisBehindLatest: 5 } },
      { SubscribeToShardEvent: { Records: [record(30)], ContinuationSequenceNumber: undefined, MillisBehindLatest: 0, ChildShards: [{ ShardId: 'shardId-000000000001', ParentShards: ['shardId-000000000000'], HashKeyRange: { StartingHashKey: '0', EndingHashKey: '1' } }] } },
    ]]);
    const c = consumer(client);
    const first = await c.fetchMessages(null, 1000);
    expect(seqs(first)).toEqual(['10', '20']);
    expect(first.millisBehindLatest).toBe(5);
    const last = await c.fetchMessages(first.messages[1]!.offset, 1000);
    expect(seqs(last)).toEqual(['30']);
    expect(last.endOfPartition).toBe(true);
    expect((await c.fetchMessages(last.messages[0]!.offset, 1000)).endOfPartition).toBe(true);
    expect(calls.map((call) => call.StartingPosition)).toEqual([{ Type: 'TRIM_HORIZON' }]);
    expect(c.readMode()).toBe('enhanced fan-out (consumer shardtable-events; ACTIVE, subscriptions since start: 1)');
  });

  it('renews an ended subscription after its ContinuationSequenceNumber, and restarts from a different checkpoint', async () => {
    const { client, calls } = subscribeDouble([
      [{ SubscribeToShardEvent: { Records: [record(10)], ContinuationSequenceNumber: '15', MillisBehindLatest: 0 } }],
      [{ SubscribeToShardEvent: { Records: [record(20)], ContinuationSequenceNumber: '20', MillisBehindLatest: 0 } }],
      [{ SubscribeToShardEvent: { Records: [record(40), record(50)], ContinuationSequenceNumber: '50', MillisBehindLatest: 0 } }],
    ]);
    const c = consumer(client);
    const first = await c.fetchMessages(null, 1000);
    expect(seqs(first)).toEqual(['10']);
    // The stream ends the subscription (its 5 minutes): an empty batch, then a renewal.
    expect(seqs(await c.fetchMessages(first.messages[0]!.offset, 1000))).toEqual([]);
    const renewed = await c.fetchMessages(first.messages[0]!.offset, 1000);
    expect(seqs(renewed)).toEqual(['20']);
    // Ingestion retries from an older checkpoint inside a KPL aggregate: a new subscription AT it.
    const retried = await c.fetchMessages(new KinesisOffset('40', 0), 1000);
    expect(seqs(retried)).toEqual(['50']);
    expect(calls.map((call) => call.StartingPosition)).toEqual([
      { Type: 'TRIM_HORIZON' },
      { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: '15' },
      { Type: 'AT_SEQUENCE_NUMBER', SequenceNumber: '40' },
    ]);
  });

  it('classifies a refused subscription and an error sent in the stream', async () => {
    const busy = consumer(subscribeDouble([], namedError('ResourceInUseException')).client);
    await expect(busy.fetchMessages(null, 1000)).rejects.toBeInstanceOf(TransientStreamError);
    const gone = consumer(subscribeDouble([[namedError('ResourceNotFoundException')]]).client);
    const error = await gone.fetchMessages(null, 1000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentStreamError);
    expect((error as Error).message).toMatch(/SubscribeToShard failed: shard shardId-000000000000 of Kinesis stream events does not exist/);
  });

  it('falls back to polling when registration fails, and says why in readMode', async () => {
    const polled: (string | null)[] = [];
    const polling: PartitionConsumer = {
      fetchMessages: async (after) => {
        polled.push(after?.toString() ?? null);
        return { messages: [], endOfPartition: false };
      },
      close: async () => undefined,
    };
    const { client, calls } = subscribeDouble([]);
    const c = consumer(client, { registration: () => Promise.reject(new Error('RegisterStreamConsumer for consumer shardtable-events of Kinesis stream events failed: LimitExceededException: 20 consumers')), polling: () => polling });
    expect(c.readMode()).toMatch(/^enhanced fan-out \(consumer shardtable-events; registering\)$/);
    await c.fetchMessages(null, 1000);
    await c.fetchMessages(new KinesisOffset('10'), 1000);
    expect(polled).toEqual([null, '10']);
    expect(calls).toEqual([]);
    expect(c.readMode()).toBe('polling (fell back from enhanced fan-out: RegisterStreamConsumer for consumer shardtable-events of Kinesis stream events failed: LimitExceededException: 20 consumers)');
  });
});

describe('enhanced fan-out keys', () => {
  it('default to polling; efo names the consumer after the table', () => {
    expect(parseKinesisConfig({ ...stream(), properties: { 'stream.kinesis.topic.name': 'events' } } as never, {}, 'events').efo).toBeUndefined();
    expect(config.efo).toEqual({ consumerName: 'shardtable-events', subscriptionMs: 300_000, registrationTimeoutMs: 60_000 });
    expect(defaultConsumerName('my table/1')).toBe('shardtable-my_table_1');
    const named = parseKinesisConfig(stream({ 'stream.kinesis.consumer.name': 'reader-1', 'stream.kinesis.consumer.subscription.millis': '60000' }) as never, {}, 'events');
    expect(named.efo).toEqual({ consumerName: 'reader-1', subscriptionMs: 60_000, registrationTimeoutMs: 60_000 });
  });

  it('refuses bad values naming each key', () => {
    expect(() => parseKinesisConfig(stream({ 'stream.kinesis.consumer.type': 'push' }) as never, {}, 'events')).toThrow(/stream\.kinesis\.consumer\.type must be polling or efo \(got "push"\)/);
    expect(() => parseKinesisConfig(stream({ 'stream.kinesis.consumer.name': 'a b', 'stream.kinesis.consumer.subscription.millis': '400000' }) as never, {}, 'events'))
      .toThrow(/stream\.kinesis\.consumer\.name must be 1-128 characters.*stream\.kinesis\.consumer\.subscription\.millis must be an integer number of millis from 1000 to 300000 \(got "400000"\)/);
    expect(() => parseKinesisConfig(stream({ 'stream.kinesis.consumer.type': 'polling', 'stream.kinesis.consumer.name': 'x' }) as never, {}, 'events'))
      .toThrow(/stream\.kinesis\.consumer\.name is only used with stream\.kinesis\.consumer\.type=efo/);
  });
});
