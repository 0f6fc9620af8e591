import type { AggregationPlan } from '../plan/query-plan.js';
import type { StatesPartial } from './agg-partials.js';
import { partialBuffers } from './agg-partials.js';
import { groupedAggregation } from './agg-states.js';
import type { GroupedAggregation } from './grouped-aggregation.js';
import { GroupKeyTable } from './group-keys.js';
import { currentReservation } from '../../segment/reader/query-memory.js';
import { IdCounts } from './id-counts.js';
import type { CountedIds, IdWindow } from './id-counts.js';
import type { KeyColumnPartial } from './key-columns.js';
import { RowGrouper } from './row-groups.js';
import type { ColumnBlock, SegmentSnapshot } from './segment-snapshot.js';
import type { Dictionary } from '../../segment/segment-view.js';
import { preselectGroups } from './top-groups.js';
import { ValueCounts, sortedValuesDictionary } from './value-counts.js';
import { CountRun, listedRun } from './count-run.js';
import type { CountRunPartial } from './count-run.js';
import { bestEntries } from './run-top.js';
import { iota } from './scratch.js';
import { dictionaryNumbers } from './numeric-values.js';
import { storedTypeOf } from '../../config/data-type.js';
import type { StarTreeAggregation, StarTreeRows } from './star-tree-exec.js';

/** A finished group: key values and final aggregation results. */
export interface ResultRow {
  readonly keys: readonly unknown[];
  readonly aggs: readonly unknown[];
}

/**
 * One segment's groups and aggregation states, as a worker thread answers them (structured
 * clone, typed arrays transferred): each key column as kinds and codes (`KeyColumnPartial`: no
 * value per group), groups in first-seen order.
 */
export interface AggregationPartial {
  readonly numGroups: number;
  readonly keys: KeyColumnPartial[];
  readonly states: StatesPartial[];
  readonly limitReached: boolean;
  /**
   * The counts of a COUNT-only GROUP BY over an INT/LONG key still in their run (`CountRun`), when
   * every one of its groups is there (`numGroups` is then 0): 16 bytes a key, merged as a run.
   */
  readonly run?: CountRunPartial;
}

/**
 * Whether `plan` keeps its counts in a run (`CountRun`): a COUNT-only GROUP BY that `IdCounts`
 * counts per id, over an INT or LONG key. Its partials are then runs of (key, count), not groups.
 */
export function countsInRun(plan: AggregationPlan): boolean {
  if (!IdCounts.applies(plan)) return false;
  const stored = storedTypeOf(plan.groupBy[0]!.type.dataType);
  return stored === 'INT' || stored === 'LONG';
}

/**
 * Aggregates filtered rows into groups, segment by segment. Groups get dense ids in one
 * `GroupKeyTable` for the whole query, so segments need no merge step; `RowGrouper` maps each
 * block's rows to group ids (per dictionary id where it can), and each aggregation keeps its
 * states in arrays indexed by group id (`agg-states.ts`). Multi-value keys put a row in one group
 * per value combination, as Pinot does.
 *
 * Each segment may touch at most `numGroupsLimit` groups, as in Pinot; rows of further groups
 * of that segment are dropped and `limitReached` is set (Pinot's `numGroupsLimitReached`).
 */
export class GroupByAggregator {
  private readonly table: GroupKeyTable | null;
  private readonly grouper: RowGrouper | null;
  private readonly states: GroupedAggregation[];
  private segment: SegmentSnapshot | null = null;
  /** Rows counted per dictionary id of the current segment (a COUNT-only GROUP BY of one dictionary column). */
  private readonly idCounts: IdCounts | null;
  /** Rows counted per value of the current segment (the same GROUP BY over an INT/LONG key stored without a dictionary). */
  private readonly valueCounts: ValueCounts | null;
  /** The counted segments' keys and counts, made into groups when the result or a partial is asked for (`CountRun`). */
  private readonly run: CountRun | null;
  /** The current segment's raw key values are grouped row by row (`countByValue` declined them). */
  private valuesDeclined = false;
  /** The running query's share of the memory budget: the groups and states are reserved there as they grow. */
  private readonly reservation = currentReservation();

