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


/** One granularity of a timestamp index: its sorted distinct buckets and each doc's bucket. */
export interface TimestampBuckets {
  /** Bucket start times (epoch millis), strictly ascending. */
  readonly values: BigInt64Array;
  /** `ids[doc]` is the bucket of `doc` (an index into `values`), for every doc of the segment. */
  readonly ids: Int32Array;
}

/**
 * A timestamp index (`indexTypes: ["TIMESTAMP"]` with `timestampConfig.granularities`): for each
 * granularity, `DATETRUNC(granularity, column)` in UTC precomputed for every doc, dictionary-
 * encoded. A GROUP BY on that DATETRUNC reads bucket ids instead of truncating each row.
 */
export interface TimestampIndexReader {
  /** Pinot granularity names (`DAY`, `HOUR`, …) the index holds. */
  readonly granularities: readonly string[];
  /** The buckets of `granularity`, or null when the index lacks it. */
  buckets(granularity: string): TimestampBuckets | null;
}
