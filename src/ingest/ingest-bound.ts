import type { MessageBatch } from '../spi/message-batch.js';

/**
 * A bounded run (`shardtable ingest --once`, Spark's `AvailableNow`): each partition is read from
 * its checkpoint to the tip of the stream as of `asOfMs`, what it read is sealed, and it stops.
 *
 * Kinesis has no call that returns a shard's latest sequence number, so "the tip as of the start"
 * is defined by time. A partition reaches its bound at the first of:
 * - the end of a closed partition (sealed as the end of the shard, as always; children then start
 *   and are read the same way);
 * - a record that arrived (`arrivalTimeMs`) after `asOfMs`: it and the rest of its batch are left
 *   unread, for the next run or the server;
 * - for an open partition, a fetch answered at the tip: an empty batch (not a timeout) with
 *   `millisBehindLatest` 0, said by the stream. Being after `asOfMs`, it covers every record
 *   written before it. An empty batch that does not say is not the tip: a consumer returns one
 *   when its pacing left no time for a call (the Kinesis consumer's shared per-shard budget), and
 *   taking it for the tip stopped child shards before their first read. A batch with records is never the tip, even at `millisBehindLatest` 0: that lag is a time,
 *   and records written in the same millisecond as the newest may still follow (a burst read with
 *   a small `Limit` shows 0 ms behind while records remain).
 *
 * @example new TableIngestion({ table, tableDir, logger, bound: { asOfMs: Date.now() } })
 */
export interface IngestBound {
  /** Epoch millis of the run's start: records that arrived later are not read. */
  readonly asOfMs: number;
}

/** What a bounded partition does with a fetched batch. */
export interface BoundedBatch {
  /** The batch, cut before the first record past the bound (then never the end of the partition). */
  readonly batch: MessageBatch;
  /** True when the partition has reached its bound with this batch (it seals and stops after it). */
  readonly reached: boolean;
}

/** Applies `bound` to a batch of a partition (`closed`: a closed shard, read to its end). */
export function applyBound(batch: MessageBatch, bound: IngestBound, closed: boolean): BoundedBatch {
  const past = batch.messages.findIndex((m) => m.arrivalTimeMs > bound.asOfMs);
  if (past >= 0) return { batch: { ...batch, messages: batch.messages.slice(0, past), endOfPartition: false }, reached: true };
  if (closed || batch.endOfPartition || batch.timedOut === true) return { batch, reached: false };
  const atTip = batch.messages.length === 0 && batch.millisBehindLatest === 0;
  return { batch, reached: atTip };
}

/**
 * Whether a bounded run is over: every listed partition has finished its loop (at its bound, at
 * its end, or stopped on an error) or has not started because a parent did not reach its end (it
 * stopped at the bound first: its children hold later records). A partition whose parents all
 * ended is about to start, so the run is not over.
 */
export function allPartitionsFinished(
  listed: Iterable<{ readonly shardId: string; readonly parentShardIds: readonly string[] }>,
  running: ReadonlyMap<string, { readonly finished: boolean }>,
  ended: ReadonlySet<string>,
): boolean {
  for (const partition of listed) {
    const ingester = running.get(partition.shardId);
    if (ingester !== undefined) {
      if (!ingester.finished) return false;
    } else if (!ended.has(partition.shardId) && partition.parentShardIds.every((p) => ended.has(p))) {
      return false;
    }
  }
  return true;
}
