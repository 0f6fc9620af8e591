import type { Dictionary } from '../../segment/segment-view.js';
import { GroupByAggregator } from '../exec/group-by.js';
import { shareDictionaryNumbers } from '../exec/numeric-values.js';
import type { ColumnBlock, SegmentSnapshot } from '../exec/segment-snapshot.js';
import type { StarTreeAggregation, StarTreeRows } from '../exec/star-tree-exec.js';
import type { AggregationPlan } from '../plan/query-plan.js';
import type { IdWindow } from '../exec/id-counts.js';

/** A bound of a key partition: an INT value (number) or a LONG value (bigint); null = unbounded. */
export type PartitionBound = number | bigint | null;

/**
 * One partition of an INT or LONG column's values: `lo <= v < hi` (null: unbounded). The
 * partitions of a query are disjoint and cover every value, so each key's rows go to exactly one.
 */
export interface KeyPartition {
  /** The column whose values are partitioned (the GROUP BY key, or the DISTINCTCOUNT argument). */
  readonly column: string;
  readonly lo: PartitionBound;
  readonly hi: PartitionBound;
}

/**
 * How one dictionary's ids fall in the partition: an id range of a sorted dictionary, with the
 * window dictionary of those ids (`windowOf`), or a mark per id.
 */
type IdTest = { readonly kind: 'range'; readonly ids: IdWindow } | { readonly kind: 'marks'; readonly marks: Uint8Array };

/**
 * Ids `[from, to)` of sorted dictionary `dict` as a dictionary of their own (id `i` is `from +
 * i`): what the aggregator sees of a segment's key, so the work it does per dictionary id (count
 * arrays, id memos, the sorted index's merge, distinct marks) covers the partition's ids only,
 * not the whole dictionary in every worker.
 */
function windowOf(dict: Dictionary, from: number, to: number): Dictionary {
  const clamp = (id: number): number => Math.min(to - from, Math.max(0, id - from));
  const window: Dictionary = {
    size: to - from,
    sorted: true,
    paged: dict.paged,
    get: (id) => dict.get(id + from),
    indexOf: (value) => {
      const id = dict.indexOf(value);
      return id >= from && id < to ? id - from : -1;
    },
    idRange: (bounds) => {
      const [a, b] = dict.idRange!(bounds);
      return [clamp(a), clamp(b)];
    },
  };
  shareDictionaryNumbers(window, dict, from);
  return window;
}

/** Whether `v` (a number or bigint: JS compares the two exactly) lies in `p`. */
export function inPartition(p: KeyPartition, v: unknown): boolean {
  const x = v as number | bigint;
  return (p.lo === null || x >= p.lo) && (p.hi === null || x < p.hi);
}

/**
 * An aggregator that aggregates only the rows whose `partition.column` value lies in its
 * partition (the rows the filter selected are narrowed block by block), for the worker that owns
 * that partition of the keys (docs/query.md, "Partitioned by key"). Per sealed dictionary the
 * partition is one id range found by binary search (`Dictionary.idRange`), so a row costs an id
 * read and two integer comparisons (a COUNT-only GROUP BY counts it there and then); unsorted
 * dictionaries mark their ids once, raw values are compared per row. Star-tree records are not
 * narrowed: the caller keeps such queries off this path.
 */
export class PartitionAggregator extends GroupByAggregator {
  private dictionary: Dictionary | null = null;
  private dictionarySize = -1;
  private test: IdTest | null = null;
  private buffer = new Int32Array(0);
  /** Ids of the block's rows in the window dictionary (written for the rows of `sel` only). */
  private windowIds = new Int32Array(0);

  constructor(
    plan: AggregationPlan,
    private readonly partition: KeyPartition,
  ) {
    super(plan);
  }

