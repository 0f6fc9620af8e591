import type { PartitionInfo } from '../spi/metadata-provider.js';
import type { SnapshotProgress } from '../spi/stream-consumer-factory.js';
import type { SnapshotPhase } from './table-ingestion-status.js';

/**
 * The table's phase for status: `LOADING` while a snapshot partition (`PartitionInfo.snapshot`)
 * has not been read to its end, then `STREAMING`. Nothing (no `phase` field) for a table whose
 * stream has no snapshot partitions.
 */
export function snapshotPhase(known: readonly PartitionInfo[], ended: ReadonlySet<string>, progress: SnapshotProgress | undefined): { phase?: SnapshotPhase } {
  const snapshots = known.filter((p) => p.snapshot === true);
  if (snapshots.length === 0) return {};
  const done = snapshots.filter((p) => ended.has(p.shardId)).length;
  return {
    phase: {
      state: done === snapshots.length ? 'STREAMING' : 'LOADING',
      snapshotPartitions: snapshots.length,
      snapshotPartitionsDone: done,
      progress: progress ?? null,
    },
  };
}
