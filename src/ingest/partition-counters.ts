import type { MessageBatch, StreamMessage } from '../spi/message-batch.js';
import type { PartitionInfo } from '../spi/metadata-provider.js';
import type { PartitionState, PartitionStatus } from './partition-status.js';

/** What the ingester knows besides its counters, at the moment status is asked for. */
export interface PartitionView {
  readonly partition: PartitionInfo;
  readonly state: PartitionState;
  /** The consuming segment; null once the partition has ended. */
  readonly segment: { readonly name: string; readonly numDocs: number } | null;
  readonly currentOffset: string | null;
  readonly startedFrom: string;
  readonly errorPolicy: string;
}

/**
 * The counters of one partition's consumer since start, and the last error: what
 * `consumingSegmentsInfo` and the metrics show. The fetch loop and the sealer record into it; only
 * it builds the `PartitionStatus`, so every field is named in one place.
 */
export class PartitionCounters {
  private recordsConsumed = 0;
  private bytesConsumed = 0;
  private recordsDropped = 0;
  private recordsFiltered = 0;
  private recordsDeadLettered = 0;
  private recordsWithLossyCoercion = 0;
  private throttles = 0;
  private errors = 0;
  private failedFetchesInRow = 0;
  private lastErrorMessage: string | null = null;
  private msBehindLatest: number | null = null;
  private lastConsumedAtMs: number | null = null;

  /** Fetches refused for the stream's rate limits since start. */
  get throttleCount(): number {
    return this.throttles;
  }

  /** Other fetch and seal errors since start. */
  get errorCount(): number {
    return this.errors;
  }

  /** Fetches in a row that failed or timed out; 0 once one answers. */
  get consecutiveFailedFetches(): number {
    return this.failedFetchesInRow;
  }

  get lastError(): string | null {
    return this.lastErrorMessage;
  }

  /**
   * A batch arrived: its lag (when the stream told it) and, when it holds records, when. A batch
   * that timed out is a failed fetch (call `fetchFailed`), not an answer.
   */
  fetched(batch: MessageBatch, now: () => number): void {
    if (batch.timedOut !== true) this.failedFetchesInRow = 0;
    if (batch.millisBehindLatest !== undefined) this.msBehindLatest = batch.millisBehindLatest;
    if (batch.messages.length > 0) this.lastConsumedAtMs = now();
  }

  /** A record was consumed (indexed, filtered or dropped): its offset is behind the partition now. */
  consumed(message: StreamMessage): void {
    this.recordsConsumed++;
    this.bytesConsumed += message.serializedSize;
  }

  /** The ingestion filter dropped a record. */
  filtered(): void {
    this.recordsFiltered++;
  }

  /** A record was indexed with a value changed to fit its column (`DecodeResult.lossy`). */
  coerced(): void {
    this.recordsWithLossyCoercion++;
  }

  /** A bad record was skipped; `deadLettered` when it was written to the dead-letter file first. */
  dropped(deadLettered: boolean): void {
    if (deadLettered) this.recordsDeadLettered++;
    this.recordsDropped++;
  }

  /** A fetch failed or timed out (also counted by `throttled` or `error`); it is retried. */
  fetchFailed(): void {
    this.failedFetchesInRow++;
  }

  /** A fetch the stream throttled; it is retried. */
  throttled(message: string): void {
    this.throttles++;
    this.lastErrorMessage = message;
  }

  /** Any other error (fetch, seal, or the one that stopped the partition). */
  error(message: string): void {
    this.errors++;
    this.lastErrorMessage = message;
  }

  /** A seal succeeded: the last error is no longer current. */
  clearError(): void {
    this.lastErrorMessage = null;
  }

  status(view: PartitionView): PartitionStatus {
    const { partition, segment } = view;
    return {
      partitionId: partition.partitionId,
      shardId: partition.shardId,
      state: view.state,
      consumingSegmentName: segment === null ? null : segment.name,
      rowsInConsumingSegment: segment === null ? 0 : segment.numDocs,
      currentOffset: view.currentOffset,
      startedFrom: view.startedFrom,
      msBehindLatest: this.msBehindLatest,
      recordsConsumed: this.recordsConsumed,
      bytesConsumed: this.bytesConsumed,
      recordsDropped: this.recordsDropped,
      recordsFiltered: this.recordsFiltered,
      recordsDeadLettered: this.recordsDeadLettered,
      recordsWithLossyCoercion: this.recordsWithLossyCoercion,
      errorPolicy: view.errorPolicy,
      lastConsumedTimestampMs: this.lastConsumedAtMs,
      throttleCount: this.throttles,
      errorCount: this.errors,
      consecutiveFailedFetches: this.failedFetchesInRow,
      lastError: this.lastErrorMessage,
    };
  }
}
