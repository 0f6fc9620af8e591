import type { ScalarValue } from '../../config/data-type.js';
import type { ColumnSpec } from '../../config/schema.js';
import type { Dictionary } from '../../segment/segment-view.js';
import type { ColumnBlock, SegmentSnapshot } from './segment-snapshot.js';

/**
 * A segment written before its table's schema gained columns (schema evolution), as a query on the
 * new schema sees it: each added column holds its default null value in every row (`[default]` for
 * a multi-value column, as Pinot's default columns do), dictionary-encoded with one entry; when the
 * segment was written with null handling on, every row of it is null. Its min and max are that
 * value, so a filter on the new column prunes old segments by value. Nothing is written to disk:
 * no reload is needed, and the segment file stays the byte-exact commit it was.
 *
 * @example
 *   withDefaultColumns(sealedSnapshot(segment), [{ name: 'region', dataType: 'STRING', ... }], false);
 */
export function withDefaultColumns(segment: SegmentSnapshot, added: readonly ColumnSpec[], nullHandling: boolean): SegmentSnapshot {
  if (added.length === 0) return segment;
  const specs = new Map(added.map((spec) => [spec.name, spec] as const));
  const dictionaries = new Map(added.map((spec) => [spec.name, constantDictionary(spec.defaultNullValue)] as const));
  const block = (spec: ColumnSpec, blockIndex: number): ColumnBlock => {
    const { numDocs } = segment.blocks[blockIndex]!;
    let offsets: Uint32Array | null = null;
    if (!spec.singleValue) {
      offsets = new Uint32Array(numDocs + 1);
      for (let d = 0; d <= numDocs; d++) offsets[d] = d;
    }
    const nulls = nullHandling ? allSet(numDocs) : null;
    return { spec, dictionary: dictionaries.get(spec.name)!, dictIds: new Uint8Array(numDocs), values: null, offsets, nulls };
  };
  const stats = (column: string): { min: ScalarValue; max: ScalarValue } | null => {
    const spec = specs.get(column);
    return spec ? { min: spec.defaultNullValue, max: spec.defaultNullValue } : null;
  };
  return {
    ...segment,
    block: (column, blockIndex) => {
      const spec = specs.get(column);
      return spec ? block(spec, blockIndex) : segment.block(column, blockIndex);
    },
    columnStats: (column) => stats(column) ?? segment.columnStats(column),
    blockStats: (column, blockIndex) => {
      const s = stats(column);
      if (s === null) return segment.blockStats(column, blockIndex);
      const range = segment.blocks[blockIndex]!;
      return { firstDoc: range.firstDoc, numDocs: range.numDocs, min: s.min, max: s.max, nullCount: nullHandling ? range.numDocs : 0 };
    },
    invertedIndex: (column) => (specs.has(column) ? null : segment.invertedIndex(column)),
    ...(segment.indexedCardinality !== undefined ? { indexedCardinality: (column: string) => (specs.has(column) ? null : segment.indexedCardinality!(column)) } : {}),
    jsonIndex: (column) => (specs.has(column) ? null : (segment.jsonIndex?.(column) ?? null)),
    bloomFilter: (column) => (specs.has(column) ? null : (segment.bloomFilter?.(column) ?? null)),
    rangeIndex: (column) => (specs.has(column) ? null : (segment.rangeIndex?.(column) ?? null)),
    textIndex: (column) => (specs.has(column) ? null : (segment.textIndex?.(column) ?? null)),
    dictionary: (column) => dictionaries.get(column) ?? segment.dictionary(column),
  };
}

/** The columns of `tableColumns` that `segmentColumns` lacks. */
export function addedColumns(tableColumns: readonly ColumnSpec[], segmentColumns: ReadonlyMap<string, number>): ColumnSpec[] {
  return tableColumns.filter((c) => !segmentColumns.has(c.name));
}

function constantDictionary(value: ScalarValue): Dictionary {
  return {
    size: 1,
    sorted: true,
    get: () => value,
    indexOf: (v) => (sameScalar(v, value) ? 0 : -1),
  };
}

function sameScalar(a: ScalarValue, b: ScalarValue): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

function allSet(numDocs: number): Uint8Array {
  const bits = new Uint8Array((numDocs + 7) >> 3).fill(0xff);
  if ((numDocs & 7) !== 0) bits[bits.length - 1] = (1 << (numDocs & 7)) - 1;
  return bits;
}
