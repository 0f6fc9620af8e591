import { SubscribeToShardCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient, StartingPosition, SubscribeToShardEvent, SubscribeToShardEventStream } from '@aws-sdk/client-kinesis';
import type { MessageBatch } from '../../../spi/message-batch.js';
import type { StreamOffset } from '../../../spi/offset.js';
import type { PartitionConsumer } from '../../../spi/partition-consumer.js';
import type { KinesisConfig } from './kinesis-config.js';
import type { KinesisEfoConfig } from './kinesis-efo-config.js';
import type { EfoRegistration } from './kinesis-efo-registration.js';
import { toStreamError } from './kinesis-errors.js';
import { messagesAfter } from './kinesis-records.js';
import { cursorIsAt, KinesisOffset, toKinesisOffset } from './kinesis-offset.js';
import type { Clock } from './kinesis-rate-limiter.js';

const EMPTY: MessageBatch = Object.freeze({ messages: Object.freeze([]), endOfPartition: false });
const ENDED: MessageBatch = Object.freeze({ messages: Object.freeze([]), endOfPartition: true });

export interface KinesisEfoPartitionConsumerOptions {
  /** The client SubscribeToShard runs on (HTTP/2 against AWS; see `createEfoClient`). */
  readonly client: KinesisClient;
  readonly config: KinesisConfig;
  readonly efo: KinesisEfoConfig;
  readonly shardId: string;
  readonly clock: Clock;
  /** The table's consumer registration, shared by its shards; rejects when registration failed. */
  readonly registration: () => Promise<EfoRegistration>;
  /** The GetRecords reader this shard falls back to when registration failed. */
  readonly polling: () => PartitionConsumer;
  readonly fromOldest?: boolean;
  readonly fromLatest?: boolean;
  /** With no checkpoint, subscribe AT_TIMESTAMP this epoch millis (a rewind). */
  readonly atTimestampMs?: number;
  /** At most how often an idle subscription is checked for the shard's end by one GetRecords (millis). */
  readonly endProbeIntervalMs: number;
}

/** One SubscribeToShard call and its event stream. */
interface Subscription {
  readonly events: AsyncIterator<SubscribeToShardEventStream>;
  readonly abort: AbortController;
  readonly renewAt: number;
  /** The next event, asked for but not yet used (kept across fetches that time out). */
  pending: Promise<IteratorResult<SubscribeToShardEventStream>> | undefined;
}

/**
 * Reads one Kinesis shard through enhanced fan-out: records pushed by `SubscribeToShard` to the
 * table's registered consumer (the contract is in `src/spi/partition-consumer.ts`; the polling
 * twin is `kinesis-consumer.ts`).
 *
 * - Positions are the same sequence numbers as polling: a subscription starts `AFTER_SEQUENCE_NUMBER
 *   after` (`AT_SEQUENCE_NUMBER` inside a KPL aggregate, whose sub-records ≤ i are dropped), or at
 *   the configured start when there is no checkpoint. While `after` equals the last offset
 *   returned, the subscription is kept; any other `after` (a retry after an error) closes it and
 *   subscribes again from `after`, so ingestion's checkpoints and seals work unchanged.
 * - One fetch returns the records of one event (every record of it, so the event's
 *   `ContinuationSequenceNumber` covers exactly what was returned) or an empty batch when none
 *   arrives within `timeoutMs`; the pending event is kept for the next fetch.
 * - Renewal: a subscription ends after 5 minutes (the stream closes it) or after
 *   `subscriptionMs` (closed here); the next one starts `AFTER_SEQUENCE_NUMBER` the last
 *   `ContinuationSequenceNumber`, else after the last record returned.
 * - End of shard: an event with `ChildShards` (sent only at a shard's end, after its last
 *   records) → `endOfPartition`; ingestion then starts the children after their parents.
 * - Errors of the call or the stream go through `toStreamError` (`ResourceInUseException`, another
 *   subscription of the consumer on this shard still open, is transient and retried).
 * - Registration failed: every fetch goes to the polling reader, and `readMode()` says why.
 */
export class KinesisEfoPartitionConsumer implements PartitionConsumer {
  private subscription: Subscription | undefined;
  private cursorAfter: KinesisOffset | null | undefined;
  /** Where the stream said to continue after the last event used; undefined = no event yet. */
  private continuation: string | undefined;
  private ended = false;
  private closed = false;
  private fallback: PartitionConsumer | undefined;
  private fallbackReason: string | undefined;
  private registered: EfoRegistration | undefined;
  private subscriptions = 0;
  /** A GetRecords reader that checks whether an idle shard has ended (see `probeEnd`). */
  private prober: PartitionConsumer | undefined;
  private nextProbeAt = 0;

