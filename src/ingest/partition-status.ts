/**
 * State of one partition's consumer, for `GET /tables/{t}/consumingSegmentsInfo`.
 * `RETRYING`: the last {@link RETRYING_AFTER_FAILED_FETCHES} or more fetches in a row failed or
 * timed out (endpoint down or too slow); the loop keeps retrying, and the next fetch that answers
 * makes it `CONSUMING` or `CAUGHT_UP` again. `ERROR` is final: the partition stopped.
 */
export type PartitionState = 'CONSUMING' | 'CAUGHT_UP' | 'RETRYING' | 'WAITING_FOR_PARENT' | 'PAUSED' | 'ENDED' | 'ERROR' | 'STOPPED';

/** Fetches in a row that fail or time out before a partition shows `RETRYING` (one blip does not). */
export const RETRYING_AFTER_FAILED_FETCHES = 3;

/** One partition's consumer as `consumingSegmentsInfo` (`shardtablePartitions`) and the metrics show it. */
export interface PartitionStatus {
  readonly partitionId: number;
  readonly shardId: string;
  /** The stream the partition belongs to, `<streamType>:<topic>` (set by the table). */
  readonly stream?: string;
  readonly state: PartitionState;
  /** The consuming segment's name; null when the partition has ended or not started. */
  readonly consumingSegmentName: string | null;
  readonly rowsInConsumingSegment: number;
  /** Offset of the last record indexed (persisted string form); null before the first record. */
  readonly currentOffset: string | null;
  /** Where this partition started when it had no checkpoint, or the checkpoint it resumed after. */
  readonly startedFrom: string;
  /** How far the last fetch was behind the tip of the shard (Kinesis `MillisBehindLatest`); null = not known yet. */
  readonly msBehindLatest: number | null;
  /** Records read from the stream since start, including ones that failed to decode. */
  readonly recordsConsumed: number;
  /** Payload bytes read from the stream since start. */
  readonly bytesConsumed: number;
  /** Records skipped because they failed to decode or index. */
  readonly recordsDropped: number;
  /** Records the ingestion filter dropped (`filterConfig`); consumed without a row. */
  readonly recordsFiltered?: number;
  /** Bad records written to the table's dead-letter files (errorPolicy `deadLetter`); also in `recordsDropped`. */
  readonly recordsDeadLettered?: number;
  /**
   * Records indexed with a value changed to fit its column by Pinot's lenient conversion (a
   * fraction into INT/LONG, a boolean into a number, NaN as null, overflow as infinity;
   * docs/decoders.md). Counted under `skip` and `deadLetter`; under `fail` such a record stops the partition.
   */
  readonly recordsWithLossyCoercion?: number;
  /** The table's bad-record policy: `skip`, `fail` or `deadLetter`. */
  readonly errorPolicy?: string;
  /** Wall-clock epoch millis when this partition last consumed a record; null = none since start. */
  readonly lastConsumedTimestampMs: number | null;
  /** Fetches the stream refused for its rate limits (throughput, account limit, KMS) since start; each was retried. */
  readonly throttleCount: number;
  /** Other fetch and seal errors since start (5xx, network, timeouts, disk; retried or fatal). */
  readonly errorCount: number;
  /** Fetches in a row that failed or timed out, up to now; 0 once a fetch answers. */
  readonly consecutiveFailedFetches?: number;
  readonly lastError: string | null;
  /** How the partition's reader reads, in the stream type's words (`PartitionConsumer.readMode`); absent = the type's only way. */
  readonly readMode?: string;
}

/**
 * The status of a partition with no running reader: read to its end (`ENDED`) or waiting for its
 * parents (`WAITING_FOR_PARENT`), at the checkpoint `after` (null when it has none).
 */
export function idlePartitionStatus(partition: { readonly partitionId: number; readonly shardId: string; readonly parentShardIds: readonly string[] }, ended: boolean, after: string | null): PartitionStatus {
  return {
    partitionId: partition.partitionId,
    shardId: partition.shardId,
    state: ended ? 'ENDED' : 'WAITING_FOR_PARENT',
    consumingSegmentName: null,
    rowsInConsumingSegment: 0,
    currentOffset: after,
    startedFrom: ended ? 'recovered: shard fully read' : `waiting for parent ${partition.parentShardIds.join(', ')}`,
    msBehindLatest: null,
    recordsConsumed: 0,
    bytesConsumed: 0,
    recordsDropped: 0,
    lastConsumedTimestampMs: null,
    throttleCount: 0,
    errorCount: 0,
    lastError: null,
  };
}

/** Every known partition's status (its reader's, or an idle one), labelled with its stream, by partition id. */
export function partitionStatuses(
  known: Iterable<{ readonly partitionId: number; readonly shardId: string; readonly parentShardIds: readonly string[] }>,
  readers: ReadonlyMap<string, { status(): PartitionStatus }>,
  ended: ReadonlySet<string>,
  after: (shardId: string) => string | null,
  label: (shardId: string) => string,
): PartitionStatus[] {
  const result: PartitionStatus[] = [];
  for (const partition of known) {
    const reader = readers.get(partition.shardId);
    result.push(reader ? reader.status() : idlePartitionStatus(partition, ended.has(partition.shardId), after(partition.shardId)));
  }
  return result.map((p) => ({ ...p, stream: label(p.shardId) })).sort((a, b) => a.partitionId - b.partitionId);
}
