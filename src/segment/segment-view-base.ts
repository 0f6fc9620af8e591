import type { CellValue } from '../config/data-type.js';
import type { TableSchema } from '../config/schema.js';
import type { ColumnReader, SegmentView } from './segment-view.js';
import { iterateRows, requireColumn } from './view-rows.js';

/**
 * The `SegmentView` reads that consuming and sealed segments share, all built on a name → column
 * map: `column` (with an error naming the segment when the column is missing), `getValue`,
 * `isNull` and `rows`. A subclass supplies the map, its name, schema and `numDocs`; `R` is the
 * reader type its `column` returns.
 *
 * @example
 *   class MySegment extends SegmentViewBase<ColumnReader> { protected readonly byName = new Map(…); … }
 */
export abstract class SegmentViewBase<R extends ColumnReader> implements SegmentView {
  abstract readonly name: string;
  abstract readonly schema: TableSchema;
  abstract readonly numDocs: number;
  abstract readonly consuming: boolean;
  protected abstract readonly byName: ReadonlyMap<string, R>;

  column(columnName: string): R {
    return requireColumn(this.byName, columnName, this.name);
  }

  getValue(columnName: string, docId: number): CellValue {
    return this.column(columnName).getValue(docId);
  }

  isNull(columnName: string, docId: number): boolean {
    return this.column(columnName).isNull(docId);
  }

  rows(limit?: number): IterableIterator<Record<string, CellValue | null>> {
    return iterateRows(this, limit);
  }
}
