import type { MessageBatch, StreamMessage } from '../../../spi/message-batch.js';
import type { StreamOffset } from '../../../spi/offset.js';
import { PermanentStreamError, TransientStreamError } from '../../../spi/partition-consumer.js';
import type { PartitionConsumer } from '../../../spi/partition-consumer.js';
import type { Item } from './dynamodb-attributes.js';
import type { DynamoDbConfig } from './dynamodb-config.js';
import { errorName, toStreamError } from './dynamodb-errors.js';
import { SequenceOffset } from './dynamodb-offset.js';
import { itemMessage } from './dynamodb-records.js';
import type { SourceTable } from './dynamodb-source.js';
import { withDeadline } from './dynamodb-streams-api.js';
import type { DynamoDbStreamsApi, StreamRecord } from './dynamodb-streams-api.js';

export interface StreamConsumerOptions {
  readonly api: DynamoDbStreamsApi;
  readonly config: DynamoDbConfig;
  readonly shardId: string;
  /** The table's description (key names, stream ARN), shared by the factory's readers. */
  readonly source: () => Promise<SourceTable>;
  /** Start a shard with no checkpoint at its oldest record (a child, or a root after the load). */
  readonly fromOldest: boolean;
  /** Start a shard with no checkpoint after its newest record (a stream reset with `consumeFrom=largest`). */
  readonly fromLatest?: boolean;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Reads one DynamoDB Streams shard in order (`PartitionConsumer`). INSERT and MODIFY records carry
 * the new image; REMOVE records the key, with the delete column set. Offsets are the records'
 * sequence numbers. It keeps its shard iterator while `after` is the last offset it returned and
 * re-acquires one (`AFTER_SEQUENCE_NUMBER`) otherwise or when it expired (iterators live 15
 * minutes); GetRecords calls on a shard are spaced by `stream.dynamodb.poll.interval.millis`, and
 * a call that timed out halves the next call's `Limit` (quick full pages double it back up to
 * `stream.dynamodb.max.records`). A
 * shard with no next iterator is closed and read: `endOfPartition`. A checkpoint past the stream's
 * 24 h retention (`TrimmedDataAccessException`) is a `PermanentStreamError` reporting the lost
 * range (docs/dynamodb.md, "Re-loading").
 */
