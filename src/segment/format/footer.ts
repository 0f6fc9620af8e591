import type { DataType, FieldType, StoredType } from '../../config/data-type.js';
import { isDataType, storedTypeOf } from '../../config/data-type.js';
import type { PinotSchema } from '../../config/schema.js';
import type { SegmentIdentity } from '../segment-identity.js';
import type { JsonScalar } from './typed-json.js';

/** Where a compressed section lives: consecutive zstd frames starting at `offset`. */
export interface SectionRef {
  readonly offset: number;
  /** Uncompressed length; frame i holds raw bytes [i*frameRawBytes, min((i+1)*frameRawBytes, rawLength)). */
  readonly rawLength: number;
  /** Compressed length of each frame. */
  readonly frames: readonly number[];
  /**
   * CRC-32 of the section's compressed bytes (all its frames). Optional: files written before it
   * existed have none and rely on the whole-file checksum.
   */
  readonly crc32?: number;
}

/** A column's paged dictionary and inverted index (format version 3). */
export interface PagedIndexFooter {
  /** Section layout of the page directory: 1. */
  readonly layout: number;
  readonly numPages: number;
  /** True when the pages include the inverted index's doc lists. */
  readonly inverted: boolean;
  /** File offset of the first page; the pages lie in `[base, directory.offset)`. */
  readonly base: number;
  /** The page directory section: where each page is, and each page's first value. */
  readonly directory: SectionRef;
}

export interface BlockFooter {
  readonly numDocs: number;
  /** Values in the block (= numDocs for single-value columns). */
  readonly numValues: number;
  readonly nullCount: number;
  readonly min: JsonScalar | null;
  readonly max: JsonScalar | null;
  readonly section: SectionRef;
}

export type ColumnEncoding = 'DICT' | 'RAW';

export interface ColumnFooter {
  readonly name: string;
  readonly dataType: DataType;
  readonly storedType: StoredType;
  readonly singleValue: boolean;
  readonly fieldType: FieldType;
  readonly encoding: ColumnEncoding;
  /** Bytes per dictionary id in blocks (1, 2 or 4); 0 for RAW. */
  readonly dictIdWidth: 0 | 1 | 2 | 4;
  /** Exact number of distinct values. */
  readonly cardinality: number;
  readonly min: JsonScalar | null;
  readonly max: JsonScalar | null;
  readonly totalNumValues: number;
  readonly maxNumValuesPerDoc: number;
  readonly nullCount: number;
  /** True when blocks start with a null bitmap (null handling on). */
  readonly hasNullBitmap: boolean;
  /** True for the table's sorted column: rows are in non-decreasing order of it. */
  readonly isSorted: boolean;
  /** The dictionary as one section; null for RAW columns and for columns with `pages`. */
  readonly dictionary: SectionRef | null;
  /** The inverted index as one section; null when none or when it is in `pages`. */
  readonly invertedIndex: SectionRef | null;
  /**
   * Version 3: the dictionary (and the inverted index, when the column has one) in pages, read one
   * at a time (docs/segment-format.md, "Paged dictionary and inverted index"); absent otherwise.
   */
  readonly pages?: PagedIndexFooter;
  /** Version 2: the JSON index section (`jsonIndexColumns`), null or absent when none. */
  readonly jsonIndex?: SectionRef | null;
  /** Version 2: the bloom filter section (`bloomFilterColumns`), null or absent when none. */
  readonly bloomFilter?: SectionRef | null;
  /** Version 2: the range index section (`rangeIndexColumns`), null or absent when none. */
  readonly rangeIndex?: SectionRef | null;
  /** The text index section (`TEXT` columns), null or absent when none (an optional key: older readers ignore it and scan). */
  readonly textIndex?: SectionRef | null;
  /** The timestamp index section (`TIMESTAMP` columns), null or absent when none (optional, as `textIndex`). */
  readonly timestampIndex?: SectionRef | null;
  readonly sizes: {
    readonly forwardIndexBytes: number;
    readonly dictionaryBytes: number;
    readonly invertedIndexBytes: number;
    /** Version 2: compressed bytes of the JSON index and bloom filter sections. */
    readonly jsonIndexBytes?: number;
    readonly bloomFilterBytes?: number;
    readonly rangeIndexBytes?: number;
    readonly textIndexBytes?: number;
    readonly timestampIndexBytes?: number;
    /** Uncompressed bytes of all the column's sections. */
    readonly rawBytes: number;
  };
  readonly blocks: readonly BlockFooter[];
}

