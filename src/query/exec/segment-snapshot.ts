import type { ScalarValue } from '../../config/data-type.js';
import { storedTypeOf } from '../../config/data-type.js';
import type { ColumnSpec } from '../../config/schema.js';
import { bitmapBytes, setBit } from '../../segment/builders/null-bitmap.js';
import type { ConsumingSegment } from '../../segment/consuming-segment.js';
import type { SealedSegment } from '../../segment/sealed-segment.js';
import type { BlockStats, ColumnReader, Dictionary, InvertedIndex } from '../../segment/segment-view.js';

/**
 * One column's values for the docs of one block, in the layout the executor loops over:
 * dictionary ids or raw values (typed arrays for numbers), per doc for single-value columns and
 * per value (with `offsets`, length docs + 1) for multi-value columns.
 */
export interface ColumnBlock {
  readonly spec: ColumnSpec;
  readonly dictionary: Dictionary | null;
  readonly dictIds: Uint8Array | Uint16Array | Int32Array | null;
  readonly values: ArrayLike<ScalarValue> | null;
  readonly offsets: ArrayLike<number> | null;
  /** Null bitmap of the block (bit i = row i), only when the table has null handling on. */
  readonly nulls: Uint8Array | null;
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
  block(column: string, blockIndex: number): ColumnBlock;
  /** Min/max of a column over the whole segment (sealed segments), null when unknown. */
  columnStats(column: string): { readonly min: ScalarValue | null; readonly max: ScalarValue | null } | null;
  blockStats(column: string, blockIndex: number): BlockStats | null;
  invertedIndex(column: string): InvertedIndex | null;
  dictionary(column: string): Dictionary | null;
}

export function sealedSnapshot(segment: SealedSegment): SegmentSnapshot {
  const first = segment.schema.columns[0];
  const blocks: BlockRange[] = first ? segment.column(first.name).blocks.map((b) => ({ firstDoc: b.firstDoc, numDocs: b.numDocs })) : [];
  const meta = new Map(segment.metadata.columns.map((c) => [c.name, c] as const));
  return {
    name: segment.name,
    consuming: false,
    numDocs: segment.numDocs,
    blocks,
    sortedColumn: segment.metadata.sortedColumn,
    freshnessMs: null,
    block(column, blockIndex) {
      const reader = segment.column(column);
      const b = reader.readBlock(blockIndex);
      return { spec: reader.spec, dictionary: b.dictIds ? reader.dictionary : null, dictIds: b.dictIds, values: b.values as ArrayLike<ScalarValue> | null, offsets: b.offsets, nulls: b.nulls };
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
    dictionary(column) {
      return segment.column(column).dictionary;
    },
  };
}

function typedArrayFor(spec: ColumnSpec, n: number): ScalarValue[] | Int32Array | BigInt64Array | Float32Array | Float64Array {
  switch (storedTypeOf(spec.dataType)) {
    case 'INT':
      return new Int32Array(n);
    case 'LONG':
      return new BigInt64Array(n);
    case 'FLOAT':
      return new Float32Array(n);
    case 'DOUBLE':
      return new Float64Array(n);
    default:
      return new Array<ScalarValue>(n);
  }
}

/** Copies the first `n` docs of a consuming column into block layout (once per query and column). */
function materialize(reader: ColumnReader, n: number, nullHandling: boolean): ColumnBlock {
  const spec = reader.spec;
  const dict = reader.dictionary;
  let nulls: Uint8Array | null = null;
  if (nullHandling) {
    for (let d = 0; d < n; d++) {
      if (reader.isNull(d)) setBit((nulls ??= new Uint8Array(bitmapBytes(n))), d);
    }
  }
  if (spec.singleValue) {
    if (dict) {
      const ids = new Int32Array(n);
      for (let d = 0; d < n; d++) ids[d] = reader.getDictId(d);
      return { spec, dictionary: dict, dictIds: ids, values: null, offsets: null, nulls };
    }
    const values = typedArrayFor(spec, n) as ScalarValue[];
    for (let d = 0; d < n; d++) values[d] = reader.getValue(d) as ScalarValue;
    return { spec, dictionary: null, dictIds: null, values, offsets: null, nulls };
  }
  const offsets = new Uint32Array(n + 1);
  if (dict) {
    const ids: number[] = [];
    for (let d = 0; d < n; d++) {
      for (const id of reader.getDictIds(d)) ids.push(id);
      offsets[d + 1] = ids.length;
    }
    return { spec, dictionary: dict, dictIds: Int32Array.from(ids), values: null, offsets, nulls };
  }
  const values: ScalarValue[] = [];
  for (let d = 0; d < n; d++) {
    for (const v of reader.getValue(d) as ScalarValue[]) values.push(v);
    offsets[d + 1] = values.length;
  }
  const typed = typedArrayFor(spec, values.length) as ScalarValue[];
  for (let i = 0; i < values.length; i++) typed[i] = values[i]!;
  return { spec, dictionary: null, dictIds: null, values: typed, offsets, nulls };
}

/**
 * A consuming segment frozen at `numDocs` (read once, now): the query never sees rows indexed
 * after it started, and never a half-indexed row.
 */
export function consumingSnapshot(segment: ConsumingSegment): SegmentSnapshot {
  const numDocs = segment.numDocs;
  const cache = new Map<string, ColumnBlock>();
  const nullHandling = segment.indexing.nullHandlingEnabled;
  return {
    name: segment.name,
    consuming: true,
    numDocs,
    blocks: numDocs > 0 ? [{ firstDoc: 0, numDocs }] : [],
    sortedColumn: null,
    freshnessMs: segment.latestArrivalTimeMs ?? segment.createdAtMs,
    block(column) {
      let b = cache.get(column);
      if (!b) {
        b = materialize(segment.column(column), numDocs, nullHandling);
        cache.set(column, b);
      }
      return b;
    },
    columnStats: () => null,
    blockStats: () => null,
    invertedIndex: () => null,
    dictionary: (column) => segment.column(column).dictionary,
  };
}
