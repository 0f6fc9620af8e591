import type { TableSchema } from '../config/schema.js';
import type { TableConfig } from '../config/table-config.js';
import type { ConsumingSegment } from '../segment/consuming-segment.js';
import type { SealedSegment } from '../segment/sealed-segment.js';
import type { PartitionStatus } from '../ingest/partition-status.js';
import type { TableIngestionStatus } from '../ingest/table-ingestion-status.js';

// Ingestion owns its status types; re-exported here for the layers above that read them from the runtime.
export type { PartitionState, PartitionStatus } from '../ingest/partition-status.js';
export type { DataLossEntry, TableIngestionStatus } from '../ingest/table-ingestion-status.js';

/** One sealed segment as `GET /tables/{t}/segments` and `/segments/{t}/{s}/metadata` show it. */
export interface SegmentSummary {
  readonly segmentName: string;
  readonly partitionId: number;
  readonly shardId: string;
  readonly numDocs: number;
  /** First and last sequence numbers (persisted offset strings) in the segment; null when empty. */
  readonly startOffset: string | null;
  readonly endOffset: string | null;
  readonly endOfShard: boolean;
  readonly creationTimeMs: number;
  readonly sizeBytes: number;
  /** Min/max of the time column, epoch millis, when the table has one and the segment has rows. */
  readonly startTimeMs?: number;
  readonly endTimeMs?: number;
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
export type TableRuntimeFactory = (args: { schema: TableSchema; config: TableConfig; tableDir: string }) => TableRuntime;