/** The footer JSON of a version-1 segment file; the identity fields are top-level keys. */
export interface SegmentFooter extends SegmentIdentity {
  readonly formatVersion: number;
  readonly numDocs: number;
  /** First and last sequence numbers (persisted offset strings) in the segment; null when empty. */
  readonly startOffset: string | null;
  readonly endOffset: string | null;
  /** True for a shard's last segment: the shard was read to its end (the segment may be empty). */
  readonly endOfShard: boolean;
  readonly creationTimeMs: number;
  /** When the consuming segment was created (the time flush threshold counts from it). */
  readonly consumingStartTimeMs: number;
  readonly timeColumnName: string | null;
  /** Min/max of the time column over non-null rows, as numbers (epoch millis for TIMESTAMP). */
  readonly startTimeMs: number | null;
  readonly endTimeMs: number | null;
  /** The same, exact (LONG as decimal strings). */
  readonly timeColumnMin: JsonScalar | null;
  readonly timeColumnMax: JsonScalar | null;
  readonly sortedColumn: string | null;
  readonly nullHandlingEnabled: boolean;
  readonly docsPerBlock: number;
  readonly frameRawBytes: number;
  readonly compression: 'zstd';
  readonly schema: PinotSchema;
  readonly indexing: {
    readonly sortedColumn: string | null;
    readonly invertedIndexColumns: readonly string[];
    readonly noDictionaryColumns: readonly string[];
    readonly nullHandlingEnabled: boolean;
    /** Version 2. */
    readonly jsonIndexColumns?: readonly string[];
    readonly bloomFilterColumns?: readonly string[];
    readonly rangeIndexColumns?: readonly string[];
    /** Optional (absent: none). */
    readonly textIndexColumns?: readonly string[];
    /** Optional (absent: none): column → granularities of its timestamp index. */
    readonly timestampIndexes?: Readonly<Record<string, readonly string[]>>;
  };
  readonly columns: readonly ColumnFooter[];
  /** Star-trees of section layout 0, full cubes (optional; written before `maxLeafRecords` was honoured, still read). */
  readonly starTrees?: readonly StarTreeFooter[];
  /** Star-trees of section layout 1, Pinot's tree (optional; absent: none): see {@link StarTreeFooter}. */
  readonly starTreeIndexes?: readonly StarTreeFooter[];
  /** Upsert tables only (optional; files without it stay readable): see {@link UpsertFooter}. */
  readonly upsert?: UpsertFooter;
}

/** One star-tree of the file: its config, record count and section (docs/segment-format.md, "Star-tree"). */
export interface StarTreeFooter {
  readonly dimensions: readonly string[];
  readonly skipStarDimensions: readonly string[];
  readonly functionColumnPairs: readonly string[];
  readonly maxLeafRecords: number;
  readonly numRecords: number;
  /** Tree nodes (layout 1, `starTreeIndexes` only). */
  readonly numNodes?: number;
  readonly section: SectionRef;
}

/**
 * What an upsert table's key map is rebuilt from, besides the rows: the table-wide order in which
 * segments were committed, and the sealed doc ids that lost a tie (same key, same comparison
 * values) to a later row of the same segment — the file's sort order hides arrival order.
 */
export interface UpsertFooter {
  readonly commitOrder: number;
  readonly tieLosers: readonly number[];
  /**
   * Tables with several comparison columns only: a section of `5 × numDocs` bytes, the rows in
   * the order they arrived — first each one's doc id in the file (int32 LE, by arrival), then the
   * comparison column that decided it (one byte each, by arrival; see {@link REPLAY_NONE}) — so a
   * rebuild replays them as the run applied them (`docs/upsert.md`, "Restart").
   */
  readonly replay?: SectionRef;
}

/** In a replay section: the row had no non-null comparison value. */
export const REPLAY_NONE = 255;
/** In a replay section: the key map never applied the row (it is skipped). */
export const REPLAY_SKIP = 254;

