import type { DecodedRow } from '../spi/decoder.js';
import type { ConsumingSegment } from '../segment/consuming-segment.js';

/** What to index for one row of a keyed table, and how to record it once it has its doc id. */
export interface AdmittedRow {
  /** The row to index: the record's own, a partial-upsert merge, or flagged out of order. */
  readonly row: DecodedRow;
  /** Call right after `segment.index(row)`, in the same synchronous step, with the row's doc id. */
  commit(doc: number): void;
}

/**
 * The seam between the record indexer and an upsert or dedup table's key map. `admit` decides
 * and changes nothing; `commit` changes the key map and the live-row bitmaps. A row the segment
 * then refuses is simply never committed.
 *
 * @example
 *   const admitted = keyed.admit(row, segment);
 *   if (admitted !== null) { segment.index(admitted.row, offset, t); admitted.commit(segment.numDocs - 1); }
 */
export interface KeyedRows {
  /** Null when the row is dropped (a duplicate, or out of order with `dropOutOfOrderRecord`): counted. */
  admit(row: DecodedRow, segment: ConsumingSegment): AdmittedRow | null;
}
