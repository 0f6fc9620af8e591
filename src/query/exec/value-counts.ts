import { storedTypeOf } from '../../config/data-type.js';
import type { Dictionary } from '../../segment/segment-view.js';
import type { CountRun } from './count-run.js';
import type { CountedIds } from './id-counts.js';
import { sortedNumbers } from '../../segment/format/numeric-order.js';
import { gatherLongs, presetDictionaryNumbers } from './numeric-values.js';
import { iota } from './scratch.js';
import type { ColumnBlock } from './segment-snapshot.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * Row counts per value of one segment's INT or LONG key column stored without a dictionary (a
 * consuming segment's numeric columns, a sealed `noDictionaryColumns` one), for the COUNT-only
 * GROUP BY `IdCounts` counts per dictionary id: the segment's values are gathered as doubles,
 * sorted when the segment ends (`take`, by the seal's radix sort: `Float64Array#sort` took 30 ms
 * for 312,500 values and made the 1M bench's query 60 % slower than filing them row by row), and counted per distinct value. They are answered as the
 * ids of a sorted dictionary of those values, so their groups are found the way a sealed
 * segment's are: in one merge pass over `SortedKeyIndex`, new ones appended without filing them
 * in the hash slots. Filed one row at a time instead, the 312,500 rows of the 10M `parallel`
 * bench's consuming segment cost ~220 ms against a million groups (every group filed in the hash
 * slots, then a probe per row, each a cache miss: bench/notes.md, 2026-12-07).
 *
 * Exact where `IdCounts` is (the same conditions apply: the caller checks them), for values that
 * are safe integers; `add` refuses a block holding any other, and the caller groups the rest of
 * the segment row by row (counts add up either way).
 */
export class ValueCounts {
  private column: ColumnBlock | null = null;
  private values: Float64Array<ArrayBuffer> = new Float64Array(0);
  private n = 0;
  private taken = { counts: new Float64Array(0), gids: new Int32Array(0), rows: new Int32Array(0) };

  /** Bytes of the gathered values and of `take`'s arrays. */
  byteSize(): number {
    const t = this.taken;
    return this.values.byteLength + t.counts.byteLength + t.gids.byteLength + t.rows.byteLength;
  }

  /** Whether `col` is a single-value INT or LONG block without a dictionary, in a typed array. */
  static countable(col: ColumnBlock): boolean {
    if (col.dictIds !== null || col.offsets !== null) return false;
    const stored = storedTypeOf(col.spec.dataType);
    const v = col.values;
    return (stored === 'INT' && (v instanceof Int32Array || v instanceof Uint16Array)) || (stored === 'LONG' && v instanceof BigInt64Array);
  }

  /** Whether values have been gathered since the last `take`. */
  get active(): boolean {
    return this.column !== null;
  }

  /** Starts gathering a segment's values of `col`'s column. */
  begin(col: ColumnBlock): void {
    this.column = col;
    this.n = 0;
  }

  /**
   * Gathers the values of rows `sel[0..n)` of `col`; false, with nothing of the block kept, when
   * one of them is not a safe integer (a LONG beyond ±(2^53 - 1): no double names it exactly).
   */
  add(col: ColumnBlock, sel: Int32Array, n: number): boolean {
    const at = this.n;
    const out = (this.values = grow(this.values, at, at + n));
    const v = col.values!;
    if (v instanceof BigInt64Array) {
      const gathered = out.subarray(at, at + n);
      gatherLongs(v, sel, n, gathered);
      for (let i = 0; i < n; i++) {
        const x = gathered[i]!;
        if (!(x >= -MAX_SAFE && x <= MAX_SAFE)) return false;
      }
    } else if (v instanceof Int32Array) {
      for (let i = 0; i < n; i++) out[at + i] = v[sel[i]!]!;
    } else {
      const u = v as Uint16Array;
      for (let i = 0; i < n; i++) out[at + i] = u[sel[i]!]!;
    }
    this.n = at + n;
    return true;
  }

  /**
   * The values gathered since `begin` counted straight into `run` (`CountRun.countAll`: dense
   * counts, no sort); false, with nothing done, when the run cannot take them so (`take` then).
   */
  countInto(run: CountRun): boolean {
    if (this.column === null || !run.countAll(this.values, this.n)) return false;
    this.column = null;
    return true;
  }

  /**
   * The distinct values gathered since `begin`, as ids `0..n)` of a sorted dictionary of them
   * (ascending), with their row counts; the counter is empty after. `take`'s arrays are reused by
   * the next `take` (the dictionary's values are not: the groups' memo keeps them).
   */
  take(): CountedIds | null {
    const column = this.column;
    if (column === null) return null;
    this.column = null;
    const m = this.n;
    const sorted = sortedNumbers(this.values.subarray(0, m));
    if (this.taken.counts.length < m) this.taken = { counts: new Float64Array(m), gids: new Int32Array(m), rows: new Int32Array(m) };
    const { counts, gids, rows } = this.taken;
    let k = 0;
    for (let i = 0; i < m; i++) {
      const x = sorted[i]!;
      if (k > 0 && sorted[k - 1] === x) counts[k - 1]++;
      else {
        sorted[k] = x;
        counts[k++] = 1;
      }
    }
    const dictionary = sortedValuesDictionary(sorted.slice(0, k), storedTypeOf(column.spec.dataType) === 'LONG');
    return { column: { ...column, dictionary, values: null }, ids: iota(k), counts, n: k, gids, rows };
  }
}

/** `buf` with room for `want` entries, its first `keep` kept. */
function grow(buf: Float64Array<ArrayBuffer>, keep: number, want: number): Float64Array<ArrayBuffer> {
  if (buf.length >= want) return buf;
  const grown = new Float64Array(Math.max(want, buf.length * 2));
  grown.set(buf.subarray(0, keep));
  return grown;
}

/** A sorted dictionary of the ascending distinct safe integers `keys` (bigints when `long`). */
export function sortedValuesDictionary(keys: Float64Array, long: boolean): Dictionary {
  const dictionary: Dictionary = {
    size: keys.length,
    sorted: true,
    get: (id) => (long ? BigInt(keys[id]!) : keys[id]!),
    indexOf: (value) => {
      const x = Number(value);
      const lo = lowerBound(keys, x);
      return lo < keys.length && keys[lo] === x && (typeof value === 'bigint') === long ? lo : -1;
    },
  };
  presetDictionaryNumbers(dictionary, keys);
  return dictionary;
}

/** The first index of the ascending `xs` whose value is not below `bound` (a bigint is compared exactly). */
export function lowerBound(xs: Float64Array, bound: number | bigint): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < bound) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