export class DynamoDbStreamConsumer implements PartitionConsumer {
  private iterator: string | undefined;
  /** The offset the iterator continues after (null: the iterator is the shard's initial position). */
  private iteratorAfter: StreamOffset | null = null;
  private ended = false;
  private lastCallAt = -Infinity;
  /** GetRecords `Limit` now: halved after a call that timed out, doubled back after quick full pages. */
  private limit: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly o: StreamConsumerOptions) {
    this.now = o.now ?? Date.now;
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.limit = o.config.maxRecords;
  }

  private get where(): string {
    return `shard ${this.o.shardId} of the stream of DynamoDB table ${this.o.config.tableName}`;
  }

  async fetchMessages(after: StreamOffset | null, timeoutMs: number): Promise<MessageBatch> {
    const started = this.now();
    const sameCursor = this.iterator !== undefined && sameOffset(after, this.iteratorAfter);
    if (!sameCursor) {
      if (this.ended && sameOffset(after, this.iteratorAfter)) return { messages: [], endOfPartition: true };
      this.ended = false;
      this.iterator = await this.acquire(after, timeoutMs);
      this.iteratorAfter = after;
      if (this.iterator === undefined) {
        this.ended = true;
        return { messages: [], endOfPartition: true };
      }
    }
    const wait = this.lastCallAt + this.o.config.pollIntervalMs - this.now();
    if (wait > 0) await this.sleep(Math.min(wait, Math.max(0, timeoutMs - (this.now() - started))));
    this.lastCallAt = this.now();
    const source = await this.o.source();
    const limit = this.limit;
    let page;
    try {
      page = await this.call(timeoutMs, (signal) => this.o.api.getRecords({ ShardIterator: this.iterator!, Limit: limit }, signal));
    } catch (err) {
      if (errorName(err) === 'ExpiredIteratorException') {
        // Not an error of the data: the next fetch re-acquires the iterator after the same offset.
        this.iterator = undefined;
        return { messages: [], endOfPartition: false, note: `shard iterator expired; re-acquired after ${after?.toString() ?? 'the start position'}` };
      }
      if (err instanceof TimedOut) {
        // A slow endpoint (a loaded emulator takes over a millisecond a record): ask for fewer.
        this.limit = Math.max(1, Math.floor(limit / 2));
        return { messages: [], endOfPartition: false, timedOut: true, note: `the next GetRecords asks for ${this.limit} records` };
      }
      throw toStreamError(err, 'GetRecords', this.where);
    }
    const messages: StreamMessage[] = [];
    for (const record of page.records) {
      const message = this.messageOf(record, source);
      if (message !== null) messages.push(message);
    }
    if (page.records.length >= limit && this.now() - this.lastCallAt < timeoutMs / 4) this.limit = Math.min(this.o.config.maxRecords, limit * 2);
    this.iterator = page.nextShardIterator;
    if (messages.length > 0) this.iteratorAfter = messages[messages.length - 1]!.offset;
    if (this.iterator === undefined) {
      this.ended = true;
      return { messages, endOfPartition: true };
    }
    const last = messages[messages.length - 1];
    const lag = last === undefined ? 0 : Math.max(0, this.now() - last.arrivalTimeMs);
    return { messages, endOfPartition: false, millisBehindLatest: page.records.length >= limit ? Math.max(lag, 1) : lag };
  }

  private messageOf(record: StreamRecord, source: SourceTable): StreamMessage | null {
    const d = record.dynamodb;
    const seq = d?.SequenceNumber;
    if (d === undefined || seq === undefined) return null;
    const offset = new SequenceOffset(seq);
    const arrivalTimeMs = d.ApproximateCreationDateTime?.getTime() ?? this.now();
    if (record.eventName === 'REMOVE') {
      const keys: Item = d.Keys ?? {};
      return itemMessage(keys, source, { deleted: true, offset, arrivalTimeMs });
    }
    const image = d.NewImage;
    if (image === undefined) {
      throw new PermanentStreamError(`record ${seq} of ${this.where} (${record.eventName ?? 'no event name'}) has no NewImage; the stream view type must be NEW_AND_OLD_IMAGES or NEW_IMAGE`);
    }
    return itemMessage({ ...image, ...(d.Keys ?? {}) }, source, { deleted: false, offset, arrivalTimeMs });
  }

  /** A shard iterator for reading strictly after `after` (or from the start position). */
  private async acquire(after: StreamOffset | null, timeoutMs: number): Promise<string | undefined> {
    const { streamArn } = await this.o.source();
    const type = after !== null ? 'AFTER_SEQUENCE_NUMBER' : this.o.fromLatest === true ? 'LATEST' : this.o.fromOldest ? 'TRIM_HORIZON' : this.o.config.shardIteratorType;
    try {
      return await this.call(timeoutMs, (signal) =>
        this.o.api.getShardIterator({ StreamArn: streamArn, ShardId: this.o.shardId, ShardIteratorType: type, ...(after !== null ? { SequenceNumber: after.toString() } : {}) }, signal),
      );
    } catch (err) {
      if (err instanceof TimedOut) throw new TransientStreamError(`GetShardIterator on ${this.where} got no answer within ${timeoutMs} ms`);
      if (errorName(err) === 'TrimmedDataAccessException' && after !== null) throw await this.lossReport(after, streamArn, err);
      throw toStreamError(err, 'GetShardIterator', this.where);
    }
  }

  /** The data-loss error for a checkpoint past retention, naming the first record still there. */
  private async lossReport(after: StreamOffset, streamArn: string, cause: unknown): Promise<PermanentStreamError> {
    let oldest = 'unknown (the shard has no records left)';
    try {
      const it = await this.o.api.getShardIterator({ StreamArn: streamArn, ShardId: this.o.shardId, ShardIteratorType: 'TRIM_HORIZON' });
      const page = it === undefined ? undefined : await this.o.api.getRecords({ ShardIterator: it, Limit: 1 });
      const first = page?.records[0]?.dynamodb?.SequenceNumber;
      if (first !== undefined) oldest = first;
    } catch {
      // The report names what it can; the loss itself is certain.
    }
    return new PermanentStreamError(
      `data loss: ${this.where}: the records after sequence number ${after.toString()} up to (not including) ${oldest} were trimmed (past the stream's 24 h retention) before they were read; re-load the table from DynamoDB (docs/dynamodb.md, "Re-loading")`,
      { cause },
    );
  }

  private call<T>(timeoutMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return withDeadline(Math.max(1, timeoutMs), () => new TimedOut(), work);
  }

  async close(): Promise<void> {
    this.iterator = undefined;
  }
}

class TimedOut extends Error {}

function sameOffset(a: StreamOffset | null, b: StreamOffset | null): boolean {
  if (a === null || b === null) return a === b;
  return a.toString() === b.toString();
}
