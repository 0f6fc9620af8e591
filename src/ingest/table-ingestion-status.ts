import type { SnapshotProgress } from '../spi/stream-consumer-factory.js';
import type { UpsertCounters } from '../upsert/index.js';
import type { SegmentGap } from './segment-gaps.js';
import type { StreamIdentityStatus } from './stream-identity-guard.js';
import type { RewindStatus } from './table-rewind.js';

/** `consumingSegmentsInfo` → `shardtableTable.phase`. */
export interface SnapshotPhase {
  readonly state: 'LOADING' | 'STREAMING';
  /** Snapshot partitions (scan segments) and how many are read to their end. */
  readonly snapshotPartitions: number;
  readonly snapshotPartitionsDone: number;
  readonly progress: SnapshotProgress | null;
}

/**
 * Records this table can no longer read, reported, never silently skipped: a shard that left the
 * stream's listing (expired past retention) before this table read it to its end (`kind`
 * `shardExpired`, or absent), or rows of a sealed segment gone from disk (deleted, damaged) that
 * the stream no longer has either (`segmentGap`, with `lostRange`).
 */
export interface DataLossEntry {
  readonly kind?: 'shardExpired' | 'segmentGap';
  readonly shardId: string;
  readonly partitionId: number | null;
  /** The last sequence number this table has of the shard (indexed or sealed), or `never read`. */
  readonly lastSequenceNumber: string;
  /** Epoch millis when discovery noticed the shard was gone. */
  readonly detectedAtMs: number;
  readonly reason: string;
  /**
   * For a segment gap: the lost records, from `from` (null: unknown, no ledger) to `to`, which is
   * itself lost when `toInclusive`, else the first record still read.
   */
  readonly lostRange?: { readonly from: string | null; readonly to: string; readonly toInclusive: boolean };
}

/**
 * Whether the table reaches its stream at all (`consumingSegmentsInfo` → `shardtableTable.ingestion`):
 * - `CONNECTING`: the first listing of the stream's partitions is in flight;
 * - `RUNNING`: the stream was listed and every ready partition has its reader (each partition's
 *   own `state` says how its reads go);
 * - `DOWN`: the stream could not be listed since the runtime started (unreachable, hanging,
 *   deleted): nothing is read, the sealed segments are served, and the listing is retried with
 *   backoff until it answers;
 * - `STREAM_RECREATED`: the stream was deleted and created again under the same name (another
 *   ARN or creation time than the one recorded with the checkpoints): nothing is read, the sealed
 *   segments are served, `lastError` says what to do (`POST /tables/{t}/resetStream`);
 * - `STOPPED`: the runtime stopped.
 */
export type IngestionState = 'CONNECTING' | 'RUNNING' | 'DOWN' | 'STREAM_RECREATED' | 'STOPPED';

export interface IngestionHealth {
  readonly state: IngestionState;
  /** Epoch millis when the state last changed. */
  readonly sinceMs: number;
  /** Why the stream could not be listed (the last failure while `DOWN`); null otherwise. */
  readonly lastError: string | null;
  /** Failed listings since the state was last `RUNNING`. */
  readonly failedAttempts: number;
  /** Epoch millis of the next listing attempt while `DOWN`; null otherwise. */
  readonly nextAttemptAtMs: number | null;
}

/** Table-level ingestion status (`consumingSegmentsInfo` → `shardtableTable`). */
export interface TableIngestionStatus {
  /** Whether the stream is reached at all; `DOWN` while the table serves only its sealed segments. */
  readonly ingestion: IngestionHealth;
  readonly dataLoss: readonly DataLossEntry[];
  /** The stream the checkpoints belong to, and whether the one under its name now is another (absent: not checked). */
  readonly streamIdentity?: StreamIdentityStatus;
  /** The table's last online rewind (`POST /tables/{t}/rewind`, `resumeConsumption?consumeFrom=`), while it runs and after. */
  readonly rewind?: RewindStatus;
  /** Segment files refused on start (corrupt, another segment's identity, overlapping offsets), moved to `quarantine/`. */
  readonly quarantined?: readonly { readonly file: string; readonly reason: string }[];
  /** Gaps in the shards' chains of sealed segments found on start, and their repairs from the stream. */
  readonly repairs?: readonly GapRepairStatus[];
  /** Retention: the configured limit and what it dropped since start (`sealed-upkeep.ts`). */
  readonly retention?: RetentionStatus;
  /** Compaction (`MergeRollupTask`): passes, merges made, input segments and rows merged since start. */
  readonly compaction?: { readonly runs: number; readonly merged: number; readonly segmentsIn: number; readonly rows: number; readonly lastError: string | null };
  readonly discovery: {
    /** `stream.kinesis.shard.discovery.interval.ms`. */
    readonly intervalMs: number;
    /** Epoch millis of the last successful listing; null before the first. */
    readonly lastListedAtMs: number | null;
    readonly shardsListed: number;
    readonly runs: number;
    readonly lastError: string | null;
  };
  /**
   * Upsert tables: keys in the key map, live rows, deleted keys, out-of-order records kept (not
   * live) and dropped since start, and records whose key was live from another shard that is not
   * an ancestor (`keysSeenInUnrelatedShards`: a warning — Pinot needs a stream partitioned by
   * primary key), keys removed by `metadataTTL` and `deletedKeysTTL` since start. Dedup tables:
   * keys, duplicates dropped and keys removed by `metadataTTL` since start.
   */
  readonly upsert?: { readonly mode: 'FULL' | 'PARTIAL' } & Readonly<UpsertCounters>;
  readonly dedup?: { readonly keys: number; readonly duplicatesDropped: number; readonly metadataTTLKeysRemoved: number; readonly keysRemovedWithSegments: number };
  /**
   * Tables whose stream starts with a snapshot load (a DynamoDB table's scan): `LOADING` while a
   * snapshot partition is unread, then `STREAMING`; the load's progress since the runtime started.
   */
  readonly phase?: SnapshotPhase;
  /** GetRecords calls of this table in flight, against `stream.kinesis.max.concurrent.fetches`. */
  readonly fetchConcurrency: { readonly limit: number; readonly inFlight: number; readonly maxInFlight: number; readonly waiting: number } | null;
}

/** Where one gap's repair stands (`consumingSegmentsInfo` → `shardtableTable.repairs`). */
export interface GapRepairStatus {
  readonly shardId: string;
  readonly partitionId: number;
  /** Records strictly after this offset (null: from the partition's start) ... */
  readonly after: string | null;
  /** ... and before this one (or up to and including it, `untilInclusive`) are re-read. */
  readonly until: string;
  readonly untilInclusive: boolean;
  readonly evidence: SegmentGap['evidence'];
  readonly missingSegments: readonly string[];
  readonly state: 'PENDING' | 'READING' | 'REPAIRED' | 'LOST' | 'PARTLY_LOST' | 'FAILED' | 'STOPPED';
  /** The repair segment written, if any. */
  readonly segmentName: string | null;
  readonly rows: number;
  readonly detail: string | null;
}

/** What retention has done since start, for status. */
export interface RetentionStatus {
  readonly retentionMs: number | null;
  /** Why a configured retention is not applied, or null. */
  readonly disabledReason: string | null;
  readonly intervalMs: number;
  readonly lastRunAtMs: number | null;
  readonly segmentsDropped: number;
  readonly rowsDropped: number;
  /** The most recent drops (at most 20), newest last. */
  readonly recent: readonly { readonly segment: string; readonly endTimeMs: number; readonly droppedAtMs: number }[];
}
