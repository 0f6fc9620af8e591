import type { DataType, FieldType, ScalarValue } from '../config/data-type.js';
import type { SegmentSummary } from '../table/table-runtime.js';
import type { ColumnEncoding, SegmentFooter } from './format/footer.js';
import { fromJsonScalar } from './format/typed-json.js';

/** Per-column facts of a sealed segment (from its footer, values decoded). */
export interface ColumnMetadata {
  readonly name: string;
  readonly dataType: DataType;
  readonly singleValue: boolean;
  readonly fieldType: FieldType;
  readonly encoding: ColumnEncoding;
  readonly cardinality: number;
  readonly min: ScalarValue | null;
  readonly max: ScalarValue | null;
  readonly totalNumValues: number;
  readonly maxNumValuesPerDoc: number;
  readonly nullCount: number;
  readonly hasNullBitmap: boolean;
  readonly isSorted: boolean;
  readonly hasDictionary: boolean;
  readonly hasInvertedIndex: boolean;
  readonly numBlocks: number;
  readonly forwardIndexBytes: number;
  readonly dictionaryBytes: number;
  readonly invertedIndexBytes: number;
  readonly rawBytes: number;
}

/** Typed metadata of a sealed segment; a superset of the table runtime's `SegmentSummary`. */
export interface SegmentMetadata extends SegmentSummary {
  readonly tableName: string;
  readonly formatVersion: number;
  readonly timeColumnName: string | null;
  readonly sortedColumn: string | null;
  readonly nullHandlingEnabled: boolean;
  readonly consumingStartTimeMs: number;
  readonly columns: readonly ColumnMetadata[];
}

/** Builds the typed metadata from a validated footer and the file size. */
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
      hasDictionary: c.dictionary !== null,
      hasInvertedIndex: c.invertedIndex !== null,
      numBlocks: c.blocks.length,
      forwardIndexBytes: c.sizes.forwardIndexBytes,
      dictionaryBytes: c.sizes.dictionaryBytes,
      invertedIndexBytes: c.sizes.invertedIndexBytes,
      rawBytes: c.sizes.rawBytes,
    })),
  });
}
