import type { ScalarValue } from '../../config/data-type.js';
import type { ColumnSpec } from '../../config/schema.js';
import type { ColumnPrefix } from '../../segment/builders/column-builder.js';
import { bitmapBytes } from '../../segment/builders/null-bitmap.js';
import type { ConsumingSegment } from '../../segment/consuming-segment.js';
import type { FrozenLiveDocs } from '../../segment/live-docs.js';
import { DOCS_PER_BLOCK } from '../../segment/format/format-constants.js';
import type { SealedSegment } from '../../segment/sealed-segment.js';
import type { StarTreeFooter } from '../../segment/format/footer.js';
import type { StarTreeRecords } from '../../segment/indexes/star-tree.js';
import type { BlockStats, Dictionary, InvertedIndex } from '../../segment/segment-view.js';
import type { BloomFilterReader } from '../../segment/indexes/bloom-filter.js';
import type { JsonIndexReader } from '../../segment/indexes/json-index.js';
import type { RangeIndexReader } from '../../segment/indexes/range-index.js';
import type { TextIndexReader } from '../../segment/indexes/text-index.js';
import type { TimestampGranularity, TimestampIndexReader } from '../../segment/indexes/timestamp-index.js';

/**
 * One column's values for the docs of one block, in the layout the executor loops over:
 * dictionary ids or raw values (typed arrays for numbers), per doc for single-value columns and
 * per value (with `offsets`, length docs + 1, `offsets[0]` = 0) for multi-value columns. Row `r`
 * of the block is index `r` (or `offsets[r]`); the arrays may be views of shared, cached or
 * still-growing buffers, so a reader never writes to them.
 */
export interface ColumnBlock {
  readonly spec: ColumnSpec;
  readonly dictionary: Dictionary | null;
  readonly dictIds: Uint8Array | Uint16Array | Int32Array | null;
  readonly values: ArrayLike<ScalarValue> | null;
  readonly offsets: ArrayLike<number> | null;
  /** Null bitmap of the block (bit i = row i), only when the table has null handling on. */
  readonly nulls: Uint8Array | null;
  /**
   * Sealed columns with a timestamp index: `DATETRUNC(granularity, column)` in UTC of the block's
   * rows, as a sorted dictionary of bucket values (LONG millis) and a bucket id per row; null
   * when the index lacks the granularity. Absent otherwise.
   */
  readonly timestampBuckets?: (granularity: string) => { readonly dictionary: Dictionary; readonly dictIds: Int32Array } | null;
  /**
   * Sealed columns: the segment's JSON index of the column (null when it has none) and where the
   * block starts, for `JSON_EXTRACT_INDEX`. Absent on consuming segments (no JSON index).
   */
  readonly jsonIndexRows?: () => { readonly segment: string; readonly index: JsonIndexReader | null; readonly numDocs: number; readonly firstDoc: number };
}

export interface BlockRange {
  readonly firstDoc: number;
  readonly numDocs: number;
}

/**
 * A segment as one query sees it: a fixed doc count taken once at the start (a consuming
 * segment keeps growing; the query reads only that prefix), block boundaries shared by all
 * columns, lazily decoded column blocks, and pruning statistics where the segment has them.
 */
export interface SegmentSnapshot {
  readonly name: string;
  readonly consuming: boolean;
  readonly numDocs: number;
  readonly blocks: readonly BlockRange[];
  readonly sortedColumn: string | null;
  /** Epoch millis of the newest row (consuming segments), for `minConsumingFreshnessTimeMs`. */
  readonly freshnessMs: number | null;
  /** Upsert tables: the live rows, fixed when the snapshot was taken; null = every row is live. */
  readonly liveDocs: FrozenLiveDocs | null;
  /**
   * The sealed segment's file, which a query worker thread opens itself (`query/parallel/`);
   * absent for consuming segments.
   */
  readonly file?: string;
  block(column: string, blockIndex: number): ColumnBlock;
  /** Min/max of a column over the whole segment (sealed segments), null when unknown. */
  columnStats(column: string): { readonly min: ScalarValue | null; readonly max: ScalarValue | null } | null;
  blockStats(column: string, blockIndex: number): BlockStats | null;
  invertedIndex(column: string): InvertedIndex | null;
  /**
   * Sealed segments: the dictionary size of a column with an inverted index, from the footer
   * (nothing decoded), for cost estimates; null when the column has none. Absent: unknown.
   */
  indexedCardinality?(column: string): number | null;
  dictionary(column: string): Dictionary | null;
  /** The column's JSON index (sealed segments built with one); absent or null = none. */
  jsonIndex?(column: string): JsonIndexReader | null;
  /** The column's bloom filter (sealed segments built with one); absent or null = none. */
  bloomFilter?(column: string): BloomFilterReader | null;
  /** The column's range index (sealed segments built with one); absent or null = none. */
  rangeIndex?(column: string): RangeIndexReader | null;
  /** The column's text index (sealed segments built with one); absent or null = none. */
  textIndex?(column: string): TextIndexReader | null;
  /** The segment's star-trees (sealed segments built with some); absent = none. */
  starTrees?(): readonly StarTreeSource[];
}

