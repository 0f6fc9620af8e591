import type { DecodedRow } from '../spi/decoder.js';
import type { ConsumingSegment } from '../segment/consuming-segment.js';
import type { SealedSegment } from '../segment/sealed-segment.js';

/**
 * The seam between the record indexer and an upsert or dedup table's key map. `admit` decides
 * and changes nothing; `commit` changes the key map and the live-row bitmaps. A row the segment
 * then refuses is simply never committed. One admit, then its commit or nothing, before the next
 * admit: the key map keeps the admitted row's decision in place of an object per row.
 *
 * @example
 *   const row = keyed.admit(decoded, segment);
 *   if (row !== null) { segment.index(row, offset, t); keyed.commit(segment.numDocs - 1); }
 */
export interface KeyedRows {
  /**
   * The row to index (the record's own, a partial-upsert merge, or flagged out of order), or
   * null when the row is dropped (a duplicate, or out of order with `dropOutOfOrderRecord`): counted.
   */
  admit(row: DecodedRow, segment: ConsumingSegment): DecodedRow | null;
  /** Call right after `segment.index(row)`, in the same synchronous step, with the row's doc id. */
  commit(doc: number): void;
  /**
   * A consuming segment was published as `sealed` (doc `d` of the file is consuming doc
   * `perm[d]`), in the same synchronous step as the swap. TTLs are enforced here (`docs/upsert.md`).
   */
  sealed(consuming: ConsumingSegment, sealed: SealedSegment, perm: Int32Array | null): void;
}
