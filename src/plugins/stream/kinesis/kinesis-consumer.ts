import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import type { GetRecordsCommandOutput, KinesisClient } from '@aws-sdk/client-kinesis';
import type { MessageBatch } from '../../../spi/message-batch.js';
import type { StreamOffset } from '../../../spi/offset.js';
import type { PartitionConsumer } from '../../../spi/partition-consumer.js';
import type { KinesisConfig } from './kinesis-config.js';
import { isNamed, toStreamError } from './kinesis-errors.js';
import { messagesAfter } from './kinesis-records.js';
import { cursorIsAt, KinesisOffset, toKinesisOffset } from './kinesis-offset.js';
import type { Clock, ShardRateLimiter } from './kinesis-rate-limiter.js';
import { ShardFetchPacer, fetchPacing } from './kinesis-fetch-budget.js';
import type { FetchSemaphore } from './kinesis-fetch-budget.js';
import { AdaptiveFetchLimit } from './kinesis-fetch-limit.js';

const EMPTY: MessageBatch = Object.freeze({ messages: Object.freeze([]), endOfPartition: false });
const ENDED: MessageBatch = Object.freeze({ messages: Object.freeze([]), endOfPartition: true });
const TIMED_OUT: MessageBatch = Object.freeze({ messages: Object.freeze([]), endOfPartition: false, timedOut: true });

export interface KinesisPartitionConsumerOptions {
  readonly client: KinesisClient;
  readonly config: KinesisConfig;
  readonly shardId: string;
  readonly rateLimiter: ShardRateLimiter;
  /** Key under which this shard's GetRecords budget is shared (endpoint + stream + shard). */
  readonly rateLimitKey: string;
  readonly clock: Clock;
  /** Caps the table's fetches in flight (FIFO); none = no cap. */
  readonly concurrency?: FetchSemaphore;
  /** With no checkpoint, start at TRIM_HORIZON whatever the table's `shardIteratorType` (child shards). */
  readonly fromOldest?: boolean;
  /** With no checkpoint, start at LATEST whatever the table's `shardIteratorType` (a stream reset to `largest`). */
  readonly fromLatest?: boolean;
  /** With no checkpoint, start AT_TIMESTAMP this epoch millis (a rewind). */
  readonly atTimestampMs?: number;
}

/**
 * Reads one Kinesis shard with GetShardIterator + GetRecords (the contract is in
 * `src/spi/partition-consumer.ts`).
 *
 * - Cursor: `after === null` starts at the configured position (`config.initialIteratorType`, or
 *   the shard's entry in `stream.kinesis.iterator.sequenceNumbers`), otherwise
 *   `AFTER_SEQUENCE_NUMBER after` — or `AT_SEQUENCE_NUMBER` when `after` is `<seq>:<i>` inside a
 *   KPL aggregated record, whose sub-records ≤ i are then dropped. The shard iterator is reused while `after` equals
 *   the last offset returned (or stays null before any record), so quiet LATEST polls lose nothing.
 * - One GetRecords call per fetch, its `Limit` at most `maxRecordsToFetch` (`AdaptiveFetchLimit`:
 *   halved after a timeout, doubled again after a quick full batch), paced by `ShardFetchPacer`
 *   (`requests_per_second_limit`, `minFetchPeriod`, `maxFetchRate` shared per shard across tables;
 *   idle backoff on empty batches) and capped by the table's `FetchSemaphore`. When no call fits
 *   before the fetch's deadline it sleeps until the deadline and returns an empty batch.
 * - End of shard: GetRecords without `NextShardIterator` → `endOfPartition: true` (also on every
 *   later fetch from the same position, without calling again).
 * - `ExpiredIteratorException`: re-acquire an iterator after the last returned offset (or at the
 *   starting position if none was returned) and retry once.
 * - Throttling (`ProvisionedThroughputExceededException`, `LimitExceededException`), 5xx, network:
 *   thrown as `TransientStreamError` at once (the client makes no SDK retries); the ingestion
 *   loop backs off with jitter and the event shows in status. `ResourceNotFoundException` and
 *   other errors that waiting will not cure: `PermanentStreamError` naming stream and shard.
 * - A fetch that exceeds `timeoutMs` is aborted and returns an empty batch marked `timedOut`
 *   (counted in status; the rate limiter spaces the next call); the iterator is kept
 *   (Kinesis iterators may be reused), so nothing is skipped. The next call asks for half as many
 *   records (the batch's `note` says so), so answers too big to arrive in time shrink until they do.
 * - Records at or before `after` are dropped defensively, so a batch is strictly after `after`.
 */
export class KinesisPartitionConsumer implements PartitionConsumer {
  private iterator: string | undefined;
  /** The position `iterator` continues from: undefined = no cursor, null = the starting position. */
  private cursorAfter: KinesisOffset | null | undefined;
  private ended = false;
  private closed = false;
  private readonly pacer: ShardFetchPacer;
  private readonly limit: AdaptiveFetchLimit;
  /** Kinesis records (before KPL de-aggregation) in the last GetRecords answer. */
  private lastCallRecords = 0;

  constructor(private readonly opts: KinesisPartitionConsumerOptions) {
    this.pacer = new ShardFetchPacer(opts.rateLimiter, opts.rateLimitKey, opts.clock, fetchPacing(opts.config));
    this.limit = new AdaptiveFetchLimit(opts.config.maxRecordsToFetch);
  }

  /** The `Limit` of the next GetRecords call (`maxRecordsToFetch` unless timeouts lowered it). */
  get fetchLimit(): number {
    return this.limit.value;
  }

