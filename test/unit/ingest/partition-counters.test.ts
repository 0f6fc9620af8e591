import { describe, expect, it } from 'vitest';
import { PartitionCounters } from '../../../src/ingest/partition-counters.js';
import type { PartitionView } from '../../../src/ingest/partition-counters.js';
import { KinesisOffset } from '../../../src/plugins/stream/kinesis/kinesis-offset.js';
import type { StreamMessage } from '../../../src/spi/message-batch.js';

const view = (over: Partial<PartitionView> = {}): PartitionView => ({
  partition: { partitionId: 3, shardId: 'shardId-000000000003', parentShardIds: [], closed: false },
  state: 'CONSUMING',
  segment: { name: 'events__3__0__20260101T0000Z', numDocs: 2 },
  currentOffset: '20',
  startedFrom: 'TRIM_HORIZON',
  errorPolicy: 'skip',
  ...over,
});

const message = (seq: number, bytes: number): StreamMessage => ({
  key: 'k',
  value: new Uint8Array(bytes),
  offset: new KinesisOffset(String(seq)),
  arrivalTimeMs: 1000,
  serializedSize: bytes,
});

describe('PartitionCounters', () => {
  it('shows every status field, in the order consumingSegmentsInfo has always listed them', () => {
    const status = new PartitionCounters().status(view());
    expect(Object.keys(status)).toEqual([
      'partitionId', 'shardId', 'state', 'consumingSegmentName', 'rowsInConsumingSegment', 'currentOffset', 'startedFrom',
      'msBehindLatest', 'recordsConsumed', 'bytesConsumed', 'recordsDropped', 'recordsFiltered', 'recordsDeadLettered',
      'recordsWithLossyCoercion', 'errorPolicy', 'lastConsumedTimestampMs', 'throttleCount', 'errorCount', 'consecutiveFailedFetches', 'lastError',
    ]);
    expect(status).toMatchObject({ consumingSegmentName: 'events__3__0__20260101T0000Z', rowsInConsumingSegment: 2, msBehindLatest: null, lastConsumedTimestampMs: null, lastError: null });
  });

  it('counts consumed, filtered, dropped and dead-lettered records; a dead letter is also a drop', () => {
    const counters = new PartitionCounters();
    counters.fetched({ messages: [message(10, 5), message(20, 7)], endOfPartition: false, millisBehindLatest: 400 }, () => 1234);
    counters.consumed(message(10, 5));
    counters.consumed(message(20, 7));
    counters.filtered();
    counters.dropped(false);
    counters.dropped(true);
    expect(counters.status(view())).toMatchObject({
      recordsConsumed: 2, bytesConsumed: 12, recordsFiltered: 1, recordsDropped: 2, recordsDeadLettered: 1, msBehindLatest: 400, lastConsumedTimestampMs: 1234,
    });
  });

  it('counts records indexed with a lossy coercion apart from dropped ones', () => {
    const counters = new PartitionCounters();
    expect(counters.status(view()).recordsWithLossyCoercion).toBe(0);
    counters.coerced();
    counters.coerced();
    expect(counters.status(view())).toMatchObject({ recordsWithLossyCoercion: 2, recordsDropped: 0 });
  });

  it('keeps the last lag and consume time across an empty batch without lag', () => {
    const counters = new PartitionCounters();
    counters.fetched({ messages: [message(10, 1)], endOfPartition: false, millisBehindLatest: 50 }, () => 99);
    counters.fetched({ messages: [], endOfPartition: false, timedOut: true }, () => {
      throw new Error('an empty batch does not read the clock');
    });
    expect(counters.status(view())).toMatchObject({ msBehindLatest: 50, lastConsumedTimestampMs: 99 });
  });

  it('counts throttles apart from errors, keeps the last message, and clears it after a good seal', () => {
    const counters = new PartitionCounters();
    counters.throttled('ProvisionedThroughputExceededException');
    counters.error('socket hang up');
    expect(counters).toMatchObject({ throttleCount: 1, errorCount: 1, lastError: 'socket hang up' });
    counters.clearError();
    expect(counters.status(view())).toMatchObject({ throttleCount: 1, errorCount: 1, lastError: null });
  });

  it('counts failed fetches in a row until a batch answers; a timed-out batch is not an answer', () => {
    const counters = new PartitionCounters();
    counters.fetchFailed();
    counters.fetched({ messages: [], endOfPartition: false, timedOut: true }, () => 1);
    counters.fetchFailed();
    expect(counters.status(view()).consecutiveFailedFetches).toBe(2);
    counters.fetched({ messages: [], endOfPartition: false }, () => 1);
    expect(counters.status(view()).consecutiveFailedFetches).toBe(0);
  });

  it('shows no consuming segment once the partition has ended', () => {
    expect(new PartitionCounters().status(view({ state: 'ENDED', segment: null }))).toMatchObject({ state: 'ENDED', consumingSegmentName: null, rowsInConsumingSegment: 0 });
  });
});
