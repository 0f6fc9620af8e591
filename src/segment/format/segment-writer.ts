import type { ScalarValue } from '../../config/data-type.js';
import { storedTypeOf } from '../../config/data-type.js';
import type { TableSchema } from '../../config/schema.js';
import type { IndexingConfig } from '../../config/table-config.js';
import type { ImmutableColumn } from '../builders/column-builder.js';
import { isBitSet } from '../builders/null-bitmap.js';
import type { ZstdCodec } from '../codecs/zstd-codec.js';
import type { ConsumingSnapshot } from '../consuming-segment.js';
import { toPinotSchema } from '../schema-json.js';
import type { SegmentIdentity } from '../segment-identity.js';
import { chooseEncoding, encodeColumn } from './column-encoder.js';
import type { SegmentFooter, UpsertSealInfo } from './footer.js';
import { DOCS_PER_BLOCK, END_MAGIC, FORMAT_VERSION, FRAME_RAW_BYTES, HEADER_BYTES, MAGIC, PAGED_FORMAT_VERSION, TRAILER_BYTES } from './format-constants.js';
import { sortPermutation } from './reorder.js';
import { SectionSink } from './section-io.js';
import { buildSortedDictionary, compareFloat, compareString } from './sorted-dictionary.js';
import { toJsonScalar } from './typed-json.js';
import { writeColumnIndexes } from '../indexes/column-indexes.js';
import { writeStarTrees } from '../indexes/star-tree.js';
import { sectionBytes } from './section-io.js';

/** Everything a segment file records besides the rows. */
export interface SegmentFileInfo {
  readonly identity: SegmentIdentity;
  readonly schema: TableSchema;
  readonly indexing: IndexingConfig;
  readonly timeColumnName: string | undefined;
  readonly consumingStartTimeMs: number;
  readonly creationTimeMs: number;
  readonly endOfShard: boolean;
  /** Upsert tables: commit order, tie losers, replay order (`docs/upsert.md`); written only when given. */
  readonly upsert?: UpsertSealInfo;
  /**
   * False: no column in the paged layout, so the file is format version 2 (what builds before
   * version 3 read; tests compare both layouts with it). Default true.
   */
  readonly pagedLayout?: boolean;
}

/**
 * The doc order of the sealed file: `perm[newDoc] = oldDoc`, a stable sort by the sorted column
 * (null: unchanged). An upsert table's key map follows its rows with it.
 */
export function sealPermutation(snapshot: ConsumingSnapshot, indexing: IndexingConfig): Int32Array | null {
  const col = snapshot.columns.find((c) => c.spec.name === indexing.sortedColumn && c.spec.singleValue);
  if (col === undefined || snapshot.numDocs <= 1) return null;
  const dict = buildSortedDictionary(col.values);
  return sortPermutation(dict.ids(), dict.cardinality);
}

/** The bytes of a segment file, in order, and its footer. */
export interface SegmentFileBytes {
  readonly chunks: readonly Uint8Array[];
  readonly size: number;
  readonly footer: SegmentFooter;
}

function compareScalar(a: ScalarValue, b: ScalarValue): number {
  if (typeof a === 'bigint') return a < (b as bigint) ? -1 : a > (b as bigint) ? 1 : 0;
  if (typeof a === 'number') return compareFloat(a, b as number);
  if (typeof a === 'string') return compareString(a, b as string);
  return Buffer.compare(a, b as Uint8Array);
}

/** Min/max of a single-value column over its non-null docs (the segment's time range). */
function nonNullRange(col: ImmutableColumn): [ScalarValue, ScalarValue] | null {
  if (col.offsets !== null) return null;
  let min: ScalarValue | null = null;
  let max: ScalarValue | null = null;
  const v = col.values;
  for (let d = 0; d < col.numDocs; d++) {
    if (col.nullCount > 0 && isBitSet(col.nulls, d)) continue;
    const x: ScalarValue = v.kind === 'STRING' || v.kind === 'BYTES' ? v.dictionary[v.ids[d]!]! : v.values[d]!;
    if (min === null || compareScalar(x, min) < 0) min = x;
    if (max === null || compareScalar(x, max) > 0) max = x;
  }
  return min === null ? null : [min, max!];
}

