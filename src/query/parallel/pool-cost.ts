import { SegmentFilter } from '../exec/filter.js';
import type { FilterNode } from '../exec/filter-tree.js';
import { pointValues } from '../exec/index-access.js';
import type { SegmentSnapshot } from '../exec/segment-snapshot.js';

/**
 * The rows of `segments` a query with `filter` is expected to read: per segment, none when its
 * min/max statistics (or bloom filters) rule it out, else the rows of the blocks whose min/max
 * may match, times the share an inverted-index `=`/IN leaf of the filter's top AND keeps (its
 * values over the dictionary's size: uniform rows per value assumed; the smallest such share).
 * Reading only statistics from segment footers (no block, dictionary or doc list), it costs
 * microseconds.
 *
 * This is the work a hop to the worker threads would spread: a scan costs 1-10 ns per row read
 * (docs/query.md, "Worker threads"), a hop about 1-3 ms, so a query that reads fewer rows than
 * `minRows` (default 1M) stays on the main thread — a selective index filter, a sorted-column
 * lookup, a time range that prunes most segments.
 */
export function estimatedRows(filter: FilterNode, segments: readonly SegmentSnapshot[]): number {
  let rows = 0;
  for (const segment of segments) {
    if (segment.numDocs === 0) continue;
    if (filter.kind === 'all') {
      rows += segment.numDocs;
      continue;
    }
    const f = new SegmentFilter(filter, segment);
    if (!f.segmentMayMatch()) continue;
    let blockRows = 0;
    for (let bi = 0; bi < segment.blocks.length; bi++) if (f.blockMayMatch(bi)) blockRows += segment.blocks[bi]!.numDocs;
    rows += blockRows * indexShare(filter, segment);
  }
  return rows;
}

/** The smallest share of rows an inverted-index point lookup under the filter's top AND keeps (1: none). */
function indexShare(filter: FilterNode, segment: SegmentSnapshot): number {
  const leaves = filter.kind === 'and' ? filter.children : [filter];
  let share = 1;
  for (const leaf of leaves) {
    if (leaf.kind !== 'leaf' || !leaf.pointLookup) continue;
    const cardinality = segment.indexedCardinality?.(leaf.column.name) ?? null;
    if (cardinality === null || cardinality === 0) continue;
    share = Math.min(share, pointValues(leaf).length / cardinality);
  }
  return share;
}
