import type { TableSchema } from '../config/schema.js';
import type { TableConfig } from '../config/table-config.js';
import type { ResolvedTable } from '../ingest/resolved-table.js';
import type { ConsumingSegment } from '../segment/consuming-segment.js';
import type { SealedSegment } from '../segment/sealed-segment.js';
import type { SegmentSummary } from '../segment/segment-summary.js';

export type { SegmentSummary };

/** State of one partition's consumer, for `GET /tables/{t}/consumingSegmentsInfo`. */
export type PartitionState = 'CONSUMING' | 'CAUGHT_UP' | 'WAITING_FOR_PARENT' | 'PAUSED' | 'ENDED' | 'ERROR' | 'STOPPED';

export interface PartitionStatus {
  readonly partitionId: number;
  readonly shardId: string;
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
  /** The table's bad-record policy: `skip`, `fail` or `deadLetter`. */
  readonly errorPolicy?: string;
  /** Wall-clock epoch millis when this partition last consumed a record; null = none since start. */
  readonly lastConsumedTimestampMs: number | null;
  /** Fetches the stream refused for its rate limits (throughput, account limit, KMS) since start; each was retried. */
  readonly throttleCount: number;
  /** Other fetch and seal errors since start (5xx, network, timeouts, disk; retried or fatal). */
  readonly errorCount: number;
  readonly lastError: string | null;
}

/**
 * A shard that left the stream's listing (expired past retention) before this table read it to its
 * end (no end-of-shard segment): its unread records are lost. Reported, never silently skipped.
 */
export interface DataLossEntry {
  readonly shardId: string;
  readonly partitionId: number | null;
  /** The last sequence number this table has of the shard (indexed or sealed), or `never read`. */
  readonly lastSequenceNumber: string;
  /** Epoch millis when discovery noticed the shard was gone. */
  readonly detectedAtMs: number;
  readonly reason: string;
}

/** Table-level ingestion status (`consumingSegmentsInfo` → `shardtableTable`). */
export interface TableIngestionStatus {
  readonly dataLoss: readonly DataLossEntry[];
  readonly discovery: {
    /** `stream.kinesis.shard.discovery.interval.ms`. */
    readonly intervalMs: number;
    /** Epoch millis of the last successful listing; null before the first. */
    readonly lastListedAtMs: number | null;
    readonly shardsListed: number;
    readonly runs: number;
    readonly lastError: string | null;
  };
  /** GetRecords calls of this table in flight, against `stream.kinesis.max.concurrent.fetches`. */
  readonly fetchConcurrency: { readonly limit: number; readonly inFlight: number; readonly maxInFlight: number; readonly waiting: number } | null;
}

/**
 * The live side of one table: consumers, consuming segments and sealed segments under the
 * table's data directory. Created by the table manager for every table it loads or creates.
 *
 * Lifecycle: `start()` once (recovers sealed segments, then starts consuming); `stop()` ends every
 * consumer and abandons consuming segments (their rows are read again from the stream after a
 * restart, as the exactly-once protocol says); `drop()` stops and deletes the table's data.
 */
export interface TableRuntime {
  readonly schema: TableSchema;
  readonly config: TableConfig;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops and deletes the table's data directory. */
  drop(): Promise<void>;
  segments(): SegmentSummary[];
  /** Full metadata of one sealed segment (footer JSON), or undefined when there is none by that name. */
  segmentMetadata(segmentName: string): Record<string, unknown> | undefined;
  partitions(): PartitionStatus[];
  /** Table-level status: data loss, shard discovery, fetch concurrency (runtimes without a stream omit it). */
  status?(): TableIngestionStatus;
  pause(): Promise<void>;
  resume(): Promise<void>;
  /**
   * The segments a query reads now: every sealed file and every live consuming segment. Called
   * synchronously at query start; a consuming segment is swapped for its sealed file with no
   * await in between, so a query sees each row exactly once (read each consuming segment's
   * `numDocs` once, right away).
   */
  queryableSegments(): { readonly sealed: readonly SealedSegment[]; readonly consuming: readonly ConsumingSegment[] };
}

/** Builds the runtime for a table; the table manager calls it on create and on restart. */
export type TableRuntimeFactory = (args: { table: ResolvedTable; tableDir: string }) => TableRuntime;