/** One star-tree of a sealed segment: its footer entry and its records, decoded on first use. */
export interface StarTreeSource {
  readonly tree: StarTreeFooter;
  records(): StarTreeRecords;
}

/**
 * The `timestampBuckets` of one block of a column with a timestamp index. `buckets` is memoised
 * per snapshot (`timestampBucketsOnce`): a cache that evicted or refused the index would otherwise
 * decode and check the whole index again for every block — quadratic in the segment's rows.
 */
function timestampBlock(buckets: (granularity: string) => BucketDictionary | null, range: BlockRange): NonNullable<ColumnBlock['timestampBuckets']> {
  return (granularity) => {
    const b = buckets(granularity);
    return b === null ? null : { dictionary: b.dictionary, dictIds: b.ids.subarray(range.firstDoc, range.firstDoc + range.numDocs) };
  };
}

interface BucketDictionary {
  readonly dictionary: Dictionary;
  readonly ids: Int32Array;
}

/** One column's timestamp buckets per granularity, read from the index once for the snapshot. */
function timestampBucketsOnce(index: () => TimestampIndexReader | null): (granularity: string) => BucketDictionary | null {
  let reader: TimestampIndexReader | null | undefined;
  const byGranularity = new Map<string, BucketDictionary | null>();
  return (granularity) => {
    let out = byGranularity.get(granularity);
    if (out !== undefined) return out;
    if (reader === undefined) reader = index();
    const buckets = reader?.buckets(granularity as TimestampGranularity) ?? null;
    if (buckets === null) out = null;
    else {
      const values = buckets.values;
      const dictionary: Dictionary = { size: values.length, sorted: true, get: (id) => values[id]!, indexOf: (value) => values.indexOf(value as bigint) };
      out = { dictionary, ids: buckets.ids };
    }
    byGranularity.set(granularity, out);
    return out;
  };
}

export function sealedSnapshot(segment: SealedSegment, liveDocs: FrozenLiveDocs | null = null): SegmentSnapshot {
  const first = segment.schema.columns[0];
  const blocks: BlockRange[] = first ? segment.column(first.name).blocks.map((b) => ({ firstDoc: b.firstDoc, numDocs: b.numDocs })) : [];
  const meta = new Map(segment.metadata.columns.map((c) => [c.name, c] as const));
  const timestampBuckets = new Map<string, (granularity: string) => BucketDictionary | null>();
  const bucketsOf = (column: string): ((granularity: string) => BucketDictionary | null) => {
    let f = timestampBuckets.get(column);
    if (f === undefined) timestampBuckets.set(column, (f = timestampBucketsOnce(() => segment.column(column).timestampIndex)));
    return f;
  };
  return {
    name: segment.name,
    consuming: false,
    numDocs: segment.numDocs,
    blocks,
    sortedColumn: segment.metadata.sortedColumn,
    freshnessMs: null,
    liveDocs,
    file: segment.path,
    block(column, blockIndex) {
      const reader = segment.column(column);
      const b = reader.readBlock(blockIndex);
      const cells = { spec: reader.spec, dictionary: b.dictIds ? reader.dictionary : null, dictIds: b.dictIds, values: b.values as ArrayLike<ScalarValue> | null, offsets: b.offsets, nulls: b.nulls };
      const jsonIndexRows = () => ({ segment: segment.name, index: reader.jsonIndex, numDocs: segment.numDocs, firstDoc: blocks[blockIndex]!.firstDoc });
      return meta.get(column)?.hasTimestampIndex === true ? { ...cells, jsonIndexRows, timestampBuckets: timestampBlock(bucketsOf(column), blocks[blockIndex]!) } : { ...cells, jsonIndexRows };
    },
    columnStats(column) {
      const m = meta.get(column);
      return m ? { min: m.min, max: m.max } : null;
    },
    blockStats(column, blockIndex) {
      return segment.column(column).blocks[blockIndex] ?? null;
    },
    invertedIndex(column) {
      return segment.column(column).invertedIndex;
    },
    indexedCardinality(column) {
      const m = meta.get(column);
      return m !== undefined && m.hasInvertedIndex ? m.cardinality : null;
    },
    dictionary(column) {
      return segment.column(column).dictionary;
    },
    starTrees() {
      return segment.starTrees.map((tree, i) => ({ tree, records: () => segment.starTreeRecords(i) }));
    },
    jsonIndex(column) {
      return segment.column(column).jsonIndex;
    },
    bloomFilter(column) {
      return segment.column(column).bloomFilter;
    },
    rangeIndex(column) {
      return segment.column(column).rangeIndex;
    },
    textIndex(column) {
      return segment.column(column).textIndex;
    },
  };
}

