import type { CellValue, ScalarValue } from '../config/data-type.js';
import type { ColumnSpec, TableSchema } from '../config/schema.js';
import type { BloomFilterReader } from './indexes/bloom-filter.js';
import type { JsonIndexReader } from './indexes/json-index.js';
import type { RangeIndexReader } from './indexes/index-readers.js';
import type { TextIndexReader } from './indexes/text-index.js';
import type { TimestampIndexReader } from './indexes/index-readers.js';

/**
 * Value ↔ id mapping of a dictionary-encoded column. In a sealed segment the dictionary is
 * sorted (id order is value order, so range predicates become id ranges); in a consuming segment
 * ids are given in arrival order (`sorted: false`) and only STRING/BYTES columns have one.
 */
export interface Dictionary {
  readonly size: number;
  readonly sorted: boolean;
  /**
   * True when the values are read a page at a time (format 3's paged dictionaries: large ones):
   * read them with `get`, never as an array of every value, which would keep the whole dictionary
   * on the heap beside its pages (`dictionaryValues`).
   */
  readonly paged?: boolean;
  get(id: number): ScalarValue;
  /** The id of `value`, or -1 when the column never holds it. */
  indexOf(value: ScalarValue): number;
  /**
   * Sorted dictionaries of sealed segments: the ids `[from, to)` whose values lie within `bounds`,
   * compared in the dictionary's own order (docs/segment-format.md, "Dictionary": FLOAT values as
   * stored, not rounded; -0 before +0; NaN last), found by binary search without reading the
   * values between the bounds. A paged dictionary reads at most the two pages holding the bounds.
   * Bounds must have the JS type of the values (number, bigint, string or bytes).
   */
  idRange?(bounds: DictionaryBounds): readonly [number, number];
}

/** The bounds of a run of values of a sorted dictionary (`Dictionary.idRange`); null = unbounded. */
export interface DictionaryBounds {
  readonly lo: ScalarValue | null;
  readonly loInclusive: boolean;
  readonly hi: ScalarValue | null;
  readonly hiInclusive: boolean;
}

/** Statistics of one block of rows of a sealed column, for pruning. */
export interface BlockStats {
  readonly firstDoc: number;
  readonly numDocs: number;
  /** Min/max stored value in the block (default null values included); null for an empty block. */
  readonly min: ScalarValue | null;
  readonly max: ScalarValue | null;
  readonly nullCount: number;
}

/** Doc ids per dictionary id (sealed segments, `invertedIndexColumns` only). */
export interface InvertedIndex {
  /** Sorted doc ids holding `dictId` (for multi-value columns: holding it at least once). */
  docIds(dictId: number): Uint32Array;
  /**
   * The dictionary id of `value`, -1 when the column never holds it. In the paged layout this reads
   * one dictionary page, not the whole dictionary (what a point lookup should use).
   */
  idOf(value: ScalarValue): number;
}

/**
 * One decoded block of a sealed column: docs `[firstDoc, firstDoc + numDocs)`. For multi-value
 * columns `offsets` (length numDocs + 1) index into `dictIds` / `values`.
 */
export interface DecodedBlock {
  readonly firstDoc: number;
  readonly numDocs: number;
  /** Null bitmap of the block's docs (bit i = doc firstDoc + i), when the file stores one. */
  readonly nulls: Uint8Array | null;
  readonly offsets: Uint32Array | null;
  /** Dictionary ids (DICT encoding). */
  readonly dictIds: Uint8Array | Uint16Array | Int32Array | null;
  /**
   * Raw values (RAW encoding). A single-value INT block whose values lie in [0, 65535] is a
   * `Uint16Array` (`narrowInts`); other INT blocks are `Int32Array`.
   */
  readonly values: Int32Array | Uint16Array | BigInt64Array | Float32Array | Float64Array | string[] | Uint8Array[] | null;
}

/** Read access to one column of a segment. Doc ids must be `< numDocs` of the segment snapshot. */
export interface ColumnReader {
  readonly spec: ColumnSpec;
  /** `DICT` when values are read through `dictionary` ids, `RAW` otherwise. */
  readonly encoding: 'DICT' | 'RAW';
  readonly dictionary: Dictionary | null;
  /** A scalar for single-value columns, a fresh array for multi-value columns. */
  getValue(docId: number): CellValue;
  /** True only when the table has null handling enabled and the cell was null. */
  isNull(docId: number): boolean;
  /** Dictionary id of a single-value DICT cell. */
  getDictId(docId: number): number;
  /** Dictionary ids of a multi-value DICT cell. */
  getDictIds(docId: number): number[];
}

/** What a sealed column adds: blocks with statistics, lazy block decoding, inverted index. */
export interface SealedColumnReader extends ColumnReader {
  readonly blocks: readonly BlockStats[];
  readonly invertedIndex: InvertedIndex | null;
  /** The column's JSON index (`jsonIndexColumns`, format version 2), null when it has none. */
  readonly jsonIndex: JsonIndexReader | null;
  /** The column's bloom filter (`bloomFilterColumns`, format version 2), null when it has none. */
  readonly bloomFilter: BloomFilterReader | null;
  /** The column's range index (`rangeIndexColumns`, format version 2), null when it has none. */
  readonly rangeIndex: RangeIndexReader | null;
  /** The column's text index (`TEXT` in `fieldConfigList`), null when it has none. */
  readonly textIndex: TextIndexReader | null;
  /** The column's timestamp index (`TIMESTAMP` in `fieldConfigList`), null when it has none. */
  readonly timestampIndex: TimestampIndexReader | null;
  /** Decodes (or returns the cached) block `index`; throws `SEGMENT_CORRUPT` if it cannot. */
  readBlock(index: number): DecodedBlock;
}

/**
 * The read interface shared by consuming and sealed segments (tests today, the query engine
 * next).
 *
 * Consistency: take `numDocs` once and read only docs below it. A consuming segment only ever
 * appends, and a value once written never changes, so such a snapshot stays valid while indexing
 * continues (and across awaits).
 *
 * @example
 *   const n = view.numDocs;
 *   for (let doc = 0; doc < n; doc++) sum += view.getValue('clicks', doc) as number;
 */
export interface SegmentView {
  readonly name: string;
  readonly schema: TableSchema;
  readonly numDocs: number;
  readonly consuming: boolean;
  column(columnName: string): ColumnReader;
  getValue(columnName: string, docId: number): CellValue;
  isNull(columnName: string, docId: number): boolean;
  /** Rows as objects (null for null cells), for docs `< numDocs` at the time of the call. */
  rows(limit?: number): IterableIterator<Record<string, CellValue | null>>;
}
