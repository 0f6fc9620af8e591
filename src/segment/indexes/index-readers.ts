/** The reader shapes of the per-column indexes (no imports: `segment-view.ts` depends on this file). */

/**
 * A range index (`rangeIndexColumns`) on a numeric column: every stored value (defaults stored for
 * nulls included; each value of a multi-value doc) in ascending order — NaN last, `-0` before `0`,
 * as dictionaries order them — with the doc holding it. A range predicate becomes a binary search
 * and a run of docs, whatever the column's encoding.
 */
export interface RangeIndexReader {
  /** Values ascending (typed array of the stored type). */
  readonly values: Int32Array | BigInt64Array | Float32Array | Float64Array;
  /** `docs[i]` holds `values[i]`. */
  readonly docs: Uint32Array;
}

