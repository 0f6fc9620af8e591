import type { ConsumingSegment } from './consuming-segment.js';
import type { SealedSegment } from './sealed-segment.js';

/**
 * The segments a query reads at one moment: every sealed file of a table and each partition's
 * live consuming segment. Ingestion hands them out; the query engine snapshots them at once.
 */
export interface QueryableSegments {
  readonly sealed: readonly SealedSegment[];
  readonly consuming: readonly ConsumingSegment[];
}
