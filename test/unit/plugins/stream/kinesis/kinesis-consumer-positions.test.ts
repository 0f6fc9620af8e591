import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { parseKinesisConfig } from '../../../../../src/plugins/stream/kinesis/kinesis-config.js';
import { KinesisPartitionConsumer } from '../../../../../src/plugins/stream/kinesis/kinesis-consumer.js';
import { KinesisOffset } from '../../../../../src/plugins/stream/kinesis/kinesis-offset.js';
import { ShardRateLimiter, systemClock } from '../../../../../src/plugins/stream/kinesis/kinesis-rate-limiter.js';
import type { MessageBatch } from '../../../../../src/spi/message-batch.js';
import { encodeKplAggregate } from '../../../../helpers/kpl.js';

type Call = { op: string; input: Record<string, unknown> };
interface FakeRecord { seq: string; key: string; data: Uint8Array; at: number }

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/**
 * A scripted one-shard Kinesis: serves `records` (ascending sequence numbers) and honours every
 * iterator type; iterators are `it:<index of next record>`. `expireOn` makes the n-th call throw
 * ExpiredIteratorException.
 */
function scriptedShard(records: FakeRecord[], opts: { expireOn?: number } = {}) {
  const calls: Call[] = [];
  const indexOf = (pred: (r: FakeRecord) => boolean): number => {
    const i = records.findIndex(pred);
    return i < 0 ? records.length : i;
  };
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const call = { op: command.constructor.name.replace(/Command$/, ''), input: command.input };
      calls.push(call);
      if (calls.length === opts.expireOn) throw Object.assign(new Error('expired'), { name: 'ExpiredIteratorException' });
      if (call.op === 'GetShardIterator') {
        const start = BigInt(String(call.input.StartingSequenceNumber ?? '0'));
        const positions: Record<string, () => number> = {
          TRIM_HORIZON: () => 0,
          LATEST: () => records.length,
          AT_TIMESTAMP: () => indexOf((r) => r.at >= (call.input.Timestamp as Date).getTime()),
          AT_SEQUENCE_NUMBER: () => indexOf((r) => BigInt(r.seq) >= start),
          AFTER_SEQUENCE_NUMBER: () => indexOf((r) => BigInt(r.seq) > start),
        };
        const index = positions[String(call.input.ShardIteratorType)]!();
        return { ShardIterator: `it:${index}` };
      }
      const index = Number(String(call.input.ShardIterator).slice(3));
      const end = Math.min(records.length, index + Number(call.input.Limit));
      return {
        Records: records.slice(index, end).map((r) => ({ SequenceNumber: r.seq, PartitionKey: r.key, Data: r.data, ApproximateArrivalTimestamp: new Date(r.at) })),
        NextShardIterator: `it:${end}`,
        MillisBehindLatest: 0,
      };
    },
  } as unknown as KinesisClient;
  return { client, calls };
}

function consumer(client: KinesisClient, properties: Record<string, string>, shardId = 'shardId-000000000000'): KinesisPartitionConsumer {
  const config = parseKinesisConfig({
    streamType: 'kinesis',
    topicName: 'events',
    properties: { 'stream.kinesis.topic.name': 'events', requests_per_second_limit: '1000', ...properties },
    flush: { rows: 1, timeMs: 1, segmentSizeBytes: 0 },
    decoderName: 'json',
  }, {});
  return new KinesisPartitionConsumer({ client, config, shardId, rateLimiter: new ShardRateLimiter(), rateLimitKey: `k-${Math.random()}`, clock: systemClock });
}

const offsets = (batch: MessageBatch): string[] => batch.messages.map((m) => m.offset.toString());
const datas = (batch: MessageBatch): string[] => batch.messages.map((m) => new TextDecoder().decode(m.value));

const PLAIN = (n: number): FakeRecord => ({ seq: String(n), key: `p${n}`, data: utf8(`plain-${n}`), at: 1000 + n });

