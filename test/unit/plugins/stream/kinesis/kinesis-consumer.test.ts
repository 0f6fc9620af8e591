import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { parseKinesisConfig } from '../../../../../src/plugins/stream/kinesis/kinesis-config.js';
import { KinesisPartitionConsumer } from '../../../../../src/plugins/stream/kinesis/kinesis-consumer.js';
import { KinesisOffset } from '../../../../../src/plugins/stream/kinesis/kinesis-offset.js';
import { ShardRateLimiter, systemClock } from '../../../../../src/plugins/stream/kinesis/kinesis-rate-limiter.js';
import { PermanentStreamError, TransientStreamError } from '../../../../../src/spi/partition-consumer.js';

type Call = { op: string; input: Record<string, unknown> };

function sdkError(name: string, status = 400): Error {
  return Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });
}

/**
 * A fake one-shard Kinesis: records with sequence numbers 10, 20, 30, ...; iterators are
 * `it:<index of next record>`. `script` may throw for a call to inject failures.
 */
function fakeShard(count: number, opts: { closed?: boolean; script?: (call: Call, n: number) => void; hang?: boolean; hangWhen?: (call: Call) => boolean } = {}) {
  const calls: Call[] = [];
  const seq = (i: number): string => String((i + 1) * 10);
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }, options?: { abortSignal?: AbortSignal }) => {
      const call = { op: command.constructor.name.replace(/Command$/, ''), input: command.input };
      calls.push(call);
      opts.script?.(call, calls.length);
      if (opts.hang === true || opts.hangWhen?.(call) === true) {
        await new Promise((_, reject) => options?.abortSignal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' }))));
      }
      if (call.op === 'GetShardIterator') {
        const type = call.input.ShardIteratorType;
        let index = 0;
        if (type === 'AFTER_SEQUENCE_NUMBER') index = Number(call.input.StartingSequenceNumber) / 10;
        if (type === 'LATEST') index = count;
        return { ShardIterator: `it:${index}` };
      }
      const index = Number(String(call.input.ShardIterator).slice(3));
      const limit = Number(call.input.Limit);
      const end = Math.min(count, index + limit);
      const records = [];
      for (let i = index; i < end; i++) records.push({ SequenceNumber: seq(i), PartitionKey: 'k', Data: new Uint8Array([i]), ApproximateArrivalTimestamp: new Date(1000 + i) });
      const ended = opts.closed === true && end >= count;
      return { Records: records, NextShardIterator: ended ? undefined : `it:${end}`, MillisBehindLatest: (count - end) * 1000 };
    },
  } as unknown as KinesisClient;
  return { client, calls };
}

function consumer(client: KinesisClient, properties: Record<string, string> = {}): KinesisPartitionConsumer {
  const config = parseKinesisConfig({
    streamType: 'kinesis',
    topicName: 'events',
    properties: { 'stream.kinesis.topic.name': 'events', shardIteratorType: 'TRIM_HORIZON', requests_per_second_limit: '1000', ...properties },
    flush: { rows: 1, timeMs: 1, segmentSizeBytes: 0 },
    decoderName: 'json',
  }, {});
  return new KinesisPartitionConsumer({ client, config, shardId: 'shardId-000000000000', rateLimiter: new ShardRateLimiter(), rateLimitKey: 'k', clock: systemClock });
}

const seqs = (batch: { messages: readonly { offset: { toString(): string } }[] }): string[] => batch.messages.map((m) => m.offset.toString());