  /**
   * `partial`: this aggregator collects one segment for `exportPartial`, so it makes every group
   * the segment has (up to `numGroupsLimit`): the cut at `offset + limit` groups of a GROUP BY
   * without ORDER BY applies where partials are merged, in segment order.
   */
  constructor(
    private readonly plan: AggregationPlan,
    options: { readonly partial?: boolean } = {},
  ) {
    this.states = plan.aggregations.map(groupedAggregation);
    // Without ORDER BY or HAVING any offset + limit groups answer the query (Pinot's rule too):
    // stop making groups there.
    const anyGroups = plan.orderBy.length === 0 && plan.having === null && options.partial !== true;
    const cap = anyGroups ? plan.offset + plan.limit : Number.POSITIVE_INFINITY;
    // A resize's new arrays are reserved before they are allocated, beside the ones they replace.
    const beforeGrow = (bytes: number): void => this.reservation?.willGrow(this, this.byteSize() + bytes, bytes);
    this.table = plan.groupBy.length === 0 ? null : new GroupKeyTable(plan.groupBy.length, plan.options.numGroupsLimit, cap, beforeGrow);
    this.grouper = this.table === null ? null : new RowGrouper(plan.groupBy, this.table);
    this.idCounts = this.table !== null && IdCounts.applies(plan) ? new IdCounts() : null;
    this.valueCounts = this.idCounts === null ? null : new ValueCounts();
    this.run = countsInRun(plan) ? new CountRun() : null;
  }

  /** Bytes of the group table, the per-segment memos and every aggregation's states. */
  byteSize(): number {
    let bytes = (this.table?.byteSize() ?? 0) + (this.grouper?.byteSize() ?? 0) + (this.idCounts?.byteSize() ?? 0) + (this.valueCounts?.byteSize() ?? 0) + (this.run?.byteSize() ?? 0);
    for (const s of this.states) bytes += s.byteSize?.() ?? 0;
    return bytes;
  }

  /** Reserves what the groups and states hold now (after every block: they grow with it). */
  private reserve(): void {
    this.reservation?.track(this, this.byteSize());
  }

  get limitReached(): boolean {
    return this.table?.limitReached ?? false;
  }

  /** Adds rows `sel[0..n)` of one block (block `blockIndex` of `segment`, whose statistics may prove one group for it; -1: unknown). */
  add(segment: SegmentSnapshot, block: (column: string) => ColumnBlock, sel: Int32Array, n: number, blockIndex = -1): void {
    this.addRows(segment, block, sel, n, blockIndex);
    this.reserve();
  }

  private addRows(segment: SegmentSnapshot, block: (column: string) => ColumnBlock, sel: Int32Array, n: number, blockIndex: number): void {
    if (n === 0) return;
    if (this.grouper === null) {
      for (const s of this.states) s.add(block, sel, null, n, 1);
      return;
    }
    this.enter(segment);
    if (this.idCounts !== null && this.countById(block, sel, n)) return;
    const grouped = this.grouper.group(block, sel, n, blockIndex < 0 ? null : (column) => segment.blockStats(column, blockIndex));
    if (grouped.n === 0) return;
    const numGroups = this.table!.size;
    for (const s of this.states) s.add(block, grouped.rows, grouped.gids, grouped.n, numGroups);
  }

  /** Starts `segment` if its rows are not the current segment's. */
  private enter(segment: SegmentSnapshot): void {
    if (segment === this.segment) return;
    this.flushIdCounts();
    this.segment = segment;
    this.valuesDeclined = false;
    this.table!.beginSegment();
    this.grouper!.beginSegment((column) => segment.columnStats(column));
  }