/** What a seal is given for an upsert table's footer (the replay section as raw bytes). */
export interface UpsertSealInfo {
  readonly commitOrder: number;
  readonly tieLosers: readonly number[];
  readonly replay?: Uint8Array;
}

function fail(detail: string): never {
  throw new Error(`footer: ${detail}`);
}

function checkSection(ref: unknown, limit: number, what: string): void {
  const s = ref as SectionRef;
  if (typeof s !== 'object' || s === null || !Number.isSafeInteger(s.offset) || !Number.isSafeInteger(s.rawLength) || !Array.isArray(s.frames)) {
    fail(`${what} is not a section reference`);
  }
  let end = s.offset;
  for (const f of s.frames) {
    if (!Number.isSafeInteger(f) || f <= 0) fail(`${what} has a bad frame length`);
    end += f;
  }
  if (s.offset < 0 || end > limit || s.rawLength < 0 || (s.rawLength > 0) !== (s.frames.length > 0)) {
    fail(`${what} points outside the data region`);
  }
  if (s.crc32 !== undefined && !(Number.isInteger(s.crc32) && s.crc32 >= 0 && s.crc32 <= 0xffffffff)) fail(`${what} has a bad crc32`);
}

function checkPages(c: ColumnFooter, version: number, dataEnd: number): void {
  const p = c.pages!;
  if (version < 3) fail(`column ${c.name} has pages, which need format version 3`);
  if (typeof p !== 'object' || p === null || p.layout !== 1) fail(`column ${c.name} has pages of unknown layout ${String(p?.layout)}`);
  if (c.encoding !== 'DICT' || c.dictionary || c.invertedIndex) fail(`column ${c.name} has pages beside a dictionary or inverted index section, or is not dictionary-encoded`);
  if (!Number.isSafeInteger(p.numPages) || p.numPages < 1 || p.numPages > c.cardinality || typeof p.inverted !== 'boolean') fail(`column ${c.name} has a bad page count`);
  checkSection(p.directory, dataEnd, `column ${c.name} page directory`);
  if (!Number.isSafeInteger(p.base) || p.base < 0 || p.base > p.directory.offset) fail(`column ${c.name} pages start after their directory`);
}

/**
 * Checks the structure of a parsed footer (types, counts, every section inside the data region
 * that ends at `dataEnd`) so a reader never follows a bad offset. Throws an `Error` naming what is
 * wrong; the caller reports it as `SEGMENT_CORRUPT`.
 */
