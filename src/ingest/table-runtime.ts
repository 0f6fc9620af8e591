import type { TableSchema } from '../config/schema.js';
import type { TableConfig } from '../config/table-config.js';
import type { ResolvedTable } from './resolved-table.js';
import type { QueryableSegments } from '../segment/queryable-segments.js';
import type { SegmentSummary } from '../segment/segment-summary.js';
import type { PartitionStatus } from './partition-status.js';
import type { TableIngestionStatus } from './table-ingestion-status.js';
import type { SegmentDeleteResult, SegmentReloadReport } from './sealed-segment-ops.js';
import type { StreamResetResult } from './stream-identity-guard.js';
import type { ResetStart } from './stream-identity-store.js';

export type { StreamResetResult } from './stream-identity-guard.js';
export type { ResetStart } from './stream-identity-store.js';
export type { RewindResult, RewindStatus, RewindTarget } from './table-rewind.js';
import type { RewindResult, RewindTarget } from './table-rewind.js';

export type { SegmentDeleteResult, SegmentReloadReport } from './sealed-segment-ops.js';

// Re-exported for the layers above, which read them from the runtime.
export type { PartitionState, PartitionStatus } from './partition-status.js';
export type { DataLossEntry, IngestionHealth, IngestionState, TableIngestionStatus } from './table-ingestion-status.js';

/** How a runtime starts: see {@link TableRuntime.start}. */
export interface RuntimeStartOptions {
  /**
   * `true` (the default; `POST`/`PUT /tables`, resume): `start()` resolves only once the stream's
   * partitions were listed, and rejects with the stream's error (within the plugin's deadline)
   * when they cannot be. `false` (server start, retries): `start()` resolves once the sealed
   * segments are loaded and queryable; the stream is listed in the background, retried with
   * backoff until it answers, and `status().ingestion` is `DOWN` meanwhile.
   */
  readonly waitForStream?: boolean;
}

export type { SegmentSummary };

/**
 * The live side of one table: consumers, consuming segments and sealed segments under the
 * table's data directory. Ingestion implements it (`TableIngestion`); the table manager creates
 * one for every table it loads or creates, through a {@link TableRuntimeFactory}.
 *
 * Lifecycle: `start()` once (recovers sealed segments, then starts consuming; whether it waits for
 * the stream is {@link RuntimeStartOptions}); `stop()` ends every
 * consumer and abandons consuming segments (their rows are read again from the stream after a
 * restart, as the exactly-once protocol says); `drop()` stops and deletes the table's data.
 */
export interface TableRuntime {
  readonly schema: TableSchema;
  readonly config: TableConfig;
  start(options?: RuntimeStartOptions): Promise<void>;
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
   * Pinot's force commit: asks every consuming partition to seal its consuming segment now,
   * through its partition sealer (asynchronously, between fetches). Returns the names of the
   * segments that will be sealed (empty consuming segments are not).
   */
  forceCommit?(): string[];
  /** Deletes a sealed segment for good (`sealed-segment-ops.ts`). */
  deleteSegment?(segmentName: string): Promise<SegmentDeleteResult>;
  /**
   * Cluster mode: deletes these sealed segments from the cluster (committed items and deep-store
   * objects, in one pass) and the copies served here; answers the names deleted. Undefined when
   * the runtime runs alone (the caller then deletes one by one).
   */
  deleteSegmentsInCluster?(segmentNames: readonly string[]): Promise<string[] | undefined>;
  /** The names a delete of every sealed segment covers: this server's (alone) or the cluster's committed ones; default `segments()`. */
  sealedSegmentNames?(): Promise<string[]>;
  /**
   * A stream reset's first half (docs/exactly-once.md, "A recreated stream"): when the stream under
   * the table's name was deleted and created again, stops reading and retires the old stream's
   * segments; the caller then starts a new runtime, which reads the new stream from `consumeFrom`.
   * Null when the stream is the one the checkpoints belong to (nothing is stopped).
   */
  resetStream?(consumeFrom: ResetStart): Promise<StreamResetResult | null>;
  /**
   * Online rewind (docs/exactly-once.md, "Rewind"): replays the stream from `target` and replaces
   * the rows ingested after that point, segment by segment, as the replacements seal.
   */
  rewind?(target: RewindTarget): Promise<RewindResult>;
  /** Re-reads every sealed segment from its file. */
  reloadSegments?(): Promise<SegmentReloadReport>;
  /**
   * The segments a query reads now: every sealed file and every live consuming segment. Called
   * synchronously at query start; a consuming segment is swapped for its sealed file with no
   * await in between, so a query sees each row exactly once (read each consuming segment's
   * `numDocs` once, right away).
   */
  queryableSegments(): QueryableSegments;
}

/** Builds the runtime for a table; the table manager calls it on create and on restart. */
export type TableRuntimeFactory = (args: { table: ResolvedTable; tableDir: string }) => TableRuntime;