  /**
   * Counts the rows per dictionary id of the key (`IdCounts`) when the block's key column is
   * dictionary-encoded and the segment cannot reach `numGroupsLimit`; false: group them by row.
   */
  private countById(block: (column: string) => ColumnBlock, sel: Int32Array, n: number): boolean {
    const counter = this.idCounts!;
    const key = this.plan.groupBy[0]!;
    const col = block(key.kind === 'column' ? key.column.name : '');
    if (!IdCounts.countable(col)) return this.countByValue(col, sel, n);
    if (counter.current !== col.dictionary) {
      this.flushIdCounts();
      if (!this.table!.segmentHasRoomFor(col.dictionary!.size)) return false;
      counter.begin(col);
    }
    counter.add(col, sel, n);
    return true;
  }

  /**
   * Adds rows `sel[0..n)` of one block of `segment` whose key column `col` is dictionary-encoded,
   * counting rows per id (`IdCounts`) but making groups of the ids of `window` only (a key
   * partition's: `parallel/partition-aggregator.ts`); false, with nothing added, when the plan
   * or the segment's room for groups does not allow counting per id.
   */
  protected addIdWindow(segment: SegmentSnapshot, col: ColumnBlock, window: IdWindow, sel: Int32Array, n: number): boolean {
    const counter = this.idCounts;
    if (counter === null || !IdCounts.countable(col)) return false;
    if (n === 0) return true;
    this.enter(segment);
    if (counter.current !== col.dictionary) {
      this.flushIdCounts();
      if (!this.table!.segmentHasRoomFor(window.to - window.from)) return false;
      counter.begin(col, window);
    }
    counter.add(col, sel, n);
    this.reserve();
    return true;
  }

  /**
   * Counts the rows per value of a key stored without a dictionary (`ValueCounts`) when the
   * segment cannot reach `numGroupsLimit` even with a group per row; false: group them by row,
   * for the rest of the segment once a block is declined (the counts so far are kept).
   */
  private countByValue(col: ColumnBlock, sel: Int32Array, n: number): boolean {
    const counter = this.valueCounts!;
    if (this.valuesDeclined || !ValueCounts.countable(col)) return false;
    if (!counter.active) {
      this.flushIdCounts();
      if (!this.table!.segmentHasRoomFor(this.segment!.numDocs)) {
        this.valuesDeclined = true;
        return false;
      }
      counter.begin(col);
    }
    if (counter.add(col, sel, n)) return true;
    this.flushIdCounts();
    this.valuesDeclined = true;
    return false;
  }

  /** Makes the groups of the ids (and values: into the run's dense counts if it can) counted so far, in id order, and adds their counts. */
  private flushIdCounts(): void {
    if (!this.drainIdCounts()) this.flushCounted(this.idCounts?.take() ?? null);
    if (this.run === null || !this.valueCounts?.countInto(this.run)) this.flushCounted(this.valueCounts?.take() ?? null);
  }

  /**
   * Adds the counted ids of a sorted INT/LONG dictionary of safe integers to the run of counts
   * (`CountRun`): straight into its dense counts when it keeps them (`IdCounts.drainDense`: one
   * pass over the ids), else listed and merged; false, with nothing done, when the run cannot
   * take them (`take` then lists them for `flushCounted`). The same keys get the same counts as
   * through `addToRun`.
   */
  private drainIdCounts(): boolean {
    const counter = this.idCounts;
    const run = this.run;
    const dict = counter?.current ?? null;
    if (counter === null || run === null || dict === null || !dict.sorted) return false;
    const span = counter.span();
    if (span === null || span.n === 0) return false;
    const nums = dictionaryNumbers(dict);
    const lo = nums[span.first]!;
    const hi = nums[span.last]!;
    if (!(lo >= -Number.MAX_SAFE_INTEGER && hi <= Number.MAX_SAFE_INTEGER)) return false;
    if (run.admit(lo, hi, span.n)) {
      const { counts, base } = run.denseCounts;
      counter.drainDense(nums, counts, base, span);
    } else {
      const counted = counter.take()!;
      run.merge(nums, counted.ids, counted.counts, counted.n);
    }
    return true;
  }

