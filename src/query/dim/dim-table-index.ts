import type { ColumnSpec, TableSchema } from '../../config/schema.js';
import { isBitSet } from '../../segment/builders/null-bitmap.js';
import { columnReader } from '../exec/compile-expr.js';
import type { SegmentSnapshot } from '../exec/segment-snapshot.js';
import { convertTo, valueKey } from '../functions/values.js';

/**
 * A dimension table held whole in memory: its primary key → the row, built from a snapshot of
 * every sealed and consuming segment. Rows are read segment by segment in snapshot order and row
 * by row, and a later row with the same key replaces an earlier one (for a dimension table with
 * `upsertConfig`, only each key's live row is read). Immutable once built.
 *
 * @example
 *   const index = DimTableIndex.build(schema, snapshotRuntime(runtime));
 *   index.row(['NL'])?.[schema.columnIndex.get('name')!] // 'Netherlands'
 */
export class DimTableIndex {
  private constructor(
    readonly schema: TableSchema,
    private readonly keyColumns: readonly ColumnSpec[],
    private readonly rows: ReadonlyMap<string, readonly unknown[]>,
  ) {}

  static build(schema: TableSchema, segments: readonly SegmentSnapshot[]): DimTableIndex {
    const keyColumns = schema.primaryKeyColumns.map((name) => schema.columns[schema.columnIndex.get(name)!]!);
    const keyPositions = keyColumns.map((c) => schema.columnIndex.get(c.name)!);
    const rows = new Map<string, unknown[]>();
    for (const segment of segments) {
      const live = segment.liveDocs?.queryable ?? null;
      segment.blocks.forEach((block, b) => {
        const readers = schema.columns.map((c) => columnReader(segment.block(c.name, b)));
        for (let r = 0; r < block.numDocs; r++) {
          if (live !== null && !isBitSet(live, block.firstDoc + r)) continue;
          const row = readers.map((read) => read(r));
          rows.set(keyOf(keyPositions.map((p) => row[p])), row);
        }
      });
    }
    return new DimTableIndex(schema, keyColumns, rows);
  }

  get size(): number {
    return this.rows.size;
  }

  /** The primary-key columns, in the schema's `primaryKeyColumns` order. */
  get primaryKey(): readonly ColumnSpec[] {
    return this.keyColumns;
  }

  /**
   * The row whose primary key equals `key` (one value per key column, in `primaryKey` order,
   * converted to each column's type first: an INT fact value finds a LONG key), or undefined.
   */
  row(key: readonly unknown[]): readonly unknown[] | undefined {
    const converted: unknown[] = [];
    for (let i = 0; i < key.length; i++) {
      const v = key[i];
      if (v === null || v === undefined || Array.isArray(v)) return undefined;
      try {
        converted.push(convertTo(v, this.keyColumns[i]!.dataType));
      } catch {
        return undefined;
      }
    }
    return this.rows.get(keyOf(converted));
  }
}

function keyOf(values: readonly unknown[]): string {
  return values.length === 1 ? valueKey(values[0]) : JSON.stringify(values.map(valueKey));
}

/**
 * What identifies the rows a snapshot holds: each segment's name and row count. Equal signatures
 * mean equal rows, except for upsert tables (their live rows change in place): null there.
 */
export function snapshotSignature(segments: readonly SegmentSnapshot[]): string | null {
  if (segments.some((s) => s.liveDocs !== null)) return null;
  return segments.map((s) => `${s.name}:${s.numDocs}`).join('|');
}
