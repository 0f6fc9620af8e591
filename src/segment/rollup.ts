import type { RollupSettings } from '../config/rollup-config.js';
import type { TableSchema } from '../config/schema.js';
import type { DecodedRow } from '../spi/decoder.js';
import { ConsumingSegment } from './consuming-segment.js';
import { dimensionKey, fitsStoredType, rollupCombiners } from './rollup-combine.js';
import type { Combine } from './rollup-combine.js';
import type { SegmentView } from './segment-view.js';

/**
 * Pre-aggregates rows (Pinot's ingest-time rollup): rows whose every non-metric column (dimensions
 * and date-time columns) is equal become one row, its metrics combined by each metric's function
 * (SUM, MIN, MAX; COUNT columns hold counts and add up). Rows keep the order in which their
 * dimension values first appear; a sum its column's type cannot hold (an INT past 2^31 - 1)
 * starts another row of the group instead of wrapping. SUM, MIN, MAX and SUM of a COUNT column answer exactly as over
 * the raw rows; `count(*)` counts stored rows.
 *
 * @example
 *   const rows = rollupRows(schema, settings, [[ 'NL', 1n, 3 ], [ 'NL', 1n, 4 ]]); // [[ 'NL', 1n, 7 ]]
 */
export function rollupRows(schema: TableSchema, settings: RollupSettings, rows: Iterable<DecodedRow>): DecodedRow[] {
  const combine = rollupCombiners(schema, settings);
  const out: DecodedRow[] = [];
  const groups = new Map<string, DecodedRow>();
  for (const row of rows) {
    const key = dimensionKey(row, combine);
    const into = groups.get(key);
    const combined = into === undefined ? undefined : combineRow(schema, combine, into, row);
    if (into !== undefined && combined !== undefined) {
      for (let i = 0; i < combined.length; i++) into[i] = combined[i] ?? null;
      continue;
    }
    // A new group, or a sum its column's type cannot hold: the row starts the group's next doc.
    const fresh = [...row];
    groups.set(key, fresh);
    out.push(fresh);
  }
  return out;
}

/** `into` with `row` added (metric cells combined), or undefined when a combined value does not fit its column. */
function combineRow(schema: TableSchema, combine: readonly (Combine | null)[], into: DecodedRow, row: DecodedRow): DecodedRow | undefined {
  const next = [...into];
  for (let i = 0; i < row.length; i++) {
    const fn = combine[i];
    if (!fn) continue;
    const value = fn(into[i] ?? null, row[i] ?? null);
    if (!fitsStoredType(schema.columns[i]!.dataType, value)) return undefined;
    next[i] = value;
  }
  return next;
}

/** The first `numDocs` rows of a segment as `index` takes them (null where the segment stores null). */
export function* segmentRows(segment: SegmentView, numDocs = segment.numDocs): Generator<DecodedRow> {
  const readers = segment.schema.columns.map((c) => segment.column(c.name));
  for (let doc = 0; doc < numDocs; doc++) yield readers.map((r) => (r.isNull(doc) ? null : r.getValue(doc)));
}

/**
 * A consuming segment with the same identity, offsets and creation time holding the rolled-up
 * rows of `segment` — what a rollup table seals instead of the raw rows.
 */
export function rolledUpSegment(segment: ConsumingSegment, settings: RollupSettings): ConsumingSegment {
  const out = new ConsumingSegment({
    identity: segment.identity,
    schema: segment.schema,
    indexing: segment.indexing,
    ...(segment.timeColumnName !== undefined && segment.timeColumnName !== null ? { timeColumnName: segment.timeColumnName } : {}),
    createdAtMs: segment.createdAtMs,
  });
  const first = segment.firstOffset;
  for (const row of rollupRows(segment.schema, settings, segmentRows(segment))) out.index(row, first!, segment.createdAtMs);
  if (segment.lastOffset !== null) out.markConsumed(segment.lastOffset);
  return out;
}
