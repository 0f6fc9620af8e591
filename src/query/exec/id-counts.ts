import { storedTypeOf } from '../../config/data-type.js';
import type { Dictionary } from '../../segment/segment-view.js';
import type { AggregationPlan } from '../plan/query-plan.js';
import { isVirtualColumn } from '../plan/virtual-columns.js';
import type { ColumnBlock } from './segment-snapshot.js';
import { selectsEveryRow } from './scratch.js';

/** The ids of one segment's key dictionary that have rows, and their row counts. */
export interface CountedIds {
  /** A block of the key column (its dictionary and type). */
  readonly column: ColumnBlock;
  /** Ascending; read only (they may be the shared `iota`). */
  readonly ids: Int32Array;
  readonly counts: Float64Array;
  readonly n: number;
  /** Room for the ids' groups and their rows (`[0, n)` free to write): the caller's scratch. */
  readonly gids: Int32Array;
  readonly rows: Int32Array;
}

/**
 * Ids `[from, to)` of a sorted dictionary as ids of `dictionary`, a window of it whose id `i` is
 * id `from + i` (a key partition's ids: `parallel/partition-aggregator.ts`).
 */
export interface IdWindow {
  readonly from: number;
  readonly to: number;
  readonly dictionary: Dictionary;
}

/**
 * Row counts per dictionary id of one segment, for a GROUP BY of one single-value dictionary
 * column whose aggregations are all `COUNT(*)` (issue 14: `GROUP BY userId ORDER BY count(*)`):
 * a row costs one increment in an array indexed by id, and groups are resolved once per id with
 * rows when the segment ends (`take`), in id order, instead of once per row. Exact: the same
 * groups get the same counts. Only where the answer does not depend on the order groups are made
 * in: an ORDER BY that includes the key (ties in count broken by it; without it, or without
 * ORDER BY, the first groups made win ties or are answered), a key of INT, LONG or STRING (for
 * DOUBLE the first of -0 and 0 met would name their group), and a segment where
 * `numGroupsLimit` cannot bind (the caller checks: then no group is dropped).
 */
export class IdCounts {
  private column: ColumnBlock | null = null;
  private dictionary: Dictionary | null = null;
  private window: IdWindow | null = null;
  /**
   * Rows per id modulo 256, with every 256th row of an id in `wraps` (one byte a row's id, so a
   * segment's million ids fit a core's cache: with 4-byte counts two workers counting at once
   * took ~11 ns a row against ~6 alone, bench/notes.md 2026-12-07).
   */
  private counts: Uint8Array = new Uint8Array(0);
  /** Times each id's byte count wrapped past 255 since `begin`. */
  private readonly wraps = new Map<number, number>();
  /** What `take` answers in, reused from one segment to the next (grown, never shrunk). */
  private taken = { ids: new Int32Array(0), counts: new Float64Array(0), gids: new Int32Array(0), rows: new Int32Array(0) };

  /** Bytes of the per-id counts and of `take`'s arrays (for the query's memory reservation). */
  byteSize(): number {
    const t = this.taken;
    return this.counts.byteLength + t.ids.byteLength + t.counts.byteLength + t.gids.byteLength + t.rows.byteLength;
  }

  /** Whether `plan` can be counted per id (see the class). */
  static applies(plan: AggregationPlan): boolean {
    const key = plan.groupBy.length === 1 ? plan.groupBy[0]! : null;
    if (key === null || key.kind !== 'column' || !key.type.sv || isVirtualColumn(key.column.name)) return false;
    if (!['INT', 'LONG', 'STRING'].includes(storedTypeOf(key.column.dataType))) return false;
    if (!plan.orderBy.some((o) => o.expr.kind === 'groupKey')) return false;
    return plan.aggregations.length > 0 && plan.aggregations.every((a) => a.fn.kind === 'count' && !a.fn.mv && a.arg === null && a.filter === null);
  }

  /** The dictionary being counted, null when none. */
  get current(): Dictionary | null {
    return this.dictionary;
  }

  /** Whether `col` can be counted per id at all (single-value, dictionary-encoded). */
  static countable(col: ColumnBlock): boolean {
    return col.dictIds !== null && col.dictionary !== null && col.offsets === null;
  }

  /**
   * Starts counting the ids of `col`'s dictionary (after `take` emptied the previous one). With
   * `window`, only the window's ids are counted, as ids of its dictionary: a row's id is moved
   * into the window and any other lands in one spare slot past it, without a branch (without a
   * window the window is the whole dictionary, and the spare slot is never reached).
   */
  begin(col: ColumnBlock, window: IdWindow | null = null): void {
    const size = (window === null ? col.dictionary!.size : window.to - window.from) + 1;
    // An eighth more than asked: the next segments' dictionaries are about the same size.
    if (this.counts.length < size) this.counts = new Uint8Array(size + (size >>> 3));
    this.column = col;
    this.dictionary = col.dictionary;
    this.window = window;
  }