  async fetchMessages(after: StreamOffset | null, timeoutMs: number): Promise<MessageBatch> {
    if (this.closed) throw new Error(`consumer of shard ${this.opts.shardId} is closed`);
    const position = after === null ? null : toKinesisOffset(after);
    if (!cursorIsAt(this.cursorAfter, position)) {
      this.iterator = undefined;
      this.ended = false;
      this.cursorAfter = position;
    }
    if (this.ended) return ENDED;

    const { clock, concurrency } = this.opts;
    const deadline = clock.now() + Math.max(0, timeoutMs);
    // Pacing (kinesis-fetch-budget.ts): idle backoff, then the shard's shared call and byte budget.
    if (!(await this.pacer.waitTurn(deadline))) return EMPTY;
    await concurrency?.acquire();
    // A fetch that queued for a permit still gets a fair share of time for its own call.
    const callStart = clock.now();
    const callDeadline = Math.max(deadline, callStart + Math.min(timeoutMs, 1000));
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), Math.max(1, callDeadline - callStart));
    const limit = this.limit.value;
    try {
      const batch = await this.fetchOnce(position, limit, controller.signal);
      this.limit.answered(this.lastCallRecords, clock.now() - callStart, callDeadline - callStart);
      this.pacer.afterFetch(fetchOutcome(batch, limit));
      return batch;
    } catch (err) {
      if (controller.signal.aborted) return this.timedOut(limit);
      throw toStreamError(err, 'GetRecords', this.opts.config.streamName, this.opts.shardId);
    } finally {
      clearTimeout(timer);
      concurrency?.release();
    }
  }

  /** A call ran out of time: the next one asks for fewer records, and the batch says so. */
  private timedOut(limit: number): MessageBatch {
    const lowered = this.limit.timedOut();
    const note = lowered
      ? `GetRecords Limit lowered from ${limit} to ${this.limit.value} records`
      : `GetRecords Limit already at its floor of ${limit} record${limit === 1 ? '' : 's'}`;
    return Object.freeze({ ...TIMED_OUT, note });
  }

  private async fetchOnce(position: KinesisOffset | null, limit: number, signal: AbortSignal): Promise<MessageBatch> {
    this.iterator ??= await this.acquireIterator(position, signal);
    let out: GetRecordsCommandOutput;
    try {
      out = await this.getRecords(this.iterator, limit, signal);
    } catch (err) {
      if (!isNamed(err, 'ExpiredIteratorException')) throw err;
      this.iterator = await this.acquireIterator(this.cursorAfter ?? null, signal);
      out = await this.getRecords(this.iterator, limit, signal);
    }
    this.lastCallRecords = out.Records?.length ?? 0;

    const messages = messagesAfter(out.Records ?? [], position);
    if (messages.length > 0) this.cursorAfter = messages[messages.length - 1]!.offset as KinesisOffset;
    this.iterator = out.NextShardIterator ?? undefined;
    this.ended = this.iterator === undefined;
    return Object.freeze({
      messages: Object.freeze(messages),
      endOfPartition: this.ended,
      ...(out.MillisBehindLatest !== undefined ? { millisBehindLatest: out.MillisBehindLatest } : {}),
    });
  }

  private async getRecords(iterator: string, limit: number, signal: AbortSignal): Promise<GetRecordsCommandOutput> {
    return this.opts.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }), { abortSignal: signal });
  }

  private async acquireIterator(position: KinesisOffset | null, signal: AbortSignal): Promise<string> {
    const { config, shardId, client } = this.opts;
    const base = { StreamName: config.streamName, ShardId: shardId };
    let input;
    const startAt = position === null ? config.startingSequenceNumbers[shardId] : undefined;
    if (position !== null && position.subSequence !== undefined) {
      // Inside a KPL aggregated record: re-read that record; fetchOnce drops its sub-records ≤ i.
      input = { ...base, ShardIteratorType: 'AT_SEQUENCE_NUMBER' as const, StartingSequenceNumber: position.sequenceNumber };
    } else if (position !== null) {
      input = { ...base, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, StartingSequenceNumber: position.sequenceNumber };
    } else if (this.opts.atTimestampMs !== undefined) {
      input = { ...base, ShardIteratorType: 'AT_TIMESTAMP' as const, Timestamp: new Date(this.opts.atTimestampMs) };
    } else if (this.opts.fromOldest) {
      input = { ...base, ShardIteratorType: 'TRIM_HORIZON' as const };
    } else if (this.opts.fromLatest) {
      input = { ...base, ShardIteratorType: 'LATEST' as const };
    } else if (startAt !== undefined) {
      input = { ...base, ShardIteratorType: config.shardIteratorType as 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: startAt };
    } else if (config.initialIteratorType === 'AT_TIMESTAMP') {
      input = { ...base, ShardIteratorType: 'AT_TIMESTAMP' as const, Timestamp: new Date(config.initialTimestampMs ?? 0) };
    } else {
      input = { ...base, ShardIteratorType: config.initialIteratorType };
    }
    try {
      const out = await client.send(new GetShardIteratorCommand(input), { abortSignal: signal });
      if (out.ShardIterator === undefined) throw new Error('GetShardIterator returned no iterator');
      return out.ShardIterator;
    } catch (err) {
      if (signal.aborted) throw err;
      throw toStreamError(err, `GetShardIterator (${input.ShardIteratorType}${'StartingSequenceNumber' in input ? ` ${input.StartingSequenceNumber}` : ''})`, config.streamName, shardId);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.iterator = undefined;
  }
}

function fetchOutcome(batch: MessageBatch, limit: number): { records: number; bytes: number; behind: boolean } {
  let bytes = 0;
  for (const message of batch.messages) bytes += message.serializedSize;
  const behind = (batch.millisBehindLatest ?? 0) > 0 || batch.messages.length >= limit;
  return { records: batch.messages.length, bytes, behind };
}
