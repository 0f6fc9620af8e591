import { randomBytes } from 'node:crypto';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import type { StreamConfig } from '../../../../../src/config/table-config.js';
import { ShardtableError } from '../../../../../src/errors.js';
import { KinesisConsumerFactory } from '../../../../../src/plugins/stream/kinesis/kinesis-consumer-factory.js';
import { parseKinesisConfig } from '../../../../../src/plugins/stream/kinesis/kinesis-config.js';
import { BYTES_PER_MB, FetchSemaphore, ShardFetchPacer, fetchPacing } from '../../../../../src/plugins/stream/kinesis/kinesis-fetch-budget.js';
import { PartitionIdMap } from '../../../../../src/plugins/stream/kinesis/kinesis-partition-id.js';
import { ShardRateLimiter } from '../../../../../src/plugins/stream/kinesis/kinesis-rate-limiter.js';
import type { PartitionInfo } from '../../../../../src/spi/metadata-provider.js';
import type { StreamOffset } from '../../../../../src/spi/offset.js';
import type { PartitionConsumer } from '../../../../../src/spi/partition-consumer.js';
import { VirtualClock, settle } from './virtual-clock.js';

function stream(name: string, properties: Record<string, string> = {}): StreamConfig {
  return {
    streamType: 'kinesis',
    topicName: name,
    properties: { 'stream.kinesis.topic.name': name, endpoint: 'http://127.0.0.1:1', region: 'us-east-1', shardIteratorType: 'TRIM_HORIZON', ...properties },
    flush: { rows: 1000, timeMs: 60_000, segmentSizeBytes: 0 },
    decoderName: 'json',
  };
}

/**
 * A scripted Kinesis shard that always has more records (`behind`), or none (`empty`), stamping
 * every GetRecords call with the virtual time. Iterators are `it:<index>`.
 */
function fakeKinesis(clock: VirtualClock, opts: { recordBytes?: number; empty?: () => boolean } = {}) {
  const getRecordsAt: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const op = command.constructor.name.replace(/Command$/, '');
      if (op === 'GetShardIterator') return { ShardIterator: 'it:0' };
      getRecordsAt.push(clock.now());
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await settle(); // the call is "on the wire" for a moment, so overlapping calls are visible
      inFlight--;
      const index = Number(String(command.input.ShardIterator).slice(3));
      if (opts.empty?.()) return { Records: [], NextShardIterator: `it:${index}`, MillisBehindLatest: 0 };
      const data = new Uint8Array(opts.recordBytes ?? 10);
      const record = { SequenceNumber: String((index + 1) * 10), PartitionKey: 'k', Data: data, ApproximateArrivalTimestamp: new Date(0) };
      return { Records: [record], NextShardIterator: `it:${index + 1}`, MillisBehindLatest: 60_000 };
    },
    destroy: () => undefined,
  } as unknown as KinesisClient;
  return { client, getRecordsAt, maxInFlight: () => maxInFlight };
}

const shard = (n: number): PartitionInfo => ({ partitionId: n, shardId: `shardId-${String(n).padStart(12, '0')}`, parentShardIds: [], closed: false });

/** Fetches in a loop like the ingestion loop, checkpointing after each batch, until `stop()`. */
function pollLoop(consumer: PartitionConsumer, timeoutMs = 5000): { stop: () => Promise<void>; records: () => number } {
  let running = true;
  let records = 0;
  const done = (async () => {
    let after: StreamOffset | null = null;
    while (running) {
      const batch = await consumer.fetchMessages(after, timeoutMs);
      records += batch.messages.length;
      if (batch.messages.length > 0) after = batch.messages[batch.messages.length - 1]!.offset;
    }
  })();
  return { stop: async () => { running = false; await done; }, records: () => records };
}

/** The most calls that fall into any window of `windowMs`. */
function maxInWindow(times: readonly number[], windowMs: number): number {
  let best = 0;
  for (let i = 0; i < times.length; i++) {
    let n = 0;
    for (let j = i; j < times.length && times[j]! < times[i]! + windowMs; j++) n++;
    best = Math.max(best, n);
  }
  return best;
}