  /** Counts rows `sel[0..n)` of `col` (a block of the dictionary being counted). */
  add(col: ColumnBlock, sel: Int32Array, n: number): void {
    const ids = col.dictIds!;
    const counts = this.counts;
    if (this.window === null && selectsEveryRow(sel, n)) {
      // Every row of the block (no filter) and every id the dictionary's own (no window): the
      // row's id as it is, without the selection's indirection or the window's bit-blend.
      const spare = this.dictionary!.size;
      for (let i = 0; i < n; i++) {
        const id = ids[i]!;
        const c = (counts[id]! + 1) & 255;
        counts[id] = c;
        if (c === 0) this.wrapped(id, spare);
      }
      return;
    }
    const from = this.window?.from ?? 0;
    const width = this.window === null ? this.dictionary!.size : this.window.to - from;
    for (let i = 0; i < n; i++) {
      const d = ids[sel[i]!]! - from;
      // All ones when d lies outside [0, width), else 0: the id or the spare slot picked by bits.
      // As `d >>> 0 < width ? d : width` it was a jump, mispredicted for half the rows of a
      // window holding half the ids (/tmp micro-benchmark: 5.1 against 1.5 ns a row).
      const outside = ((width - 1 - d) | d) >> 31;
      const id = (d & ~outside) | (width & outside);
      const c = (counts[id]! + 1) & 255;
      counts[id] = c;
      if (c === 0) this.wrapped(id, width);
    }
  }

  /** Another 256 rows of `id`; the spare slot's (rows outside the window) are never read. */
  private wrapped(id: number, spare: number): void {
    if (id !== spare) this.wraps.set(id, (this.wraps.get(id) ?? 0) + 1);
  }

  /**
   * The ids with rows since `begin` (no window): how many, the first and the last; null with a
   * window or nothing begun.
   */
  span(): { readonly n: number; readonly first: number; readonly last: number } | null {
    if (this.column === null || this.window !== null) return null;
    const size = this.dictionary!.size;
    const counts = this.counts;
    const wraps = this.wraps;
    const has = (id: number): boolean => counts[id] !== 0 || wraps.has(id);
    let first = 0;
    while (first < size && !has(first)) first++;
    if (first === size) return { n: 0, first: -1, last: -1 };
    let last = size - 1;
    while (!has(last)) last--;
    // Ids whose byte count wrapped back to 0 (a multiple of 256 rows) have rows too.
    let n = 0;
    for (let id = first; id <= last; id++) n += +(counts[id] !== 0);
    for (const id of wraps.keys()) if (counts[id] === 0) n++;
    return { n, first, last };
  }

  /**
   * Adds each counted id's rows to `dense[nums[id] - base]` (a run's dense counts: `CountRun.admit`
   * answered true for the ids' keys, `nums` the dictionary's numbers) and empties the counter, as
   * `take` does; in one pass over the ids, where `take` lists them for a second pass to add
   * (bench/notes.md, 2026-12-07 19:20). No window.
   */
  drainDense(nums: Float64Array, dense: Float64Array, base: number, span: { readonly first: number; readonly last: number }): void {
    const counts = this.counts;
    const { first, last } = span;
    // Keys ascend with the ids, so every id from the first counted to the last has its slot in
    // `dense` (those without rows add 0): no jump per id.
    for (let id = first; id <= last; id++) dense[nums[id]! - base]! += counts[id]!;
    for (const [id, times] of this.wraps) dense[nums[id]! - base]! += 256 * times;
    counts.fill(0, first, last + 1);
    this.end(this.dictionary!.size);
  }

  /**
   * The ids counted since `begin`, ascending, with their counts; the counter is empty after. The
   * arrays (and the scratch for their groups) are reused by the next `take`: a segment's ids are
   * read at once, then dropped, so a GROUP BY over many segments allocates them once, not once per
   * segment (at 10M rows in 8 segments that was ~100 MiB of garbage per query, each 64 MiB of it
   * a full collection: bench/notes.md).
   */
  take(): CountedIds | null {
    const column = this.column;
    if (column === null) return null;
    const window = this.window;
    const size = window === null ? this.dictionary!.size : window.to - window.from;
    const counts = this.counts;
    const wraps = this.wraps;
    const wrapped = wraps.size > 0;
    let m = 0;
    for (let id = 0; id < size; id++) if (counts[id] !== 0 || (wrapped && wraps.has(id))) m++;
    // Sized like `counts` (the largest dictionary counted): no doubling past what a segment needs.
    if (this.taken.ids.length < m) {
      const c = counts.length;
      this.taken = { ids: new Int32Array(c), counts: new Float64Array(c), gids: new Int32Array(c), rows: new Int32Array(c) };
    }
    const { ids, counts: out, gids, rows } = this.taken;
    let j = 0;
    for (let id = 0; id < size; id++) {
      let c = counts[id]!;
      if (wrapped) c += 256 * (wraps.get(id) ?? 0);
      if (c === 0) continue;
      ids[j] = id;
      out[j++] = c;
      counts[id] = 0;
    }
    this.end(size);
    if (window === null) return { column, ids, counts: out, n: m, gids, rows };
    return { column: { ...column, dictionary: window.dictionary }, ids, counts: out, n: m, gids, rows };
  }

  /** Forgets the counted dictionary (its counts are zero again up to `size`; the spare slot too). */
  private end(size: number): void {
    this.wraps.clear();
    this.column = null;
    this.dictionary = null;
    this.window = null;
    this.counts[size] = 0;
  }
}
