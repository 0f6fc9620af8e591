import type { MessageBatch } from './message-batch.js';
import type { StreamOffset } from './offset.js';

/**
 * A snapshot load that runs once before a stream is followed: a table scan or an export of the
 * source (a DynamoDB table), whose change stream then takes over. Offered by a consumer factory
 * whose stream type has one (`StreamConsumerFactory.createBootstrapSource`).
 *
 * Hand-over contract (what makes scan-then-stream exactly once):
 * 1. `handoverPositions()` is called first and fixes, per stream partition, the position the
 *    change stream resumes from once the load is done. It is taken *before* the load reads
 *    anything, so every change made during the load is in the stream after it; replaying those
 *    onto the loaded rows is safe because the table is an upsert table (the newest version wins).
 *    Ingestion persists these positions before loading (they are the stream's checkpoints).
 * 2. `load(after)` returns the snapshot in a stable order as batches of messages whose offsets
 *    belong to the load (not the stream), so sealed load segments checkpoint the load itself:
 *    after a crash the load resumes after its last sealed offset; `after === null` starts it.
 * 3. `endOfPartition: true` on a batch means the load is complete; then the change stream starts
 *    from the hand-over positions.
 *
 * Ownership: ingestion owns it and calls `close()`; a timeout returns an empty batch, errors are
 * `TransientStreamError` / `PermanentStreamError` as for `PartitionConsumer`.
 */
export interface BootstrapSource {
  /** The change stream's resume position per partition id of the stream, fixed before loading. */
  handoverPositions(): Promise<ReadonlyMap<string, StreamOffset | null>>;
  /** The next batch of the snapshot strictly after `after` (null = from the start). */
  load(after: StreamOffset | null, timeoutMs: number): Promise<MessageBatch>;
  close(): Promise<void>;
}
