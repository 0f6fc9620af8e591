import type { PartitionInfo } from '../spi/metadata-provider.js';
import type { ShardCheckpoint } from './checkpoints.js';
import type { DataLossEntry } from './table-ingestion-status.js';

/** What the table knows when a listing comes back, to tell which shards expired unread. */
export interface ExpiryView {
  /** Shards listed before this listing. */
  readonly known: ReadonlyMap<string, PartitionInfo>;
  readonly checkpoints: ReadonlyMap<string, ShardCheckpoint>;
  /** Shards read to their end. */
  readonly ended: ReadonlySet<string>;
  /** Loss already reported, by shard id. */
  readonly reported: ReadonlyMap<string, DataLossEntry>;
  /** The offset a running reader of the shard has reached, if one runs. */
  currentOffset(shardId: string): string | null | undefined;
}

/**
 * The shards that left the stream (expired past retention) without an end-of-shard segment: each
 * lost its unread records. Candidates are shards listed before, and missing parents of listed
 * shards that this table has sealed segments of; a shard that expired before this table ever saw
 * it is not this table's loss. Already reported and fully read shards are skipped.
 */
export function expiredShards(listed: readonly PartitionInfo[], view: ExpiryView, nowMs: number): DataLossEntry[] {
  const listedIds = new Set(listed.map((p) => p.shardId));
  const candidates = new Set<string>();
  for (const shardId of view.known.keys()) if (!listedIds.has(shardId)) candidates.add(shardId);
  for (const partition of listed) {
    for (const parent of partition.parentShardIds) if (!listedIds.has(parent) && view.checkpoints.has(parent)) candidates.add(parent);
  }
  const lost: DataLossEntry[] = [];
  for (const shardId of candidates) {
    if (view.ended.has(shardId) || view.reported.has(shardId)) continue;
    const checkpoint = view.checkpoints.get(shardId);
    const lastSequenceNumber = view.currentOffset(shardId) ?? checkpoint?.after?.toString() ?? 'never read';
    lost.push({
      shardId,
      partitionId: view.known.get(shardId)?.partitionId ?? checkpoint?.partitionId ?? null,
      lastSequenceNumber,
      detectedAtMs: nowMs,
      reason: lastSequenceNumber === 'never read'
        ? 'shard left the stream (expired past retention) before any of it was read'
        : `shard left the stream (expired past retention) before it was read to its end; records after ${lastSequenceNumber} are lost`,
    });
  }
  return lost;
}
