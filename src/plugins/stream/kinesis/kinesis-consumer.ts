import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import type { GetRecordsCommandOutput, KinesisClient, _Record } from '@aws-sdk/client-kinesis';
import type { MessageBatch, StreamMessage } from '../../../spi/message-batch.js';
import type { StreamOffset } from '../../../spi/offset.js';
import type { PartitionConsumer } from '../../../spi/partition-consumer.js';
import type { KinesisConfig } from './kinesis-config.js';
import { isNamed, toStreamError } from './kinesis-errors.js';
import { KinesisOffset } from './kinesis-offset.js';
import type { Clock, ShardRateLimiter } from './kinesis-rate-limiter.js';

const EMPTY: MessageBatch = Object.freeze({ messages: Object.freeze([]), endOfPartition: false });
const ENDED: MessageBatch = Object.freeze({ messages: Object.freeze([]), endOfPartition: true });

export interface KinesisPartitionConsumerOptions {
  readonly client: KinesisClient;
  readonly config: KinesisConfig;
  readonly shardId: string;
  readonly rateLimiter: ShardRateLimiter;
  /** Key under which this shard's GetRecords budget is shared (endpoint + stream + shard). */
  readonly rateLimitKey: string;
  readonly clock: Clock;
}

/**
 * Reads one Kinesis shard with GetShardIterator + GetRecords (the contract is in
 * `src/spi/partition-consumer.ts`).
 *
 * - Cursor: `after === null` starts at the configured position (`config.initialIteratorType`),
 *   otherwise `AFTER_SEQUENCE_NUMBER after`. The shard iterator is reused while `after` equals
 *   the last offset returned (or stays null before any record), so quiet LATEST polls lose nothing.
 * - One GetRecords call per fetch, `Limit = maxRecordsToFetch`, spaced per shard by
 *   `requests_per_second_limit`; when the next slot is past the fetch's deadline the fetch returns
 *   an empty batch without calling.
 * - End of shard: GetRecords without `NextShardIterator` → `endOfPartition: true` (also on every
 *   later fetch from the same position, without calling again).
 * - `ExpiredIteratorException`: re-acquire an iterator after the last returned offset (or at the
 *   starting position if none was returned) and retry once.
 * - Throttling (`ProvisionedThroughputExceededException`, `LimitExceededException`), 5xx, network:
 *   thrown as `TransientStreamError` at once (the client makes no SDK retries); the ingestion
 *   loop backs off with jitter and the event shows in status. `ResourceNotFoundException` and
 *   other errors that waiting will not cure: `PermanentStreamError` naming stream and shard.
 * - A fetch that exceeds `timeoutMs` is aborted and returns an empty batch; the iterator is kept
 *   (Kinesis iterators may be reused), so nothing is skipped.
 * - Records at or before `after` are dropped defensively, so a batch is strictly after `after`.
 */
export class KinesisPartitionConsumer implements PartitionConsumer {
  private iterator: string | undefined;
  /** The position `iterator` continues from: undefined = no cursor, null = the starting position. */
  private cursorAfter: KinesisOffset | null | undefined;
  private ended = false;
  private closed = false;
  private readonly intervalMs: number;

  constructor(private readonly opts: KinesisPartitionConsumerOptions) {
    this.intervalMs = 1000 / opts.config.requestsPerSecondLimit;
  }

  async fetchMessages(after: StreamOffset | null, timeoutMs: number): Promise<MessageBatch> {
    if (this.closed) throw new Error(`consumer of shard ${this.opts.shardId} is closed`);
    const position = after === null ? null : toKinesisOffset(after);
    if (!this.cursorAt(position)) {
      this.iterator = undefined;
      this.ended = false;
      this.cursorAfter = position;
    }
    if (this.ended) return ENDED;

    const { clock, rateLimiter, rateLimitKey } = this.opts;
    const deadline = clock.now() + Math.max(0, timeoutMs);
    const slot = rateLimiter.reserve(rateLimitKey, this.intervalMs, clock.now(), deadline);
    if (slot === undefined) return EMPTY;
    const wait = slot - clock.now();
    if (wait > 0) await clock.sleep(wait);

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), Math.max(1, deadline - clock.now()));
    try {
      return await this.fetchOnce(position, controller.signal);
    } catch (err) {
      if (controller.signal.aborted) return EMPTY;
      throw toStreamError(err, 'GetRecords', this.opts.config.streamName, this.opts.shardId);
    } finally {
      clearTimeout(timer);
    }
  }

  private async fetchOnce(position: KinesisOffset | null, signal: AbortSignal): Promise<MessageBatch> {
    this.iterator ??= await this.acquireIterator(position, signal);
    let out: GetRecordsCommandOutput;
    try {
      out = await this.getRecords(this.iterator, signal);
    } catch (err) {
      if (!isNamed(err, 'ExpiredIteratorException')) throw err;
      this.iterator = await this.acquireIterator(this.cursorAfter ?? null, signal);
      out = await this.getRecords(this.iterator, signal);
    }

    const messages: StreamMessage[] = [];
    for (const record of out.Records ?? []) {
      const message = toMessage(record);
      if (position !== null && message.offset.compareTo(position) <= 0) continue;
      messages.push(message);
    }
    if (messages.length > 0) this.cursorAfter = messages[messages.length - 1]!.offset as KinesisOffset;
    this.iterator = out.NextShardIterator ?? undefined;
    this.ended = this.iterator === undefined;
    return Object.freeze({
      messages: Object.freeze(messages),
      endOfPartition: this.ended,
      ...(out.MillisBehindLatest !== undefined ? { millisBehindLatest: out.MillisBehindLatest } : {}),
    });
  }

  private async getRecords(iterator: string, signal: AbortSignal): Promise<GetRecordsCommandOutput> {
    return this.opts.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: this.opts.config.maxRecordsToFetch }), { abortSignal: signal });
  }

  private async acquireIterator(position: KinesisOffset | null, signal: AbortSignal): Promise<string> {
    const { config, shardId, client } = this.opts;
    const base = { StreamName: config.streamName, ShardId: shardId };
    let input;
    if (position !== null) {
      input = { ...base, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, StartingSequenceNumber: position.sequenceNumber };
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
      throw toStreamError(err, `GetShardIterator (${input.ShardIteratorType}${position !== null ? ` ${position.sequenceNumber}` : ''})`, config.streamName, shardId);
    }
  }

  private cursorAt(position: KinesisOffset | null): boolean {
    if (this.cursorAfter === undefined) return false;
    if (position === null || this.cursorAfter === null) return position === this.cursorAfter;
    return this.cursorAfter.equals(position);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.iterator = undefined;
  }
}

function toKinesisOffset(offset: StreamOffset): KinesisOffset {
  return offset instanceof KinesisOffset ? offset : KinesisOffset.parse(offset.toString());
}

function toMessage(record: _Record): StreamMessage {
  const value = record.Data ?? new Uint8Array(0);
  return Object.freeze({
    key: record.PartitionKey ?? '',
    value,
    offset: new KinesisOffset(record.SequenceNumber!),
    arrivalTimeMs: record.ApproximateArrivalTimestamp?.getTime() ?? 0,
    serializedSize: value.byteLength,
  });
}
