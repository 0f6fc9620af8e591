import type { MessageBatch } from './message-batch.js';
import type { StreamOffset } from './offset.js';

/**
 * Reads one partition (one Kinesis shard) in order (Pinot's `PartitionGroupConsumer`).
 *
 * Ownership: the ingestion loop that created it owns it and must call `close()`; nothing else
 * reads through it. One fetch runs at a time.
 *
 * Positioning: `fetchMessages(after)` returns records strictly after `after`. `after === null`
 * means "no checkpoint": start at the table's configured starting position (`shardIteratorType`).
 * A consumer keeps its own cursor (a Kinesis shard iterator) and reuses it while `after` equals
 * the offset of the last record it returned (or stays `null` before any record was returned), so
 * polling a quiet `LATEST` shard never skips records that arrive between polls.
 *
 * Errors: transient stream errors (throttling, timeouts, 5xx, expired iterators) are retried
 * inside or thrown as `TransientStreamError`; anything that will not get better by waiting (the
 * stream was deleted, access denied) is thrown as `PermanentStreamError`. A timeout returns an
 * empty batch.
 */
export interface PartitionConsumer {
  fetchMessages(after: StreamOffset | null, timeoutMs: number): Promise<MessageBatch>;
  /**
   * How this reader reads now, in the stream type's words, for status (`readMode`), e.g. Kinesis
   * `enhanced fan-out (consumer …)` or `polling (fell back from enhanced fan-out: …)`. Absent = the
   * type's only way of reading.
   */
  readMode?(): string;
  /** Releases the cursor; safe to call twice. */
  close(): Promise<void>;
}

/**
 * A stream error that retrying later may cure. `throttled` marks the stream's own rate limits
 * (Kinesis `ProvisionedThroughputExceededException`, `LimitExceededException`,
 * `KMSThrottlingException`), which status counts apart from other errors.
 */
export class TransientStreamError extends Error {
  readonly throttled: boolean;

  constructor(message: string, options?: { cause?: unknown; throttled?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TransientStreamError';
    this.throttled = options?.throttled ?? false;
  }
}

/** A stream error that retrying will not cure; the partition stops with this message. */
export class PermanentStreamError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentStreamError';
  }
}
