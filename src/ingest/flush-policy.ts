import type { FlushThresholds } from '../config/table-config.js';

/**
 * Why a consuming segment was sealed; recorded in logs and status (`forceCommit`: a user asked,
 * `POST /tables/{t}/forceCommit`; `bound`: a bounded run's end, `ingest --once`).
 */
export type SealReason = 'rows' | 'time' | 'size' | 'endOfShard' | 'forceCommit' | 'bound' | 'rewind';

/** What the policy needs to know about the consuming segment. */
export interface FlushCandidate {
  readonly numDocs: number;
  readonly estimatedSizeBytes: number;
  readonly createdAtMs: number;
}

/**
 * Decides when a consuming segment is sealed, from the table's flush thresholds: the row count,
 * its age, or its estimated size, whichever comes first. An empty segment is never sealed for
 * age (its clock restarts instead); the end of a shard always seals, even an empty segment,
 * because that sealed file is what records the shard as finished.
 */
export function sealReason(segment: FlushCandidate, thresholds: FlushThresholds, nowMs: number): SealReason | null {
  if (segment.numDocs === 0) return null;
  if (thresholds.rows > 0 && segment.numDocs >= thresholds.rows) return 'rows';
  if (thresholds.segmentSizeBytes > 0 && segment.estimatedSizeBytes >= thresholds.segmentSizeBytes) return 'size';
  if (thresholds.timeMs > 0 && nowMs - segment.createdAtMs >= thresholds.timeMs) return 'time';
  return null;
}
