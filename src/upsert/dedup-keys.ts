import type { TableSchema } from '../config/schema.js';
import type { DedupSettings } from '../config/upsert-config.js';
import type { SealedSegment } from '../segment/sealed-segment.js';
import type { DecodedRow } from '../spi/decoder.js';
import type { AdmittedRow, KeyedRows } from './keyed-rows.js';
import { keyColumnsOf, primaryKeyOf } from './record-keys.js';

/**
 * The primary keys of a dedup table (`dedupConfig.dedupEnabled`): the first record of a key is
 * indexed, every later one is dropped and counted. Every indexed row is live, so a dedup table
 * needs no live-row bitmaps. Rebuilt on start from the keys of the sealed segments; rows that were
 * only in consuming segments are read again and admitted again in stream order.
 *
 * @example
 *   const dedup = new DedupKeys(schema, config.dedup!);
 *   dedup.rebuild(sealedSegments);
 */
export class DedupKeys implements KeyedRows {
  private readonly keys = new Set<string>();
  private readonly keyColumns: readonly number[];
  private dropped = 0;

  constructor(
    private readonly schema: TableSchema,
    settings: DedupSettings,
  ) {
    this.keyColumns = keyColumnsOf(schema, settings).keys;
  }

  get counters(): { keys: number; duplicatesDropped: number } {
    return { keys: this.keys.size, duplicatesDropped: this.dropped };
  }

  admit(row: DecodedRow): AdmittedRow | null {
    const key = primaryKeyOf(this.keyColumns.map((i) => row[i] ?? this.schema.columns[i]!.defaultNullValue));
    if (this.keys.has(key)) {
      this.dropped++;
      return null;
    }
    return { row, commit: () => void this.keys.add(key) };
  }

  rebuild(segments: readonly SealedSegment[]): void {
    const names = this.keyColumns.map((i) => this.schema.columns[i]!.name);
    for (const segment of segments) {
      for (let doc = 0; doc < segment.numDocs; doc++) this.keys.add(primaryKeyOf(names.map((n) => segment.getValue(n, doc))));
    }
  }
}