export function validateFooter(json: unknown, dataEnd: number): SegmentFooter {
  const f = json as SegmentFooter;
  if (typeof f !== 'object' || f === null) fail('is not an object');
  for (const key of ['tableName', 'segmentName', 'shardId'] as const) if (typeof f[key] !== 'string') fail(`${key} is missing`);
  for (const key of ['numDocs', 'partitionId', 'creationTimeMs', 'docsPerBlock', 'frameRawBytes'] as const) {
    if (!Number.isSafeInteger(f[key]) || f[key] < 0) fail(`${key} is not a non-negative integer`);
  }
  if (f.docsPerBlock === 0 || f.frameRawBytes === 0) fail('docsPerBlock/frameRawBytes is zero');
  if (typeof f.schema !== 'object' || f.schema === null || !Array.isArray(f.columns)) fail('schema or columns missing');
  const expectedBlocks = Math.ceil(f.numDocs / f.docsPerBlock);
  for (const c of f.columns) {
    if (typeof c?.name !== 'string' || !isDataType(c.dataType) || storedTypeOf(c.dataType) !== c.storedType) fail('a column has a bad name or type');
    if (c.encoding !== 'DICT' && c.encoding !== 'RAW') fail(`column ${c.name} has unknown encoding ${String(c.encoding)}`);
    if (c.encoding === 'DICT' && (![1, 2, 4].includes(c.dictIdWidth) || (!c.dictionary && !c.pages))) fail(`column ${c.name} lacks its dictionary`);
    if (c.pages !== undefined) checkPages(c, f.formatVersion, dataEnd);
    if (!Number.isSafeInteger(c.cardinality) || !Number.isSafeInteger(c.totalNumValues)) fail(`column ${c.name} has bad counts`);
    if (c.dictionary) checkSection(c.dictionary, dataEnd, `column ${c.name} dictionary`);
    if (c.invertedIndex) checkSection(c.invertedIndex, dataEnd, `column ${c.name} inverted index`);
    if (c.jsonIndex) checkSection(c.jsonIndex, dataEnd, `column ${c.name} JSON index`);
    if (c.bloomFilter) checkSection(c.bloomFilter, dataEnd, `column ${c.name} bloom filter`);
    if (c.rangeIndex) checkSection(c.rangeIndex, dataEnd, `column ${c.name} range index`);
    if (c.textIndex) checkSection(c.textIndex, dataEnd, `column ${c.name} text index`);
    if (c.timestampIndex) checkSection(c.timestampIndex, dataEnd, `column ${c.name} timestamp index`);
    if (c.timestampIndex && (c.storedType !== 'LONG' || !c.singleValue)) fail(`column ${c.name} has a timestamp index but is not a single-value LONG column`);
    if (c.textIndex && (c.storedType !== 'STRING' || !c.singleValue)) fail(`column ${c.name} has a text index but is not a single-value string column`);
    if (c.rangeIndex && !['INT', 'LONG', 'FLOAT', 'DOUBLE'].includes(c.storedType)) fail(`column ${c.name} has a range index but is not numeric`);
    if (c.jsonIndex && (c.storedType !== 'STRING' || !c.singleValue)) fail(`column ${c.name} has a JSON index but is not a single-value string column`);
    if (!Array.isArray(c.blocks) || c.blocks.length !== expectedBlocks) fail(`column ${c.name} has ${c.blocks?.length} blocks, expected ${expectedBlocks}`);
    let docs = 0;
    const blocks: readonly BlockFooter[] = c.blocks;
    for (let i = 0; i < blocks.length; i++) {
      const b = blocks[i]!;
      checkSection(b.section, dataEnd, `column ${c.name} block ${i}`);
      if (!Number.isSafeInteger(b.numDocs) || !Number.isSafeInteger(b.numValues) || b.numValues < 0) fail(`column ${c.name} block ${i} has bad counts`);
      docs += b.numDocs;
    }
    if (docs !== f.numDocs) fail(`column ${c.name} blocks hold ${docs} docs, segment has ${f.numDocs}`);
  }
  const names = new Set(f.columns.map((c) => c.name));
  for (const key of ['starTrees', 'starTreeIndexes'] as const) {
    const list = f[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) fail(`${key} is not a list`);
    list.forEach((t, i) => {
      if (typeof t !== 'object' || t === null || !Array.isArray(t.dimensions) || !Array.isArray(t.functionColumnPairs) || !Array.isArray(t.skipStarDimensions)) fail(`star-tree ${i} is malformed`);
      if (!Number.isSafeInteger(t.numRecords) || t.numRecords < 0) fail(`star-tree ${i} has a bad record count`);
      if ((key === 'starTreeIndexes') !== (t.numNodes !== undefined) || (t.numNodes !== undefined && (!Number.isSafeInteger(t.numNodes) || t.numNodes < 1))) fail(`star-tree ${i} has a bad node count`);
      for (const d of t.dimensions) if (!names.has(d)) fail(`star-tree ${i} names unknown dimension ${String(d)}`);
      checkSection(t.section, dataEnd, `star-tree ${i}`);
    });
  }
  if (f.upsert !== undefined) {
    const u = f.upsert;
    if (typeof u !== 'object' || u === null || !Number.isSafeInteger(u.commitOrder) || u.commitOrder < 0 || !Array.isArray(u.tieLosers)) fail('upsert is malformed');
    for (const d of u.tieLosers) if (!Number.isSafeInteger(d) || d < 0 || d >= f.numDocs) fail('upsert.tieLosers holds a bad doc id');
    if (u.replay !== undefined) {
      checkSection(u.replay, dataEnd, 'upsert.replay');
      if (u.replay.rawLength !== 5 * f.numDocs) fail(`upsert.replay holds ${u.replay.rawLength} bytes, expected ${5 * f.numDocs}`);
    }
  }
  return f;
}
