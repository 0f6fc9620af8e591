/** The statistics of one query execution, reported in the broker response. */
export interface ExecutionStats {
  numDocsScanned: number;
  totalDocs: number;
  numEntriesScannedInFilter: number;
  numEntriesScannedPostFilter: number;
  numSegmentsQueried: number;
  numSegmentsProcessed: number;
  numSegmentsMatched: number;
  numConsumingSegmentsQueried: number;
  /** Consuming segments the executor processed (not pruned) and, of those, with a matching row. */
  numConsumingSegmentsProcessed: number;
  numConsumingSegmentsMatched: number;
  /** Segments with rows skipped because their min/max (footer column stats) rule the filter out. */
  numSegmentsPrunedByValue: number;
  /** Segments not read because a selection-only LIMIT was already filled (Pinot's limit pruning). */
  numSegmentsPrunedByLimit: number;
  /** Oldest "newest row" time among consuming segments (epoch millis); 0 when none. */
  minConsumingFreshnessTimeMs: number;
  /**
   * Upsert tables: rows live in the query's view of the queried segments (each key's live row,
   * deleted keys out; with `skipUpsertDelete` in; with `skipUpsert` every row), from the bitmaps
   * frozen with the snapshot. Null for other tables (the response then has no such field).
   */
  liveRows: number | null;
}

export function emptyStats(): ExecutionStats {
  return {
    numDocsScanned: 0,
    totalDocs: 0,
    numEntriesScannedInFilter: 0,
    numEntriesScannedPostFilter: 0,
    numSegmentsQueried: 0,
    numSegmentsProcessed: 0,
    numSegmentsMatched: 0,
    numConsumingSegmentsQueried: 0,
    numConsumingSegmentsProcessed: 0,
    numConsumingSegmentsMatched: 0,
    numSegmentsPrunedByValue: 0,
    numSegmentsPrunedByLimit: 0,
    minConsumingFreshnessTimeMs: 0,
    liveRows: null,
  };
}