function isVarKind(col: ImmutableColumn): boolean {
  return col.values.kind === 'STRING' || col.values.kind === 'BYTES';
}

/**
 * Encodes a consuming segment's snapshot as a segment file (version 2, or 3 with a paged column; layout:
 * `docs/segment-format.md`). Pure: returns the bytes; `sealSegment` writes and publishes them.
 */
export function buildSegmentFile(info: SegmentFileInfo, snapshot: ConsumingSnapshot, zstd: ZstdCodec): SegmentFileBytes {
  const sink = new SectionSink(zstd);
  const header = new Uint8Array(HEADER_BYTES);
  header.set(MAGIC, 0);
  new DataView(header.buffer).setUint32(8, FORMAT_VERSION, true);
  sink.push(header);

  const { indexing } = info;
  const cols = snapshot.columns;
  const sortedIndex = cols.findIndex((c) => c.spec.name === indexing.sortedColumn && c.spec.singleValue);
  const sortedDict = sortedIndex >= 0 ? buildSortedDictionary(cols[sortedIndex]!.values) : null;
  const perm = sortedDict !== null && snapshot.numDocs > 1 ? sortPermutation(sortedDict.ids(), sortedDict.cardinality) : null;

  // One column at a time: its dictionary is garbage before the next one is built.
  const columns = cols.map((col, i) => {
    const name = col.spec.name;
    const inverted = indexing.invertedIndexColumns.includes(name);
    const noDictionary = indexing.noDictionaryColumns.includes(name);
    // A RAW STRING/BYTES column needs no sorted dictionary unless rows are sorted by it.
    const dict = i === sortedIndex ? sortedDict : isVarKind(col) && noDictionary ? null : buildSortedDictionary(col.values);
    const encoding =
      dict === null
        ? 'RAW'
        : chooseEncoding(storedTypeOf(col.spec.dataType), dict.cardinality, col.offsets ? col.offsets[col.numDocs]! : col.numDocs, {
            noDictionary,
            needsDictionary: inverted || i === sortedIndex,
          });
    const plan = { encoding, nullBitmap: indexing.nullHandlingEnabled, invertedIndex: inverted, isSorted: i === sortedIndex, pagedLayout: info.pagedLayout !== false } as const;
    const footer = encodeColumn(col, dict, plan, perm, sink);
    const { jsonIndex, bloomFilter, rangeIndex, textIndex, timestampIndex } = writeColumnIndexes(col, perm, indexing, sink);
    const bytes = (ref: { frames: readonly number[] } | null): number => (ref ? sectionBytes(ref as Parameters<typeof sectionBytes>[0]) : 0);
    return {
      ...footer,
      jsonIndex,
      bloomFilter,
      rangeIndex,
      // Optional keys, written only when used: files without a text index are byte-for-byte as before.
      ...(textIndex !== null ? { textIndex } : {}),
      ...(timestampIndex !== null ? { timestampIndex } : {}),
      sizes: { ...footer.sizes, jsonIndexBytes: bytes(jsonIndex), bloomFilterBytes: bytes(bloomFilter), rangeIndexBytes: bytes(rangeIndex), ...(textIndex !== null ? { textIndexBytes: bytes(textIndex) } : {}), ...(timestampIndex !== null ? { timestampIndexBytes: bytes(timestampIndex) } : {}) },
    };
  });

  // The paged layout needs version 3; a file without it stays version 2, as older builds wrote it.
  const version = columns.some((c) => c.pages !== undefined) ? PAGED_FORMAT_VERSION : FORMAT_VERSION;
  if (version !== FORMAT_VERSION) {
    new DataView(header.buffer).setUint32(8, version, true);
    sink.recomputeCrc();
  }

  const timeIndex = info.timeColumnName === undefined ? -1 : cols.findIndex((c) => c.spec.name === info.timeColumnName);
  const timeCol = timeIndex >= 0 ? cols[timeIndex]! : undefined;
  const range = timeCol ? nonNullRange(timeCol) : null;
  const timeType = timeCol ? storedTypeOf(timeCol.spec.dataType) : 'STRING';
  const numeric = range !== null && timeType !== 'STRING' && timeType !== 'BYTES';

  const starTrees = writeStarTrees(indexing, cols, snapshot.numDocs, perm, sink);
  const { identity, upsert } = info;
  const replay = upsert?.replay !== undefined ? sink.add(upsert.replay) : undefined;
  // Keys named one by one, not spread: their order is part of the file (docs/segment-format.md).
  const footer: SegmentFooter = {
    formatVersion: version,
    tableName: identity.tableName,
    segmentName: identity.segmentName,
    partitionId: identity.partitionId,
    shardId: identity.shardId,
    numDocs: snapshot.numDocs,
    startOffset: snapshot.firstOffset,
    endOffset: snapshot.lastOffset,
    endOfShard: info.endOfShard,
    creationTimeMs: info.creationTimeMs,
    consumingStartTimeMs: info.consumingStartTimeMs,
    timeColumnName: timeCol ? timeCol.spec.name : null,
    startTimeMs: numeric ? Number(range[0]) : null,
    endTimeMs: numeric ? Number(range[1]) : null,
    timeColumnMin: range ? toJsonScalar(timeType, range[0]) : null,
    timeColumnMax: range ? toJsonScalar(timeType, range[1]) : null,
    sortedColumn: sortedIndex >= 0 ? cols[sortedIndex]!.spec.name : null,
    nullHandlingEnabled: indexing.nullHandlingEnabled,
    docsPerBlock: DOCS_PER_BLOCK,
    frameRawBytes: FRAME_RAW_BYTES,
    compression: 'zstd',
    schema: toPinotSchema(info.schema),
    indexing: {
      sortedColumn: indexing.sortedColumn ?? null,
      invertedIndexColumns: [...indexing.invertedIndexColumns],
      noDictionaryColumns: [...indexing.noDictionaryColumns],
      nullHandlingEnabled: indexing.nullHandlingEnabled,
      jsonIndexColumns: [...(indexing.jsonIndexColumns ?? [])],
      bloomFilterColumns: Object.keys(indexing.bloomFilters ?? {}),
      rangeIndexColumns: [...(indexing.rangeIndexColumns ?? [])],
      ...(indexing.textIndexColumns !== undefined && indexing.textIndexColumns.length > 0 ? { textIndexColumns: [...indexing.textIndexColumns] } : {}),
      ...(indexing.timestampIndexes !== undefined && Object.keys(indexing.timestampIndexes).length > 0 ? { timestampIndexes: indexing.timestampIndexes } : {}),
    },
    columns,
    // Cubes (layout 0: older builds; tests write them with the old builder) and trees (layout 1) under their own keys.
    ...(starTrees.some((t) => t.numNodes === undefined) ? { starTrees: starTrees.filter((t) => t.numNodes === undefined) } : {}),
    ...(starTrees.some((t) => t.numNodes !== undefined) ? { starTreeIndexes: starTrees.filter((t) => t.numNodes !== undefined) } : {}),
    ...(upsert !== undefined ? { upsert: { commitOrder: upsert.commitOrder, tieLosers: [...upsert.tieLosers], ...(replay !== undefined ? { replay } : {}) } } : {}),
  };

  const footerBytes = Buffer.from(JSON.stringify(footer), 'utf8');
  const footerOffset = sink.position;
  sink.push(footerBytes);
  const trailer = new Uint8Array(TRAILER_BYTES);
  const view = new DataView(trailer.buffer);
  view.setBigUint64(0, BigInt(footerOffset), true);
  view.setUint32(8, footerBytes.length, true);
  view.setUint32(12, version, true);
  sink.push(trailer.subarray(0, 16));
  view.setUint32(16, sink.crc, true);
  trailer.set(END_MAGIC, 20);
  const tail = trailer.subarray(16);
  sink.chunks.push(tail);
  sink.position += tail.length;
  return { chunks: sink.chunks, size: sink.position, footer };
}