  private flushCounted(counted: CountedIds | null): void {
    if (counted === null || counted.n === 0) return;
    if (this.run !== null && this.addToRun(counted)) return;
    this.makeCountedGroups(counted);
  }

  /**
   * Merges counted ids into the run of counts (`CountRun`) when their keys are safe integers of a
   * sorted dictionary (ascending with the ids); false: their groups are made now.
   */
  private addToRun(counted: CountedIds): boolean {
    const dict = counted.column.dictionary!;
    const stored = storedTypeOf(counted.column.spec.dataType);
    if (!dict.sorted || (stored !== 'INT' && stored !== 'LONG')) return false;
    const nums = dictionaryNumbers(dict);
    const first = nums[counted.ids[0]!]!;
    const last = nums[counted.ids[counted.n - 1]!]!;
    if (!(first >= -Number.MAX_SAFE_INTEGER && last <= Number.MAX_SAFE_INTEGER)) return false;
    this.run!.add(nums, counted.ids, counted.counts, counted.n);
    return true;
  }

  /**
   * Makes the groups of the run of counts, once, as the ids of a sorted dictionary of its keys
   * (found through the sorted index where groups exist, appended where not); for the result
   * (`select`) of a table with no other groups, only those of the entries that can reach it. Like
   * a partial's merge, `numGroupsLimit` does not bind again: each segment was counted only where
   * it could not.
   */
  private flushRun(select: boolean): void {
    const run = this.run?.takePartial() ?? null;
    if (run === null) return;
    // Every group would come from the run: make only those that can reach the result (`runTop`).
    const taken = select && this.table!.size === 0 ? bestEntries(this.plan, run) : listedRun(run);
    const n = taken.keys.length;
    const key = this.plan.groupBy[0]! as Extract<AggregationPlan['groupBy'][number], { kind: 'column' }>;
    const long = storedTypeOf(key.column.dataType) === 'LONG';
    const column: ColumnBlock = { spec: key.column, dictionary: sortedValuesDictionary(taken.keys, long), dictIds: null, values: null, offsets: null, nulls: null };
    this.table!.beginMerge();
    this.makeCountedGroups({ column, ids: iota(n), counts: taken.counts, n, gids: new Int32Array(n), rows: new Int32Array(n) });
  }

  /** Makes the groups of counted ids, in id order, and adds their counts. */
  private makeCountedGroups(counted: CountedIds): void {
    const gids = this.grouper!.groupsOfIds(counted.column, counted.ids, counted.n, counted.gids);
    const numGroups = this.table!.size;
    // No id is dropped (the segment had room for its whole dictionary); kept safe all the same.
    const rows = counted.rows;
    let m = 0;
    for (let i = 0; i < counted.n; i++) {
      if (gids[i]! < 0) continue;
      rows[m] = i;
      gids[m++] = gids[i]!;
    }
    for (const s of this.states) s.addPreAggregated!(counted.counts, null, rows, gids, m, numGroups);
  }

  /**
   * Adds a whole sealed segment through its dictionaries alone, as Pinot's dictionary-based
   * aggregation does: no GROUP BY, and every aggregation an exact distinct count of a plain column
   * with a dictionary, which holds exactly the values of the segment's rows. The caller checks
   * that the query reads every row (no WHERE, no row hidden by upsert). `narrow` gives the part
   * of a dictionary to add (a key partition's window; null: none of it can be). False, with
   * nothing added, when the query cannot be answered that way.
   */
  addDictionaries(segment: SegmentSnapshot, narrow: (dict: Dictionary) => Dictionary | null = (d) => d): boolean {
    if (this.grouper !== null || segment.consuming || this.states.length === 0) return false;
    const dicts: Dictionary[] = [];
    for (const s of this.states) {
      const dict = s.dictionaryInput?.(segment) ?? null;
      const part = dict === null ? null : narrow(dict);
      if (part === null) return false;
      dicts.push(part);
    }
    this.states.forEach((s, i) => s.addDictionary!(dicts[i]!));
    this.reserve();
    return true;
  }