describe('fetchPacing', () => {
  it('spaces calls by the slower of requests_per_second_limit and minFetchPeriod', () => {
    expect(fetchPacing({ requestsPerSecondLimit: 1, minFetchPeriodMs: 200, maxFetchRateMBps: 2 }).callIntervalMs).toBe(1000);
    expect(fetchPacing({ requestsPerSecondLimit: 10, minFetchPeriodMs: 200, maxFetchRateMBps: 2 }).callIntervalMs).toBe(200);
    expect(fetchPacing({ requestsPerSecondLimit: 10, minFetchPeriodMs: 0, maxFetchRateMBps: 2 }).callIntervalMs).toBe(100);
    expect(fetchPacing({ requestsPerSecondLimit: 5, minFetchPeriodMs: 200, maxFetchRateMBps: 2 }).bytesPerMs).toBe((2 * BYTES_PER_MB) / 1000);
  });

  it('backs idle polls off to 1 s, or 5 call periods for fast settings', () => {
    expect(fetchPacing({ requestsPerSecondLimit: 5, minFetchPeriodMs: 200, maxFetchRateMBps: 2 }).idleBackoffMaxMs).toBe(1000);
    expect(fetchPacing({ requestsPerSecondLimit: 0.5, minFetchPeriodMs: 200, maxFetchRateMBps: 2 }).idleBackoffMaxMs).toBe(2000);
    expect(fetchPacing({ requestsPerSecondLimit: 1000, minFetchPeriodMs: 0, maxFetchRateMBps: 2 }).idleBackoffMaxMs).toBe(5);
  });
});

describe('ShardFetchPacer', () => {
  const pacing = fetchPacing({ requestsPerSecondLimit: 5, minFetchPeriodMs: 200, maxFetchRateMBps: 1 });

  it('doubles the wait after each empty batch up to the ceiling, and resets on records', async () => {
    const clock = new VirtualClock(0);
    const pacer = new ShardFetchPacer(new ShardRateLimiter(), 'k', clock, pacing);
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const start = clock.now();
      let at = -1;
      const turn = pacer.waitTurn(start + 10_000).then((ok) => ((at = clock.now()), ok));
      await clock.runUntil(start + 10_000);
      expect(await turn).toBe(true);
      waits.push(at - start);
      clock.setTime(at);
      pacer.afterFetch({ records: 0, bytes: 0, behind: false });
    }
    // First call at once; then 200, 400, 800 and the 1 s ceiling.
    expect(waits).toEqual([0, 200, 400, 800, 1000, 1000]);
    expect(pacer.idleDelay).toBe(1000);
    pacer.afterFetch({ records: 3, bytes: 30, behind: false });
    expect(pacer.idleDelay).toBe(0);
  });

  it('fetches at the allowed maximum while the shard is behind, even with empty batches', async () => {
    const clock = new VirtualClock(0);
    const pacer = new ShardFetchPacer(new ShardRateLimiter(), 'k', clock, pacing);
    const starts: number[] = [];
    for (let i = 0; i < 4; i++) {
      let at = -1;
      const turn = pacer.waitTurn(clock.now() + 10_000).then(() => (at = clock.now()));
      await clock.runUntil(clock.now() + 10_000);
      await turn;
      starts.push(at);
      clock.setTime(at);
      pacer.afterFetch({ records: 0, bytes: 0, behind: true }); // e.g. MillisBehindLatest > 0 past a gap
    }
    expect(starts).toEqual([0, 200, 400, 600]);
  });

  it('holds the shard for bytes / maxFetchRate after a large read', async () => {
    const clock = new VirtualClock(0);
    const limiter = new ShardRateLimiter();
    const pacer = new ShardFetchPacer(limiter, 'k', clock, pacing);
    expect(await pacer.waitTurn(10_000)).toBe(true);
    pacer.afterFetch({ records: 100, bytes: BYTES_PER_MB / 2, behind: true }); // 0.5 MB at 1 MB/s
    const turn = pacer.waitTurn(10_000);
    await clock.runUntil(10_000);
    expect(await turn).toBe(true);
    expect(clock.sleeps).toEqual([500]);
  });

  it('sleeps until the deadline and makes no call when no slot fits before it', async () => {
    const clock = new VirtualClock(0);
    const limiter = new ShardRateLimiter();
    const pacer = new ShardFetchPacer(limiter, 'k', clock, pacing);
    expect(await pacer.waitTurn(100)).toBe(true);
    const turn = pacer.waitTurn(100);
    await clock.runUntil(1000);
    expect(await turn).toBe(false);
    expect(clock.sleeps).toEqual([100]);
    expect(limiter.nextSlotOf('k')).toBe(200); // nothing was reserved by the refused fetch
  });
});

