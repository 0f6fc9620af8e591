import type { TableSchema } from '../config/schema.js';
import type { QueryableSegments } from '../segment/queryable-segments.js';
import { addedColumns, withDefaultColumns } from './exec/default-columns.js';
import { consumingSnapshot, sealedSnapshot } from './exec/segment-snapshot.js';
import type { SegmentSnapshot } from './exec/segment-snapshot.js';

export type { QueryableSegments };

/**
 * What the query engine needs of a running table, declared here so the query layer imports
 * nothing of `table/` or `ingest/`: the table runtime satisfies it structurally.
 *
 * Contract of `queryableSegments()`: called synchronously at query start; the owner swaps a
 * consuming segment for its sealed file with no await in between, so a query that snapshots the
 * result right away (see `snapshotRuntime`) reads each row exactly once.
 *
 * @example
 *   const table: QueryableTable = manager.getRuntime('events')!; // a TableRuntime
 *   const segments = snapshotRuntime(table);
 */
export interface QueryableTable {
  readonly schema: TableSchema;
  queryableSegments(): QueryableSegments;
}

/**
 * Snapshots of a table's queryable segments, taken synchronously now: sealed files plus consuming
 * segments frozen at their current row count, with upsert tables' live-row bitmaps frozen too.
 * With the table's `schema`, a segment written before columns were added to it answers them with
 * their default null value (`withDefaultColumns`).
 */
export function snapshotRuntime(table: Pick<QueryableTable, 'queryableSegments'> & { readonly schema?: TableSchema }): SegmentSnapshot[] {
  const { sealed, consuming, liveDocs } = table.queryableSegments();
  const live = (name: string) => liveDocs?.get(name) ?? null;
  const columns = table.schema?.columns ?? [];
  return [
    ...sealed.map((s) => withDefaultColumns(sealedSnapshot(s, live(s.name)), addedColumns(columns, s.schema.columnIndex), s.metadata.nullHandlingEnabled)),
    ...consuming.map((c) => withDefaultColumns(consumingSnapshot(c, live(c.name)), addedColumns(columns, c.schema.columnIndex), c.indexing.nullHandlingEnabled)),
  ];
}
