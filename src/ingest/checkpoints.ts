import type { StreamOffset, StreamOffsetFactory } from '../spi/offset.js';

/** What the sealed segments of a table say about one shard. */
export interface ShardCheckpoint {
  readonly shardId: string;
  readonly partitionId: number;
  /** Highest end offset among the shard's sealed segments; null when none recorded an offset. */
  readonly after: StreamOffset | null;
  /** True when a segment marked the end of the shard: it is fully read. */
  readonly ended: boolean;
  /** LLC sequence number for the partition's next segment. */
  readonly nextSequence: number;
}

/** The fields of a sealed segment's metadata that recovery reads. */
export interface CheckpointSource {
  readonly shardId: string;
  readonly partitionId: number;
  readonly segmentName: string;
  readonly endOffset: string | null;
  readonly endOfShard: boolean;
}

/**
 * Rebuilds per-shard checkpoints from sealed segments (DESIGN.md section 3): each shard resumes
 * after the highest end offset among its segments, compared with the stream's own ordering
 * (BigInt for Kinesis sequence numbers, never text).
 */
export function checkpointsFromSegments(
  segments: readonly CheckpointSource[],
  offsets: StreamOffsetFactory,
  sequenceOf: (segmentName: string) => number,
): Map<string, ShardCheckpoint> {
  const result = new Map<string, ShardCheckpoint>();
  for (const segment of segments) {
    const previous = result.get(segment.shardId);
    const end = segment.endOffset === null ? null : offsets.parse(segment.endOffset);
    const prevAfter = previous?.after ?? null;
    const after = end === null ? prevAfter : prevAfter === null || end.compareTo(prevAfter) > 0 ? end : prevAfter;
    result.set(segment.shardId, {
      shardId: segment.shardId,
      partitionId: segment.partitionId,
      after,
      ended: (previous?.ended ?? false) || segment.endOfShard,
      nextSequence: Math.max(previous?.nextSequence ?? 0, sequenceOf(segment.segmentName) + 1),
    });
  }
  return result;
}