describe('FetchSemaphore', () => {
  it('caps permits and serves waiters first in, first out', async () => {
    const semaphore = new FetchSemaphore(2);
    const order: string[] = [];
    await semaphore.acquire();
    await semaphore.acquire();
    const waiters = ['a', 'b', 'c'].map((name) => semaphore.acquire().then(() => order.push(name)));
    await settle();
    expect(semaphore.stats()).toEqual({ limit: 2, inFlight: 2, maxInFlight: 2, waiting: 3 });
    semaphore.release();
    await settle();
    expect(order).toEqual(['a']);
    // A newcomer queues behind the waiters even when a permit is free at that moment.
    semaphore.release();
    const late = semaphore.acquire().then(() => order.push('late'));
    semaphore.release();
    semaphore.release();
    await Promise.all([...waiters, late]);
    expect(order).toEqual(['a', 'b', 'c', 'late']);
    expect(semaphore.stats().maxInFlight).toBe(2);
  });

  it('rejects a size below 1', () => {
    expect(() => new FetchSemaphore(0)).toThrow(/positive integer/);
  });
});

describe('GetRecords budget shared by tables (process-wide limiter, virtual clock)', () => {
  it('two tables on one stream make at most requests_per_second_limit calls per second per shard, together', async () => {
    const clock = new VirtualClock(0);
    const name = `shared-${randomBytes(4).toString('hex')}`; // a key of its own in the process-wide limiter
    const fakes = [fakeKinesis(clock), fakeKinesis(clock)];
    // No rateLimiter option: both factories use the process-wide limiter, as two tables do.
    const tables = fakes.map((fake) => new KinesisConsumerFactory(parseKinesisConfig(stream(name, { requests_per_second_limit: '2', minFetchPeriod: '0' })), {
      partitionIds: new PartitionIdMap(),
      client: fake.client,
      clock,
    }));
    const loops = tables.map((t) => pollLoop(t.createPartitionConsumer(shard(0))));
    await clock.runUntil(10_000);
    const stops = loops.map((l) => l.stop());
    await clock.runUntil(30_000);
    await Promise.all(stops);

    const times = [...fakes[0]!.getRecordsAt.filter((t) => t < 10_000), ...fakes[1]!.getRecordsAt.filter((t) => t < 10_000)].sort((a, b) => a - b);
    expect(times).toHaveLength(20); // 2 per second for 10 s, shared — not 2 per table
    expect(maxInWindow(times, 1000)).toBe(2);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(500);
    // Both tables got calls: one does not starve the other.
    expect(fakes[0]!.getRecordsAt.filter((t) => t < 10_000).length).toBeGreaterThanOrEqual(9);
    expect(fakes[1]!.getRecordsAt.filter((t) => t < 10_000).length).toBeGreaterThanOrEqual(9);
  });

  it('tables on different shards do not share a budget', async () => {
    const clock = new VirtualClock(0);
    const name = `apart-${randomBytes(4).toString('hex')}`;
    const fake = fakeKinesis(clock);
    const table = new KinesisConsumerFactory(parseKinesisConfig(stream(name, { requests_per_second_limit: '2', minFetchPeriod: '0' })), { partitionIds: new PartitionIdMap(), client: fake.client, clock });
    const loops = [0, 1].map((n) => pollLoop(table.createPartitionConsumer(shard(n))));
    await clock.runUntil(4_999);
    const stops = loops.map((l) => l.stop());
    await clock.runUntil(30_000);
    await Promise.all(stops);
    expect(fake.getRecordsAt.filter((t) => t < 5_000)).toHaveLength(20); // 2 shards × 2/s × 5 s
  });

  it('maxFetchRate spaces calls on a shard by the bytes each returned, across tables', async () => {
    const clock = new VirtualClock(0);
    const name = `bytes-${randomBytes(4).toString('hex')}`;
    const fakes = [fakeKinesis(clock, { recordBytes: BYTES_PER_MB / 4 }), fakeKinesis(clock, { recordBytes: BYTES_PER_MB / 4 })];
    const tables = fakes.map((fake) => new KinesisConsumerFactory(parseKinesisConfig(stream(name, { requests_per_second_limit: '1000', minFetchPeriod: '0', maxFetchRate: '1' })), {
      partitionIds: new PartitionIdMap(),
      client: fake.client,
      clock,
    }));
    const loops = tables.map((t) => pollLoop(t.createPartitionConsumer(shard(0))));
    await clock.runUntil(10_000);
    const stops = loops.map((l) => l.stop());
    await clock.runUntil(30_000);
    await Promise.all(stops);
    const times = [...fakes[0]!.getRecordsAt, ...fakes[1]!.getRecordsAt].filter((t) => t < 10_000).sort((a, b) => a - b);
    // 0.25 MB per call at 1 MB/s: one call per 250 ms on the shard, whichever table makes it.
    expect(times.length).toBeGreaterThanOrEqual(38);
    expect(times.length).toBeLessThanOrEqual(41);
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(5);
  });

  it('polls an empty shard less often, and fetches at full speed again once records come', async () => {
    const clock = new VirtualClock(0);
    let empty = true;
    const fake = fakeKinesis(clock, { empty: () => empty });
    const table = new KinesisConsumerFactory(parseKinesisConfig(stream(`idle-${randomBytes(4).toString('hex')}`, { requests_per_second_limit: '5' })), {
      partitionIds: new PartitionIdMap(),
      client: fake.client,
      clock,
    });
    const loop = pollLoop(table.createPartitionConsumer(shard(0)));
    await clock.runUntil(10_000);
    const idle = fake.getRecordsAt.length;
    empty = false;
    await clock.runUntil(20_000);
    const stop = loop.stop();
    await clock.runUntil(40_000);
    await stop;
    const busy = fake.getRecordsAt.filter((t) => t >= 11_000 && t < 20_000).length;
    // Idle: 0, 200, 600, 1400, then every 1 s → about 12 calls in 10 s instead of 50.
    expect(idle).toBeLessThanOrEqual(13);
    expect(idle).toBeGreaterThanOrEqual(10);
    expect(busy).toBe(45); // 5 per second while records flow
  });
});

