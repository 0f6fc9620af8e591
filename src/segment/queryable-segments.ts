import type { ConsumingSegment } from './consuming-segment.js';
import type { FrozenLiveDocs } from './live-docs.js';
import type { SealedSegment } from './sealed-segment.js';

/**
 * The segments a query reads at one moment: every sealed file of a table and each partition's
 * live consuming segment. Ingestion hands them out; the query engine snapshots them at once.
 */
export interface QueryableSegments {
  readonly sealed: readonly SealedSegment[];
  readonly consuming: readonly ConsumingSegment[];
  /**
   * Upsert tables only: each segment's live rows by segment name, frozen in the same synchronous
   * step as the lists above (so every key is live in exactly one row of the set). Absent for an
   * append table: every row is live.
   */
  readonly liveDocs?: ReadonlyMap<string, FrozenLiveDocs>;
}
