import type { StreamMetadataProvider, PartitionInfo } from './metadata-provider.js';
import type { StreamOffsetFactory } from './offset.js';
import type { PartitionConsumer } from './partition-consumer.js';

/** Where a reader with no checkpoint starts instead of the table's configured position (see `createPartitionConsumer`). */
export interface ConsumerStart {
  readonly fromOldest?: boolean;
  readonly fromLatest?: boolean;
  readonly atTimestampMs?: number;
}

/** How many fetches of one table are in flight, against the table's cap. */
export interface FetchConcurrency {
  readonly limit: number;
  readonly inFlight: number;
  /** The highest `inFlight` seen since the table started. */
  readonly maxInFlight: number;
  /** Fetches waiting for a permit now (served first in, first out). */
  readonly waiting: number;
}

/**
 * Progress of a snapshot load, from the partitions' positions: what was sealed before a restart
 * counts, so the counts continue across restarts (kill -9 included) instead of starting from 0.
 */
export interface SnapshotProgress {
  readonly items: number;
  readonly bytes: number;
  /** Read-capacity units charged (the larger of the reported and the size estimate per page). */
  readonly capacityUnits: number;
  readonly capacityLimitPerSecond: number;
  /** The source's approximate item count (0 when unknown). */
  readonly sourceItemCount: number;
  /** `items` as a percent of `sourceItemCount`, null when that is unknown. */
  readonly percent: number | null;
}

/**
 * Builds the readers for one table's stream (Pinot's `StreamConsumerFactory`), made by the table's
 * stream plugin (`StreamPlugin.createConsumerFactory`) each time the table's runtime starts, from
 * settings parsed once at admission; `close()` releases shared clients.
 *
 * @example
 *   const factory = stream.plugin.createConsumerFactory(stream.settings, { partitionIds, tableName });
 *   const partitions = await factory.createMetadataProvider().listPartitions();
 */
export interface StreamConsumerFactory {
  readonly offsetFactory: StreamOffsetFactory;
  /** How long one `fetchMessages` may wait (Pinot's `stream.<type>.fetch.timeout.millis`). */
  readonly fetchTimeoutMs: number;
  /** How often ingestion lists partitions to find new ones (after a reshard), in millis. */
  readonly discoveryIntervalMs: number;
  /** Where a partition with no checkpoint starts, for status (e.g. `TRIM_HORIZON`). */
  readonly initialPositionDescription: string;
  /**
   * Where this partition starts when it has no checkpoint, for status, when that differs per
   * partition (a per-shard starting sequence number); absent = `initialPositionDescription`.
   */
  initialPositionFor?(partition: PartitionInfo): string;
  /** Fetches of this table in flight now, the cap and the high-water mark, when the plugin caps them. */
  fetchConcurrency?(): FetchConcurrency;
  createMetadataProvider(): StreamMetadataProvider;
  /**
   * A reader for one partition. `fromOldest` makes a partition with no checkpoint start at its
   * oldest record instead of the configured position: used for children of a shard this table read
   * to its end, whose records continue the parent's (as the KCL does), so `LATEST` never skips
   * what was written to a child before its reader started. `fromLatest` makes it start after the
   * newest record instead (a stream reset with `consumeFrom=largest`). `atTimestampMs` makes it
   * start at the first record that arrived at or after that time (a rewind, `resumeConsumption?consumeFrom=largest`);
   * a stream type without timestamp positioning ignores it (rewinds to a time are refused for it).
   */
  createPartitionConsumer(partition: PartitionInfo, options?: ConsumerStart): PartitionConsumer;
  /**
   * How far the snapshot load (its `snapshot` partitions, see `PartitionInfo.snapshot`) has got,
   * for status and metrics; absent for stream types without one. `positionOf(shardId)` is the
   * partition's position: the offset (persisted form) of its last record ingested, else its
   * checkpoint (the end of its last sealed segment), else null.
   */
  snapshotProgress?(positionOf: (shardId: string) => string | null): SnapshotProgress;
  close(): Promise<void>;
}