describe('bounded fetch concurrency (stream.kinesis.max.concurrent.fetches)', () => {
  it('never has more fetches in flight than the cap, and every shard gets its turn', async () => {
    const clock = new VirtualClock(0);
    const fake = fakeKinesis(clock);
    const table = new KinesisConsumerFactory(parseKinesisConfig(stream(`many-${randomBytes(4).toString('hex')}`, {
      requests_per_second_limit: '5',
      'stream.kinesis.max.concurrent.fetches': '4',
    })), { partitionIds: new PartitionIdMap(), client: fake.client, clock });
    const loops = Array.from({ length: 50 }, (_, n) => pollLoop(table.createPartitionConsumer(shard(n))));
    await clock.runUntil(2_000);
    const stops = loops.map((l) => l.stop());
    await clock.runUntil(30_000);
    await Promise.all(stops);
    expect(fake.maxInFlight()).toBe(4);
    expect(table.fetchConcurrency().maxInFlight).toBe(4);
    expect(table.fetchConcurrency().inFlight).toBe(0);
    for (const loop of loops) expect(loop.records()).toBeGreaterThanOrEqual(10);
  });
});

describe('rate keys', () => {
  const parse = (properties: Record<string, string>) => parseKinesisConfig(stream('events', properties), {});

  it('reads maxFetchRate, minFetchPeriod (millis or a duration) and the fetch cap', () => {
    const config = parse({ maxFetchRate: '0.5', minFetchPeriod: '1s', 'stream.kinesis.max.concurrent.fetches': '4' });
    expect([config.maxFetchRateMBps, config.minFetchPeriodMs, config.maxConcurrentFetches]).toEqual([0.5, 1000, 4]);
    expect(parse({ minFetchPeriod: '250' }).minFetchPeriodMs).toBe(250);
    expect(parse({ minFetchPeriod: '400ms' }).minFetchPeriodMs).toBe(400);
  });

  it.each([
    ['maxFetchRate', '0'],
    ['maxFetchRate', 'fast'],
    ['maxFetchRate', '-1'],
    ['minFetchPeriod', 'soon'],
    ['minFetchPeriod', '2m'],
    ['stream.kinesis.max.concurrent.fetches', '0'],
    ['stream.kinesis.max.concurrent.fetches', '2.5'],
  ])('rejects %s=%s naming the key (a 400 at POST /tables)', (key, value) => {
    let error: unknown;
    try {
      parse({ [key]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ShardtableError);
    expect((error as ShardtableError).status).toBe(400);
    expect((error as Error).message).toContain(key);
  });
});
