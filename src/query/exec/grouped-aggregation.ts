import type { ScalarValue } from '../../config/data-type.js';
import type { StatesPartial } from './agg-partials.js';
import type { Dictionary } from '../../segment/segment-view.js';
import type { BlockColumns } from './numeric-values.js';
import type { SegmentSnapshot } from './segment-snapshot.js';

/**
 * The states of one aggregation for every group, indexed by dense group id. The executor adds
 * the rows of each block with their group ids; `finish` once before reading results.
 */
export interface GroupedAggregation {
  /**
   * Adds rows `rows[0..n)` of a block, row `i` to group `gids[i]` (every row to group 0 when
   * `gids` is null); groups `[0, numGroups)` exist.
   */
  add(block: BlockColumns, rows: Int32Array, gids: Int32Array | null, n: number, numGroups: number): void;
  /**
   * Adds pre-aggregated star-tree records `rows[0..n)` (COUNT/SUM/MIN/MAX/AVG only): record `r`
   * stands for `counts[r]` docs whose pre-aggregated value is `values[r]` (null for COUNT).
   */
  addPreAggregated?(counts: Float64Array, values: Float64Array | null, rows: Int32Array, gids: Int32Array | null, n: number, numGroups: number): void;
  /**
   * The dictionary whose every value this aggregation could take for `segment` in place of its
   * rows (`addDictionary`), or null: an exact distinct count of a plain column. Absent: never.
   */
  dictionaryInput?(segment: SegmentSnapshot): Dictionary | null;
  /** Adds every value of `dict` (as if every row of a segment whose dictionary it is were added to group 0). */
  addDictionary?(dict: Dictionary): void;
  finish(): void;
  /** Bytes the states hold (exact or estimated), for the query's memory reservation; cheap: called after every block. */
  byteSize?(): number;
  result(g: number): ScalarValue;
  /** A number that orders groups as `result` does, for ORDER BY on the bare aggregate; null if none. */
  readonly sortNumber: ((g: number) => number) | null;
  /**
   * The states of groups `[0, numGroups)` as cloneable data (typed arrays where it can), for
   * another thread to merge (`mergePartial`). Call after the last `add`; it finishes the states.
   */
  exportPartial(numGroups: number): StatesPartial;
  /**
   * Merges states exported by the same aggregation of the same plan: its group `i` into group
   * `gids[i]` (skipped when -1); groups `[0, numGroups)` exist.
   */
  mergePartial(partial: StatesPartial, gids: Int32Array, numGroups: number): void;
}