  constructor(private readonly opts: KinesisEfoPartitionConsumerOptions) {}

  /** How this shard is read now, for status. */
  readMode(): string {
    if (this.fallbackReason !== undefined) return `polling (fell back from enhanced fan-out: ${this.fallbackReason})`;
    const name = this.registered?.consumerName ?? this.opts.efo.consumerName;
    const state = this.registered === undefined ? 'registering' : `ACTIVE, subscriptions since start: ${this.subscriptions}`;
    return `enhanced fan-out (consumer ${name}; ${state})`;
  }

  async fetchMessages(after: StreamOffset | null, timeoutMs: number): Promise<MessageBatch> {
    if (this.closed) throw new Error(`consumer of shard ${this.opts.shardId} is closed`);
    if (this.fallback !== undefined) return this.fallback.fetchMessages(after, timeoutMs);
    const deadline = this.opts.clock.now() + Math.max(0, timeoutMs);
    if (this.registered === undefined) {
      const outcome = await withDeadline(this.opts.registration().then((r) => ({ ok: r }), (err: unknown) => ({ err })), deadline, this.opts.clock);
      if (outcome === undefined) return EMPTY; // still registering: the next fetch waits again
      if ('err' in outcome) {
        this.fallbackReason = outcome.err instanceof Error ? outcome.err.message : String(outcome.err);
        this.fallback = this.opts.polling();
        return this.fallback.fetchMessages(after, timeoutMs);
      }
      this.registered = outcome.ok;
    }
    const position = after === null ? null : toKinesisOffset(after);
    if (!cursorIsAt(this.cursorAfter, position)) {
      this.unsubscribe();
      this.cursorAfter = position;
      this.continuation = undefined;
      this.ended = false;
    }
    if (this.ended) return ENDED;
    if (this.subscription !== undefined && this.opts.clock.now() >= this.subscription.renewAt) this.unsubscribe();
    const sub = this.subscription ?? (await this.subscribe(position));
    sub.pending ??= sub.events.next();
    let result: IteratorResult<SubscribeToShardEventStream> | undefined;
    try {
      result = await withDeadline(sub.pending, deadline, this.opts.clock);
    } catch (err) {
      this.unsubscribe();
      throw toStreamError(err, 'SubscribeToShard', this.opts.config.streamName, this.opts.shardId);
    }
    if (result === undefined) return EMPTY;
    sub.pending = undefined;
    if (result.done === true) {
      // The stream ended the subscription (its 5 minutes are up): the next fetch renews it.
      this.unsubscribe();
      return EMPTY;
    }
    let batch: MessageBatch;
    try {
      batch = this.use(eventOf(result.value), position);
    } catch (err) {
      this.unsubscribe();
      throw toStreamError(err, 'SubscribeToShard', this.opts.config.streamName, this.opts.shardId);
    }
    const idle = batch.messages.length === 0 && !batch.endOfPartition && (batch.millisBehindLatest ?? 0) === 0;
    return idle && this.opts.clock.now() >= this.nextProbeAt ? this.probeEnd(batch, Math.max(1, deadline - this.opts.clock.now())) : batch;
  }

  /**
   * Kinesis ends a closed shard's subscription with a `ChildShards` event, but a subscription may
   * also go quiet at a closed shard without one (kinesis-local never sends `ChildShards`). So an
   * idle shard is checked, at most once per `endProbeIntervalMs`, with one GetRecords after the
   * last record returned: no next iterator = the shard has ended. Records it finds are returned
   * (the subscription's copies of them are dropped later as at or before the checkpoint).
   */
  private async probeEnd(idle: MessageBatch, timeoutMs: number): Promise<MessageBatch> {
    this.nextProbeAt = this.opts.clock.now() + this.opts.endProbeIntervalMs;
    const probe = await (this.prober ??= this.opts.polling()).fetchMessages(this.cursorAfter ?? null, timeoutMs);
    if (probe.messages.length > 0) {
      this.cursorAfter = probe.messages[probe.messages.length - 1]!.offset as KinesisOffset;
      this.continuation = undefined;
    }
    if (probe.endOfPartition) {
      this.ended = true;
      this.unsubscribe();
    }
    return probe.messages.length > 0 || probe.endOfPartition ? probe : idle;
  }