/**
 * One consuming column frozen at the snapshot's `numDocs`: views of the builder's arrays (no
 * copy), cut into blocks of `DOCS_PER_BLOCK` rows like a sealed column.
 */
function consumingColumn(prefix: ColumnPrefix, spec: ColumnSpec): (range: BlockRange) => ColumnBlock {
  const { dictionary, dictIds, values, offsets, nulls } = prefix;
  const data = (dictIds ?? values)!;
  return ({ firstDoc, numDocs }) => {
    const end = firstDoc + numDocs;
    let blockNulls: Uint8Array | null = null;
    if (nulls !== null) {
      // firstDoc is a multiple of 8; the last byte may hold bits of later rows: mask them off.
      blockNulls = nulls.subarray(firstDoc >> 3, bitmapBytes(end));
      if ((numDocs & 7) !== 0) {
        blockNulls = blockNulls.slice();
        blockNulls[blockNulls.length - 1]! &= (1 << (numDocs & 7)) - 1;
      }
    }
    let blockOffsets: Uint32Array | null = null;
    let slice: typeof data;
    if (offsets === null) {
      slice = data.subarray(firstDoc, end);
    } else {
      const base = offsets[firstDoc]!;
      blockOffsets = new Uint32Array(numDocs + 1);
      for (let d = 0; d <= numDocs; d++) blockOffsets[d] = offsets[firstDoc + d]! - base;
      slice = data.subarray(base, offsets[end]!);
    }
    return {
      spec,
      dictionary,
      dictIds: dictionary ? (slice as Int32Array) : null,
      values: dictionary ? null : (slice as unknown as ArrayLike<ScalarValue>),
      offsets: blockOffsets,
      nulls: blockNulls,
    };
  };
}

/** Blocks of `DOCS_PER_BLOCK` rows over `numDocs` rows. */
function blockRanges(numDocs: number): BlockRange[] {
  const out: BlockRange[] = [];
  for (let first = 0; first < numDocs; first += DOCS_PER_BLOCK) out.push({ firstDoc: first, numDocs: Math.min(DOCS_PER_BLOCK, numDocs - first) });
  return out;
}

/**
 * A consuming segment frozen at `numDocs` (read once, now): the query never sees rows indexed
 * after it started, and never a half-indexed row (`numDocs` moves only after a whole row is
 * written). Every column is captured now as prefix views of the builders' arrays (no copy) with
 * its dictionary frozen at its current size, then read in place, block by block.
 */
export function consumingSnapshot(segment: ConsumingSegment, liveDocs: FrozenLiveDocs | null = null): SegmentSnapshot {
  const numDocs = segment.numDocs;
  const blocks = blockRanges(numDocs);
  const columns = new Map<string, { readonly prefix: ColumnPrefix; readonly block: (range: BlockRange) => ColumnBlock }>();
  for (const spec of segment.schema.columns) {
    const prefix = segment.columnPrefix(spec.name, numDocs);
    columns.set(spec.name, { prefix, block: consumingColumn(prefix, spec) });
  }
  const column = (name: string): { readonly prefix: ColumnPrefix; readonly block: (range: BlockRange) => ColumnBlock } => {
    const c = columns.get(name);
    if (c === undefined) throw new Error(`segment ${segment.name} has no column ${name}`);
    return c;
  };
  return {
    name: segment.name,
    consuming: true,
    numDocs,
    blocks,
    sortedColumn: null,
    freshnessMs: segment.latestArrivalTimeMs ?? segment.createdAtMs,
    liveDocs,
    block(name, blockIndex) {
      const range = blocks[blockIndex];
      if (range === undefined) throw new RangeError(`segment ${segment.name} has no block ${blockIndex}`);
      return column(name).block(range);
    },
    columnStats: () => null,
    // A block full in this snapshot has the segment's statistics (none while it fills).
    blockStats: (name, blockIndex) => (blocks[blockIndex]?.numDocs === DOCS_PER_BLOCK && columns.has(name) ? segment.blockStats(name, blockIndex) : null),
    invertedIndex: () => null,
    dictionary: (name) => column(name).prefix.dictionary,
  };
}