  override add(segment: SegmentSnapshot, block: (column: string) => ColumnBlock, sel: Int32Array, n: number, blockIndex = -1): void {
    const column = this.partition.column;
    const col = block(column);
    if (col.dictIds !== null && col.dictionary !== null && col.offsets === null) {
      // A COUNT-only GROUP BY counts the partition's ids in one pass (`IdCounts` with a window):
      // no copy of the rows that fall in the partition first.
      const test = this.idTest(col.dictionary);
      if (test.kind === 'range' && this.addIdWindow(segment, col, test.ids, sel, n)) return;
    }
    const m = this.narrow(col, sel, n);
    if (this.windowed === null) {
      super.add(segment, block, this.buffer, m, blockIndex);
      return;
    }
    // The key column as the window of the partition's ids.
    const windowed: ColumnBlock = { ...col, dictionary: this.windowed, dictIds: this.windowIds };
    super.add(segment, (c) => (c === column ? windowed : block(c)), this.buffer, m, blockIndex);
  }

  /**
   * A whole segment through its dictionaries (`GroupByAggregator.addDictionaries`: the distinct
   * counts of a query without WHERE), each narrowed to the partition's window of ids: a sorted
   * dictionary's only (an unsorted one is read row by row).
   */
  override addDictionaries(segment: SegmentSnapshot): boolean {
    const own = segment.dictionary(this.partition.column);
    return super.addDictionaries(segment, (dict) => {
      if (dict !== own) return null;
      const test = this.idTest(dict);
      return test.kind === 'range' ? test.ids.dictionary : null;
    });
  }

  /** The window dictionary of the block `narrow` read last, or null (its ids are the block's own). */
  private windowed: Dictionary | null = null;

  override addStarTree(_segment: SegmentSnapshot, _rows: StarTreeRows, _aggs: readonly StarTreeAggregation[]): void {
    throw new Error('internal: star-tree records cannot be partitioned by key');
  }

  /** Copies the rows of `sel[0..n)` whose value lies in the partition to `this.buffer`; returns how many. */
  private narrow(col: ColumnBlock, sel: Int32Array, n: number): number {
    if (col.offsets !== null) throw new Error(`internal: multi-value column ${this.partition.column} cannot be partitioned by key`);
    if (this.buffer.length < n) this.buffer = new Int32Array(Math.max(n, 1024));
    const out = this.buffer;
    let k = 0;
    this.windowed = null;
    if (col.dictIds !== null && col.dictionary !== null) {
      const ids = col.dictIds;
      const test = this.idTest(col.dictionary);
      if (test.kind === 'range') {
        if (this.windowIds.length < ids.length) this.windowIds = new Int32Array(Math.max(ids.length, 1024));
        const rebased = this.windowIds;
        // Branchless: both differences are >= 0 exactly when from <= id < to.
        const from = test.ids.from;
        const last = test.ids.to - 1;
        for (let i = 0; i < n; i++) {
          const r = sel[i]!;
          const id = ids[r]!;
          out[k] = r;
          rebased[r] = id - from;
          k += 1 - (((id - from) | (last - id)) >>> 31);
        }
        this.windowed = test.ids.dictionary;
      } else {
        const marks = test.marks;
        for (let i = 0; i < n; i++) {
          const r = sel[i]!;
          out[k] = r;
          k += marks[ids[r]!]!;
        }
      }
      return k;
    }
    const values = col.values!;
    const p = this.partition;
    for (let i = 0; i < n; i++) {
      const r = sel[i]!;
      if (inPartition(p, values[r])) out[k++] = r;
    }
    return k;
  }

  /** The partition's ids in `dict` (remembered per dictionary and size: a consuming one grows). */
  private idTest(dict: Dictionary): IdTest {
    if (dict === this.dictionary && dict.size === this.dictionarySize) return this.test!;
    const p = this.partition;
    let test: IdTest;
    if (dict.sorted && dict.idRange !== undefined) {
      const [from, to] = dict.idRange({ lo: p.lo, loInclusive: true, hi: p.hi, hiInclusive: false });
      const end = Math.max(from, to);
      test = { kind: 'range', ids: { from, to: end, dictionary: windowOf(dict, from, end) } };
    } else {
      const marks = new Uint8Array(dict.size);
      for (let id = 0; id < dict.size; id++) marks[id] = inPartition(p, dict.get(id)) ? 1 : 0;
      test = { kind: 'marks', marks };
    }
    this.dictionary = dict;
    this.dictionarySize = dict.size;
    this.test = test;
    return test;
  }
}
