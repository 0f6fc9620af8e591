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

/**
 * The star-tree of a segment (docs/segment-format.md, "Star-tree"): pre-aggregated records, each
 * holding the doc count and the SUM/MIN/MAX of each function column pair over its docs. A
 * dimension of a record is a representative doc (in file order) holding its value, or -1 for a
 * star (aggregated away). Files of layout 1 (footer key `starTreeIndexes`) add Pinot's tree of
 * nodes over the records; files of layout 0 (footer key `starTrees`, written before
 * `maxLeafRecords` was honoured) are a full cube: every pattern of stars has its records.
 */
export interface StarTreeRecords {
  readonly numRecords: number;
  /** `dims[d][r]`: the file doc holding dimension d of record r, or -1 (star). */
  readonly dims: readonly Int32Array[];
  readonly counts: Float64Array;
  /** `metrics[p][r]`: the pre-aggregated value of pair p for record r. */
  readonly metrics: readonly Float64Array[];
  /** The tree over the records (layout 1); null for a cube (layout 0). */
  readonly nodes: StarTreeNodes | null;
}

/**
 * Nodes of a star-tree, node 0 the root. A node split on dimension `dim` has children
 * `firstChild .. firstChild + numChildren - 1` (one per value, then the star child, if any);
 * a leaf (`dim` -1) covers records `start .. end - 1`.
 */
export interface StarTreeNodes {
  readonly count: number;
  /** The dimension a node splits on (index into the tree's dimensions), -1 for a leaf. */
  readonly dim: Int32Array;
  /** A doc holding the node's value of its parent's split dimension; -1 for a star node, -2 for the root. */
  readonly doc: Int32Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly firstChild: Int32Array;
  readonly numChildren: Int32Array;
}
