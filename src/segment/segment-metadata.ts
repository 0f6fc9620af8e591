import type { ScalarValue } from '../config/data-type.js';
import type { ColumnFooter, SegmentFooter } from './format/footer.js';
import { fromJsonScalar } from './format/typed-json.js';
import type { SegmentSummary } from './segment-summary.js';

/** A column's section sizes, as the footer records them. */
type ColumnSizes = Required<ColumnFooter['sizes']>;

/** Per-column facts of a sealed segment (from its footer, values decoded). */
export interface ColumnMetadata
  extends Pick<
    ColumnFooter,
    'name' | 'dataType' | 'singleValue' | 'fieldType' | 'encoding' | 'cardinality' | 'totalNumValues' | 'maxNumValuesPerDoc' | 'nullCount' | 'hasNullBitmap' | 'isSorted'
  >,
    ColumnSizes {
  readonly min: ScalarValue | null;
  readonly max: ScalarValue | null;
  readonly hasDictionary: boolean;
  readonly hasInvertedIndex: boolean;
  readonly hasJsonIndex: boolean;
  readonly hasBloomFilter: boolean;
  readonly hasRangeIndex: boolean;
  readonly hasTextIndex: boolean;
  readonly hasTimestampIndex: boolean;
  readonly numBlocks: number;
  /** Pages of the dictionary (and inverted index) in the paged layout (format version 3); 0 when in one section each. */
  readonly numDictionaryPages: number;
}

/** Typed metadata of a sealed segment: its `SegmentSummary` plus more of the footer, columns decoded. */
export interface SegmentMetadata
  extends SegmentSummary,
    Pick<SegmentFooter, 'tableName' | 'formatVersion' | 'timeColumnName' | 'sortedColumn' | 'nullHandlingEnabled' | 'consumingStartTimeMs'> {
  readonly columns: readonly ColumnMetadata[];
}

/**
 * Builds the typed metadata from a validated footer and the file size. Keys are listed in the
 * order the metadata endpoint and `shardtable inspect --json` print them.
 */
export function metadataFromFooter(footer: SegmentFooter, sizeBytes: number): SegmentMetadata {
  return Object.freeze({
    segmentName: footer.segmentName,
    tableName: footer.tableName,
    partitionId: footer.partitionId,
    shardId: footer.shardId,
    numDocs: footer.numDocs,
    startOffset: footer.startOffset,
    endOffset: footer.endOffset,
    endOfShard: footer.endOfShard,
    creationTimeMs: footer.creationTimeMs,
    consumingStartTimeMs: footer.consumingStartTimeMs,
    sizeBytes,
    ...(footer.startTimeMs !== null ? { startTimeMs: footer.startTimeMs } : {}),
    ...(footer.endTimeMs !== null ? { endTimeMs: footer.endTimeMs } : {}),
    formatVersion: footer.formatVersion,
    timeColumnName: footer.timeColumnName,
    sortedColumn: footer.sortedColumn,
    nullHandlingEnabled: footer.nullHandlingEnabled,
    columns: footer.columns.map((c) => ({
      name: c.name,
      dataType: c.dataType,
      singleValue: c.singleValue,
      fieldType: c.fieldType,
      encoding: c.encoding,
      cardinality: c.cardinality,
      min: c.min === null ? null : fromJsonScalar(c.storedType, c.min),
      max: c.max === null ? null : fromJsonScalar(c.storedType, c.max),
      totalNumValues: c.totalNumValues,
      maxNumValuesPerDoc: c.maxNumValuesPerDoc,
      nullCount: c.nullCount,
      hasNullBitmap: c.hasNullBitmap,
      isSorted: c.isSorted,
      hasDictionary: c.dictionary !== null || c.pages !== undefined,
      hasInvertedIndex: c.invertedIndex !== null || c.pages?.inverted === true,
      hasJsonIndex: (c.jsonIndex ?? null) !== null,
      hasBloomFilter: (c.bloomFilter ?? null) !== null,
      hasRangeIndex: (c.rangeIndex ?? null) !== null,
      hasTextIndex: (c.textIndex ?? null) !== null,
      hasTimestampIndex: (c.timestampIndex ?? null) !== null,
      numBlocks: c.blocks.length,
      numDictionaryPages: c.pages?.numPages ?? 0,
      forwardIndexBytes: c.sizes.forwardIndexBytes,
      dictionaryBytes: c.sizes.dictionaryBytes,
      invertedIndexBytes: c.sizes.invertedIndexBytes,
      jsonIndexBytes: c.sizes.jsonIndexBytes ?? 0,
      bloomFilterBytes: c.sizes.bloomFilterBytes ?? 0,
      rangeIndexBytes: c.sizes.rangeIndexBytes ?? 0,
      textIndexBytes: c.sizes.textIndexBytes ?? 0,
      timestampIndexBytes: c.sizes.timestampIndexBytes ?? 0,
      rawBytes: c.sizes.rawBytes,
    })),
  });
}
