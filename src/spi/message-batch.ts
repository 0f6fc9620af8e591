import type { StreamOffset } from './offset.js';

/** One record read from a partition, before decoding. */
export interface StreamMessage {
  /** The record's partition key (Kinesis `PartitionKey`), `__key` in Pinot's metadata columns. */
  readonly key: string;
  /** The record payload. */
  readonly value: Uint8Array;
  /** This record's position; ingestion checkpoints after it once the record is in a sealed segment. */
  readonly offset: StreamOffset;
  /** When the stream accepted the record (Kinesis `ApproximateArrivalTimestamp`), epoch millis. */
  readonly arrivalTimeMs: number;
  /** Size of the payload in bytes as the stream counts it. */
  readonly serializedSize: number;
}

/**
 * What one fetch returned. An empty batch is a normal answer (nothing new, or the fetch timed
 * out); it is never an error.
 */
export interface MessageBatch {
  readonly messages: readonly StreamMessage[];
  /**
   * True when the partition is closed (a Kinesis shard after a split or merge) and every record
   * in it has been returned: no later fetch will return more.
   */
  readonly endOfPartition: boolean;
  /** How far behind the tip of the partition this batch is, in millis, when the stream says. */
  readonly millisBehindLatest?: number;
  /**
   * True when the batch is empty because the fetch ran out of time (the stream did not answer
   * within the timeout), not because there was nothing new; ingestion counts it as an error.
   */
  readonly timedOut?: boolean;
  /**
   * What the consumer changed because of this batch, in words for `lastError` and the log — e.g.
   * after a timeout, that its next request asks for fewer records. Absent when nothing changed.
   */
  readonly note?: string;
}