describe('KinesisPartitionConsumer starting positions (scripted Kinesis)', () => {
  const records = [PLAIN(10), PLAIN(20), PLAIN(30), PLAIN(40)];

  it('AT_TIMESTAMP asks for the configured instant', async () => {
    const fake = scriptedShard(records);
    const batch = await consumer(fake.client, { shardIteratorType: 'AT_TIMESTAMP', 'stream.kinesis.iterator.timestamp': '1030' }).fetchMessages(null, 1000);
    expect(offsets(batch)).toEqual(['30', '40']);
    expect(fake.calls[0]!.input).toEqual({ StreamName: 'events', ShardId: 'shardId-000000000000', ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(1030) });
  });

  it('AT_SEQUENCE_NUMBER / AFTER_SEQUENCE_NUMBER start at the shard\'s entry of the map', async () => {
    const map = JSON.stringify({ 'shardId-000000000000': '20' });
    for (const [type, expected] of [['AT_SEQUENCE_NUMBER', ['20', '30', '40']], ['AFTER_SEQUENCE_NUMBER', ['30', '40']]] as const) {
      const fake = scriptedShard(records);
      const batch = await consumer(fake.client, { shardIteratorType: type, 'stream.kinesis.iterator.sequenceNumbers': map }).fetchMessages(null, 1000);
      expect(offsets(batch)).toEqual(expected);
      expect(fake.calls[0]!.input).toEqual({ StreamName: 'events', ShardId: 'shardId-000000000000', ShardIteratorType: type, StartingSequenceNumber: '20' });
    }
  });

  it('a shard missing from the map starts at TRIM_HORIZON', async () => {
    const fake = scriptedShard(records);
    const c = consumer(fake.client, { shardIteratorType: 'AT_SEQUENCE_NUMBER', 'stream.kinesis.iterator.sequenceNumbers': '{"shardId-000000000009":"20"}' });
    expect(offsets(await c.fetchMessages(null, 1000))).toEqual(['10', '20', '30', '40']);
    expect(fake.calls[0]!.input.ShardIteratorType).toBe('TRIM_HORIZON');
  });

  it('a checkpoint always wins over the starting position', async () => {
    const cases: Record<string, string>[] = [
      { shardIteratorType: 'AT_SEQUENCE_NUMBER', 'stream.kinesis.iterator.sequenceNumbers': '{"shardId-000000000000":"10"}' },
      { shardIteratorType: 'AT_TIMESTAMP', 'stream.kinesis.iterator.timestamp': '1000' },
      { shardIteratorType: 'LATEST' },
    ];
    for (const props of cases) {
      const fake = scriptedShard(records);
      expect(offsets(await consumer(fake.client, props).fetchMessages(KinesisOffset.parse('20'), 1000))).toEqual(['30', '40']);
      expect(fake.calls[0]!.input).toMatchObject({ ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: '20' });
    }
  });
});

describe('KinesisPartitionConsumer with KPL aggregated records (scripted Kinesis)', () => {
  const aggregate = (seq: string, ids: number[], opts: { corruptMd5?: boolean } = {}): FakeRecord => ({
    seq,
    key: 'outer-key',
    data: encodeKplAggregate(ids.map((id) => ({ partitionKey: `user-${id}`, data: `{"id":${id}}` })), opts),
    at: 2000,
  });
  const records = [PLAIN(10), aggregate('20', [1, 2, 3]), PLAIN(30), aggregate('40', [4, 5], { corruptMd5: true }), aggregate('50', [6, 7])];

  it('emits each user record with its own key and offset <seq>:<i>; a bad MD5 passes through whole', async () => {
    const fake = scriptedShard(records);
    const batch = await consumer(fake.client, { shardIteratorType: 'TRIM_HORIZON' }).fetchMessages(null, 1000);
    expect(offsets(batch)).toEqual(['10', '20:0', '20:1', '20:2', '30', '40', '50:0', '50:1']);
    expect(batch.messages.map((m) => m.key)).toEqual(['p10', 'user-1', 'user-2', 'user-3', 'p30', 'outer-key', 'user-6', 'user-7']);
    expect(datas(batch).slice(1, 4)).toEqual(['{"id":1}', '{"id":2}', '{"id":3}']);
    expect(batch.messages[5]!.value).toEqual(records[3]!.data);
    expect(batch.messages[1]).toMatchObject({ arrivalTimeMs: 2000, serializedSize: 8 });
    for (let i = 1; i < batch.messages.length; i++) expect(batch.messages[i]!.offset.compareTo(batch.messages[i - 1]!.offset)).toBeGreaterThan(0);
  });

  it('resuming after <seq>:<i> re-reads that record AT its sequence number and skips sub-records ≤ i', async () => {
    for (const [after, expected] of [
      ['20:0', ['20:1', '20:2', '30', '40', '50:0', '50:1']],
      ['20:1', ['20:2', '30', '40', '50:0', '50:1']],
      ['20:2', ['30', '40', '50:0', '50:1']],
      ['50:0', ['50:1']],
    ] as const) {
      const fake = scriptedShard(records);
      const batch = await consumer(fake.client, { shardIteratorType: 'LATEST' }).fetchMessages(KinesisOffset.parse(after), 1000);
      expect(offsets(batch), `after ${after}`).toEqual(expected);
      expect(fake.calls[0]!.input).toMatchObject({ ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: after.split(':')[0] });
    }
    // A plain offset still resumes AFTER it.
    const fake = scriptedShard(records);
    expect(offsets(await consumer(fake.client, {}).fetchMessages(KinesisOffset.parse('30'), 1000))).toEqual(['40', '50:0', '50:1']);
    expect(fake.calls[0]!.input).toMatchObject({ ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: '30' });
  });

  it('an expired iterator after a sub-record re-acquires AT that record and skips what was returned', async () => {
    // calls: 1 GetShardIterator, 2 GetRecords (10, 20:*), 3 GetRecords → expired, 4 GetShardIterator, 5 GetRecords
    const fake = scriptedShard(records, { expireOn: 3 });
    const c = consumer(fake.client, { shardIteratorType: 'TRIM_HORIZON', maxRecordsToFetch: '2' });
    const first = await c.fetchMessages(null, 1000);
    expect(offsets(first)).toEqual(['10', '20:0', '20:1', '20:2']);
    const second = await c.fetchMessages(first.messages[3]!.offset, 1000);
    expect(offsets(second)).toEqual(['30']); // Limit 2: record 20 (all dropped) and 30
    expect(fake.calls[3]!.input).toMatchObject({ ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: '20' });
  });
});
