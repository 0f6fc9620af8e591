import type { CellValue } from '../config/data-type.js';
import type { ColumnReader, SegmentView } from './segment-view.js';

/**
 * Iterates the rows of a view as objects, snapshotting `numDocs` once (so rows indexed while the
 * iteration runs are not seen). Shared by the consuming and sealed segments.
 */
export function* iterateRows(
  view: Pick<SegmentView, 'numDocs' | 'schema' | 'column'>,
  limit = Number.POSITIVE_INFINITY,
): IterableIterator<Record<string, CellValue | null>> {
  const n = Math.min(view.numDocs, limit);
  const readers: ColumnReader[] = view.schema.columns.map((c) => view.column(c.name));
  for (let doc = 0; doc < n; doc++) {
    const row: Record<string, CellValue | null> = {};
    for (const reader of readers) {
      row[reader.spec.name] = reader.isNull(doc) ? null : reader.getValue(doc);
    }
    yield row;
  }
}

/** The reader of `columnName`, or a clear error naming the column and the segment. */
export function requireColumn<T>(columns: ReadonlyMap<string, T>, columnName: string, segmentName: string): T {
  const reader = columns.get(columnName);
  if (reader === undefined) throw new Error(`segment ${segmentName} has no column ${columnName}`);
  return reader;
}
