import type { PartitionStatus, RewindResult } from '../ingest/table-runtime.js';
import type { PauseReasonCode, PauseState } from './pause-state.js';

/**
 * Pinot's JSON views of consuming segments, shaped from the runtime's partition status: the
 * metadata of a segment still being written, and the `PauseStatus` answer of pause / resume.
 */

/** Result of `pause` / `resume`, in Pinot's `PauseStatusDetails` terms. */
export interface PauseResult {
  readonly pauseFlag: boolean;
  /** Consuming segments at the moment of the call. */
  readonly consumingSegments: string[];
  readonly reasonCode: PauseReasonCode;
  /** The caller's comment, or null (the route fills in Pinot's default text). */
  readonly comment: string | null;
  readonly timestamp: string;
  /** Pause only: the consuming segments asked to seal (Pinot force-commits on pause). */
  readonly segmentsForceCommitted?: string[];
  /** Resume with `consumeFrom` only: the rewind it started. */
  readonly rewind?: RewindResult;
}

/**
 * Metadata of a consuming segment: its live state, `status: IN_PROGRESS`, where a sealed segment
 * would show its footer.
 *
 * @example
 *   consumingSegmentMetadata('events__0__3__20240101T0000Z', partition);
 *   // { segmentName, status: 'IN_PROGRESS', partitionId: 0, shardId, totalDocs: 3, ... }
 */
export function consumingSegmentMetadata(segmentName: string, partition: PartitionStatus): Record<string, unknown> {
  return {
    segmentName,
    status: 'IN_PROGRESS',
    partitionId: partition.partitionId,
    shardId: partition.shardId,
    totalDocs: partition.rowsInConsumingSegment,
    startedFrom: partition.startedFrom,
    currentOffset: partition.currentOffset,
    state: partition.state,
  };
}

/** The `PauseStatusDetails` answer: the new state and the segments consuming at the moment of the call. */
export function pauseResult(state: PauseState, partitions: readonly PartitionStatus[]): PauseResult {
  return { pauseFlag: state.paused, consumingSegments: consumingSegmentNames(partitions), reasonCode: state.reasonCode, comment: state.comment, timestamp: state.timestamp };
}

function consumingSegmentNames(partitions: readonly PartitionStatus[]): string[] {
  return partitions.map((p) => p.consumingSegmentName).filter((n): n is string => n !== null);
}
