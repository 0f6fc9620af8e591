import { hostname } from 'node:os';
import { isVirtualColumn, VIRTUAL_COLUMNS } from '../plan/virtual-columns.js';
import type { ColumnBlock, SegmentSnapshot } from './segment-snapshot.js';

const SPECS = new Map(VIRTUAL_COLUMNS.map((c) => [c.name, c] as const));

/**
 * The snapshot with Pinot's virtual columns (`plan/virtual-columns.ts`) added: their blocks are
 * computed from the segment (raw values, no dictionary, index or statistics, so a predicate on
 * them is a scan and never prunes); every other call goes to the segment as is.
 */
export function withVirtualColumns(segment: SegmentSnapshot, host: string = hostname()): SegmentSnapshot {
  const block = (column: string, blockIndex: number): ColumnBlock => {
    const range = segment.blocks[blockIndex]!;
    const spec = SPECS.get(column)!;
    let values: ArrayLike<number | string>;
    if (column === '$docId') {
      const ids = new Int32Array(range.numDocs);
      for (let r = 0; r < range.numDocs; r++) ids[r] = range.firstDoc + r;
      values = ids;
    } else {
      values = new Array<string>(range.numDocs).fill(column === '$segmentName' ? segment.name : host);
    }
    return { spec, dictionary: null, dictIds: null, values, offsets: null, nulls: null };
  };
  return {
    name: segment.name,
    consuming: segment.consuming,
    numDocs: segment.numDocs,
    blocks: segment.blocks,
    sortedColumn: segment.sortedColumn,
    freshnessMs: segment.freshnessMs,
    liveDocs: segment.liveDocs,
    ...(segment.starTrees !== undefined ? { starTrees: segment.starTrees } : {}),
    block: (column, blockIndex) => (isVirtualColumn(column) ? block(column, blockIndex) : segment.block(column, blockIndex)),
    columnStats: (column) => (isVirtualColumn(column) ? null : segment.columnStats(column)),
    blockStats: (column, blockIndex) => (isVirtualColumn(column) ? null : segment.blockStats(column, blockIndex)),
    invertedIndex: (column) => (isVirtualColumn(column) ? null : segment.invertedIndex(column)),
    ...(segment.indexedCardinality !== undefined ? { indexedCardinality: (column: string) => (isVirtualColumn(column) ? null : segment.indexedCardinality!(column)) } : {}),
    dictionary: (column) => (isVirtualColumn(column) ? null : segment.dictionary(column)),
    jsonIndex: (column) => (isVirtualColumn(column) ? null : (segment.jsonIndex?.(column) ?? null)),
    bloomFilter: (column) => (isVirtualColumn(column) ? null : (segment.bloomFilter?.(column) ?? null)),
    rangeIndex: (column) => (isVirtualColumn(column) ? null : (segment.rangeIndex?.(column) ?? null)),
    textIndex: (column) => (isVirtualColumn(column) ? null : (segment.textIndex?.(column) ?? null)),
  };
}