  private use(event: SubscribeToShardEvent, position: KinesisOffset | null): MessageBatch {
    const messages = messagesAfter(event.Records ?? [], position);
    if (messages.length > 0) this.cursorAfter = messages[messages.length - 1]!.offset as KinesisOffset;
    if (event.ContinuationSequenceNumber != null) this.continuation = event.ContinuationSequenceNumber;
    this.ended = (event.ChildShards?.length ?? 0) > 0;
    if (this.ended) this.unsubscribe();
    return Object.freeze({
      messages: Object.freeze(messages),
      endOfPartition: this.ended,
      ...(event.MillisBehindLatest !== undefined ? { millisBehindLatest: event.MillisBehindLatest } : {}),
    });
  }

  private async subscribe(position: KinesisOffset | null): Promise<Subscription> {
    const { client, config, shardId, clock, efo } = this.opts;
    const start = this.startingPosition(position);
    const abort = new AbortController();
    try {
      const out = await client.send(
        new SubscribeToShardCommand({ ConsumerARN: this.registered!.consumerArn, ShardId: shardId, StartingPosition: start }),
        { abortSignal: abort.signal },
      );
      if (out.EventStream === undefined) throw new Error('SubscribeToShard returned no event stream');
      this.subscriptions++;
      this.subscription = { events: out.EventStream[Symbol.asyncIterator](), abort, renewAt: clock.now() + efo.subscriptionMs, pending: undefined };
      return this.subscription;
    } catch (err) {
      abort.abort();
      const where = `SubscribeToShard (${start.Type}${start.SequenceNumber !== undefined ? ` ${start.SequenceNumber}` : ''})`;
      throw toStreamError(err, where, config.streamName, shardId);
    }
  }

  /** Where the next subscription starts: after the stream's continuation, the last record returned, or the configured start. */
  private startingPosition(position: KinesisOffset | null): StartingPosition {
    const { config, shardId } = this.opts;
    if (this.continuation !== undefined) return { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: this.continuation };
    const at = this.cursorAfter ?? position;
    if (at !== null && at !== undefined) {
      // Inside a KPL aggregated record: re-read that record; `use` drops its sub-records ≤ i.
      return at.subSequence !== undefined ? { Type: 'AT_SEQUENCE_NUMBER', SequenceNumber: at.sequenceNumber } : { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: at.sequenceNumber };
    }
    if (this.opts.atTimestampMs !== undefined) return { Type: 'AT_TIMESTAMP', Timestamp: new Date(this.opts.atTimestampMs) };
    if (this.opts.fromOldest) return { Type: 'TRIM_HORIZON' };
    if (this.opts.fromLatest) return { Type: 'LATEST' };
    const startAt = config.startingSequenceNumbers[shardId];
    if (startAt !== undefined) return { Type: config.shardIteratorType as 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER', SequenceNumber: startAt };
    if (config.initialIteratorType === 'AT_TIMESTAMP') return { Type: 'AT_TIMESTAMP', Timestamp: new Date(config.initialTimestampMs ?? 0) };
    return { Type: config.initialIteratorType };
  }

  private unsubscribe(): void {
    const sub = this.subscription;
    this.subscription = undefined;
    if (sub === undefined) return;
    sub.pending?.catch(() => undefined);
    sub.abort.abort();
    void sub.events.return?.().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe();
    await this.fallback?.close();
    await this.prober?.close();
  }
}

/** The event of a stream message; a modeled error sent in the stream is thrown, named as sent. */
function eventOf(message: SubscribeToShardEventStream): SubscribeToShardEvent {
  if (message.SubscribeToShardEvent !== undefined) return message.SubscribeToShardEvent;
  const [name, value] = Object.entries(message).find(([, v]) => v !== undefined) ?? ['UnknownEvent', undefined];
  const error = new Error(value instanceof Error ? value.message : `SubscribeToShard sent ${name}`);
  error.name = value instanceof Error ? value.name : name;
  throw error;
}

/** `promise`'s value, or undefined when `deadline` passes first (the promise keeps running). */
async function withDeadline<T>(promise: Promise<T>, deadline: number, clock: Clock): Promise<T | undefined> {
  const wait = deadline - clock.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, wait));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