  /** Adds the star-tree records of one segment (`chooseStarTree` checked every aggregation can take them). */
  addStarTree(segment: SegmentSnapshot, rows: StarTreeRows, aggs: readonly StarTreeAggregation[]): void {
    if (rows.n === 0) return;
    const values = aggs.map((a) => (a.pair < 0 ? null : rows.metrics[a.pair]!));
    if (this.grouper === null) {
      this.states.forEach((s, i) => s.addPreAggregated!(rows.counts, values[i]!, rows.sel, null, rows.n, 1));
      return;
    }
    this.enter(segment);
    const grouped = this.grouper.group(rows.block, rows.sel, rows.n);
    if (grouped.n === 0) return;
    const numGroups = this.table!.size;
    this.states.forEach((s, i) => s.addPreAggregated!(rows.counts, values[i]!, grouped.rows, grouped.gids, grouped.n, numGroups));
    this.reserve();
  }

  /** The groups and states collected so far, for `mergePartial` elsewhere (see `AggregationPartial`). */
  exportPartial(): { partial: AggregationPartial; transfer: ArrayBuffer[] } {
    this.flushIdCounts();
    // Every group still in the run: it goes as it is (the merge adds runs; no group is made here).
    const run = this.run?.active === true && this.table!.size === 0 ? this.run.takePartial() : null;
    this.flushRun(false);
    const table = this.table;
    const numGroups = table === null ? 1 : table.size;
    const keys = table === null ? [] : table.exportGroups();
    const states = this.states.map((s) => s.exportPartial(numGroups));
    const transfer: ArrayBuffer[] = [];
    for (const k of keys) transfer.push(k.kinds.buffer as ArrayBuffer, k.codes.buffer as ArrayBuffer);
    for (const s of states) partialBuffers(s, transfer);
    if (run === null) return { partial: { numGroups, keys, states, limitReached: this.limitReached }, transfer };
    // A worker's dense counts are on shared memory: shared, never moved.
    if ('dense' in run) transfer.push(...(run.dense.buffer instanceof ArrayBuffer ? [run.dense.buffer] : []));
    else transfer.push(run.keys.buffer as ArrayBuffer, run.counts.buffer as ArrayBuffer);
    return { partial: { numGroups, keys, states, limitReached: this.limitReached, run }, transfer };
  }

  /**
   * Merges the partial of a run of segments (from an aggregator of the same plan). Partials must
   * be merged in segment order: groups then keep the first-seen order a sequential scan gives, and the cut
   * at `offset + limit` groups (GROUP BY without ORDER BY) keeps the same groups.
   */
  mergePartial(partial: AggregationPartial): void {
    this.flushIdCounts();
    if (partial.run !== undefined) {
      if (this.run === null) throw new Error('internal: a run of counts merged into an aggregation that keeps none');
      this.run.addPartial(partial.run);
    }
    if (partial.limitReached && this.table !== null) this.table.segment.limitReached = true;
    const table = this.table;
    let gids: Int32Array;
    if (table === null) gids = Int32Array.of(0);
    else {
      // numGroupsLimit bound each segment where the partial was made: it does not bind again.
      table.beginMerge();
      gids = table.importGroups(partial.keys, partial.numGroups);
    }
    const numGroups = table === null ? 1 : table.size;
    this.states.forEach((s, i) => s.mergePartial(partial.states[i]!, gids, numGroups));
    this.reserve();
  }

  /** Final rows: key values and aggregation results (only the groups the result can show). */
  results(): ResultRow[] {
    this.flushIdCounts();
    this.flushRun(true);
    for (const s of this.states) s.finish();
    this.reserve();
    const aggsOf = (g: number): unknown[] => this.states.map((s) => s.result(g));
    if (this.table === null) return [{ keys: [], aggs: aggsOf(0) }];
    const table = this.table;
    const ids = preselectGroups(this.plan, table, this.states) ?? Array.from({ length: table.size }, (_, g) => g);
    return ids.map((g) => ({ keys: table.keysOf(g), aggs: aggsOf(g) }));
  }
}