describe('KinesisPartitionConsumer (fake Kinesis)', () => {
  it('reuses its iterator while `after` is the last returned offset, and passes MillisBehindLatest through', async () => {
    const fake = fakeShard(5);
    const c = consumer(fake.client, { maxRecordsToFetch: '2' });
    const first = await c.fetchMessages(null, 1000);
    expect(seqs(first)).toEqual(['10', '20']);
    expect(first.millisBehindLatest).toBe(3000);
    expect(first.messages[0]).toMatchObject({ key: 'k', arrivalTimeMs: 1000, serializedSize: 1 });
    const second = await c.fetchMessages(first.messages[1]!.offset, 1000);
    expect(seqs(second)).toEqual(['30', '40']);
    expect(fake.calls.map((x) => x.op)).toEqual(['GetShardIterator', 'GetRecords', 'GetRecords']);
    expect(fake.calls[0]!.input.ShardIteratorType).toBe('TRIM_HORIZON');
    expect(fake.calls[2]!.input.Limit).toBe(2);
  });

  it('re-acquires an expired iterator after the last returned offset and retries', async () => {
    const fake = fakeShard(5, { script: (call, n) => { if (call.op === 'GetRecords' && n === 3) throw sdkError('ExpiredIteratorException'); } });
    const c = consumer(fake.client, { maxRecordsToFetch: '2' });
    const first = await c.fetchMessages(null, 1000);
    const second = await c.fetchMessages(first.messages[1]!.offset, 1000);
    expect(seqs(second)).toEqual(['30', '40']);
    expect(fake.calls[3]).toEqual({ op: 'GetShardIterator', input: { StreamName: 'events', ShardId: 'shardId-000000000000', ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: '20' } });
  });

  it('throws throttling, 5xx and network errors as TransientStreamError', async () => {
    for (const err of [sdkError('ProvisionedThroughputExceededException'), sdkError('LimitExceededException'), sdkError('InternalFailure', 500), Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })]) {
      const fake = fakeShard(3, { script: (call) => { if (call.op === 'GetRecords') throw err; } });
      const fetch = consumer(fake.client).fetchMessages(null, 1000);
      await expect(fetch).rejects.toBeInstanceOf(TransientStreamError);
      await expect(fetch).rejects.toThrow(/shard shardId-000000000000 of Kinesis stream events/);
    }
  });

  it('throws ResourceNotFoundException as PermanentStreamError naming the stream', async () => {
    const fake = fakeShard(3, { script: (call) => { if (call.op === 'GetShardIterator') throw sdkError('ResourceNotFoundException'); } });
    const fetch = consumer(fake.client).fetchMessages(null, 1000);
    await expect(fetch).rejects.toBeInstanceOf(PermanentStreamError);
    await expect(fetch).rejects.toThrow('shard shardId-000000000000 of Kinesis stream events does not exist');
  });

  it('returns an empty batch marked timedOut when the fetch times out', async () => {
    const fake = fakeShard(3, { hang: true });
    expect(await consumer(fake.client).fetchMessages(null, 20)).toEqual({
      messages: [],
      endOfPartition: false,
      timedOut: true,
      note: 'GetRecords Limit lowered from 10000 to 5000 records',
    });
  });

  it('asks for half as many records after each timeout until the answers arrive in time, then grows back', async () => {
    // An endpoint too slow to answer more than 50 records within the fetch timeout.
    let slow = true;
    const fake = fakeShard(300, { hangWhen: (call) => slow && call.op === 'GetRecords' && Number(call.input.Limit) > 50 });
    const c = consumer(fake.client, { maxRecordsToFetch: '400', minFetchPeriod: '0' });
    const notes: string[] = [];
    let batch = await c.fetchMessages(null, 50);
    while (batch.timedOut === true) {
      notes.push(batch.note ?? '');
      batch = await c.fetchMessages(null, 50);
    }
    expect(notes).toEqual([
      'GetRecords Limit lowered from 400 to 200 records',
      'GetRecords Limit lowered from 200 to 100 records',
      'GetRecords Limit lowered from 100 to 50 records',
    ]);
    // Progress from the same position: the first 50 records, nothing skipped.
    expect(seqs(batch)).toEqual(Array.from({ length: 50 }, (_, i) => String((i + 1) * 10)));
    expect(fake.calls.filter((x) => x.op === 'GetRecords').map((x) => x.input.Limit)).toEqual([400, 200, 100, 50]);

    // The endpoint is fast again: each quick full batch doubles the limit, up to maxRecordsToFetch.
    slow = false;
    const limits: number[] = [];
    let after = batch.messages[batch.messages.length - 1]!.offset;
    while (after.toString() !== '3000') {
      limits.push(c.fetchLimit);
      const next = await c.fetchMessages(after, 5000);
      after = next.messages[next.messages.length - 1]!.offset;
    }
    expect(limits).toEqual([100, 200]);
    expect(c.fetchLimit).toBe(200); // the last batch was partial (50 records left): no growth
  });

  it('never asks for less than one record, and says so once at the floor', async () => {
    const fake = fakeShard(3, { hang: true });
    const c = consumer(fake.client, { maxRecordsToFetch: '2', minFetchPeriod: '0' });
    expect((await c.fetchMessages(null, 20)).note).toBe('GetRecords Limit lowered from 2 to 1 records');
    expect((await c.fetchMessages(null, 20)).note).toBe('GetRecords Limit already at its floor of 1 record');
    expect(c.fetchLimit).toBe(1);
  });

  it('reports the end of a closed shard with its last records, and keeps reporting it without calling', async () => {
    const fake = fakeShard(3, { closed: true });
    const c = consumer(fake.client);
    const batch = await c.fetchMessages(null, 1000);
    expect(seqs(batch)).toEqual(['10', '20', '30']);
    expect(batch.endOfPartition).toBe(true);
    const calls = fake.calls.length;
    expect(await c.fetchMessages(batch.messages[2]!.offset, 1000)).toEqual({ messages: [], endOfPartition: true });
    expect(fake.calls.length).toBe(calls);
  });

  it('never returns a record at or before `after`', async () => {
    // An emulator that ignores AFTER_SEQUENCE_NUMBER and starts from the beginning.
    const fake = fakeShard(4, { script: (call) => { if (call.op === 'GetShardIterator') call.input.ShardIteratorType = 'TRIM_HORIZON'; } });
    expect(seqs(await consumer(fake.client).fetchMessages(KinesisOffset.parse('20'), 1000))).toEqual(['30', '40']);
  });
});
