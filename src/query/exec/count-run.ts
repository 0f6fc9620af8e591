import { iota } from './scratch.js';

/** Dense counts cover at most this many key values (32 MiB of doubles)... */
const DENSE_MAX = 1 << 22;
/** ...and at most this many times the most keys one segment brought (a sparse range is merged instead). */
const DENSE_FACTOR = 4;

/** A run of counts as plain data: keys ascending and distinct (safe integers), a count each. */
export interface CountRunPartial {
  readonly keys: Float64Array;
  readonly counts: Float64Array;
}

/**
 * The row counts of a COUNT-only GROUP BY over one INT or LONG key, kept across segments as one
 * key-ascending run of (key, count) pairs: each segment's counted ids (`IdCounts`, `ValueCounts`:
 * ascending keys with their counts) are merged into it, and its keys become groups once, when the
 * run is taken (`GroupByAggregator`). Made into groups segment by segment instead, each of the
 * 10M bench's 8 segments looked its ~700,000 keys up in the sorted index of every group so far,
 * resolved them through an id memo and added their counts to the states: ~40 ns a key, against
 * ~4 for a merge step here (bench/notes.md, 2026-12-07). Keys are safe integers held as doubles
 * (the caller checks), so equal keys are equal doubles and counts add exactly.
 *
 * Keys in a range not much wider than their number (ids, user numbers: the 10M bench's million
 * users) are not merged at all: their counts are added into an array indexed by `key - base`,
 * one write per key, and the run is read out of it when taken.
 *
 * Two pairs of buffers, swapped at each merge, so merging allocates nothing once grown.
 */
export class CountRun {
  /**
   * While the keys span a range at most `DENSE_FACTOR` times the largest segment's key count (and
   * at most `DENSE_MAX` values): the counts by `key - base`, added in place of a merge.
   */
  private dense: Float64Array | null = null;
  private base = 0;
  private widest = 0;
  private keys = new Float64Array(0);
  private counts = new Float64Array(0);
  private spareKeys = new Float64Array(0);
  private spareCounts = new Float64Array(0);
  private length = 0;
  /** Whether anything was added since the last `take`. */
  private started = false;
  /** After the first add: whether the counts may still go dense (decided at the second). */
  private undecided = false;

  /** Bytes of the buffers. */
  byteSize(): number {
    return (this.dense?.byteLength ?? 0) + this.keys.byteLength + this.counts.byteLength + this.spareKeys.byteLength + this.spareCounts.byteLength;
  }

  /**
   * Merges keys `nums[ids[i]]` with counts `counts[i]`, `i < n` (keys ascending and distinct), into
   * the run; a key already held gets the sum.
   */
  add(nums: Float64Array, ids: Int32Array, counts: Float64Array, n: number): void {
    if (n === 0) return;
    if (!this.admit(nums[ids[0]!]!, nums[ids[n - 1]!]!, n)) {
      this.merge(nums, ids, counts, n);
      return;
    }
    const dense = this.dense!;
    const base = this.base;
    for (let j = 0; j < n; j++) dense[nums[ids[j]!]! - base]! += counts[j]!;
  }

  /**
   * Takes note of a segment's `n` keys, ascending from `lo` to `hi` (n > 0), about to be added:
   * true when they are to be added into the dense counts (`denseCounts`, widened to cover them),
   * false when they are to be merged into the run (`add` does either; `IdCounts.drainDense` adds
   * a segment's counts per id straight into the dense counts, without listing them first).
   */
  admit(lo: number, hi: number, n: number): boolean {
    const fresh = !this.started;
    this.started = true;
    this.widest = Math.max(this.widest, n);
    // The first keys are the run as they are; the second decide whether counts go dense from
    // then on. A run taken after one add (one segment's partial: the consuming segment of a query
    // split by key, a segment a worker stole) never fills and reads back a dense array.
    if (!fresh && this.length > 0 && this.undecided) {
      this.undecided = false;
      const from = Math.min(this.keys[0]!, lo);
      const to = Math.max(this.keys[this.length - 1]!, hi);
      if (this.fitsDense(from, to)) this.runToDense(from, to);
    }
    if (fresh) this.undecided = true;
    if (this.dense === null) return false;
    const from = Math.min(this.base, lo);
    const to = Math.max(this.base + this.dense.length - 1, hi);
    if (this.fitsDense(from, to)) {
      this.widenDense(from, to);
      return true;
    }
    this.denseToRun();
    return false;
  }

  /** The dense counts (by `key - base`) after `admit` answered true. */
  get denseCounts(): { readonly counts: Float64Array; readonly base: number } {
    return { counts: this.dense!, base: this.base };
  }

  /** Whether keys `lo..hi` may be counted densely (see `dense`). */
  private fitsDense(lo: number, hi: number): boolean {
    const span = hi - lo + 1;
    return span <= DENSE_MAX && span <= DENSE_FACTOR * this.widest;
  }

  /** Widens the dense counts to cover `from..to` (keys stay at `key - base`). */
  private widenDense(from: number, to: number): void {
    const dense = this.dense!;
    if (from < this.base || to - from + 1 > dense.length) {
      const grown = new Float64Array(to - from + 1);
      grown.set(dense, this.base - from);
      this.dense = grown;
      this.base = from;
    }
  }

  /** The run so far as dense counts over keys `from..to`. */
  private runToDense(from: number, to: number): void {
    const dense = (this.dense = new Float64Array(to - from + 1));
    this.base = from;
    const keys = this.keys;
    const counts = this.counts;
    for (let i = 0; i < this.length; i++) dense[keys[i]! - from] = counts[i]!;
    this.length = 0;
  }

  /** The dense counts as the run (keys with a count, ascending). */
  private denseToRun(): void {
    const dense = this.dense!;
    this.dense = null;
    let m = 0;
    for (let k = 0; k < dense.length; k++) if (dense[k] !== 0) m++;
    this.keys = new Float64Array(m);
    this.counts = new Float64Array(m);
    let w = 0;
    for (let k = 0; k < dense.length; k++) {
      if (dense[k] === 0) continue;
      this.keys[w] = this.base + k;
      this.counts[w++] = dense[k]!;
    }
    this.length = m;
  }

  /** Merges ascending keys `nums[ids[j]]` with their counts into the run (after `admit` answered false). */
  merge(nums: Float64Array, ids: Int32Array, counts: Float64Array, n: number): void {
    const need = this.length + n;
    if (this.spareKeys.length < need) {
      const size = Math.max(need, Math.ceil(this.keys.length * 1.25));
      this.spareKeys = new Float64Array(size);
      this.spareCounts = new Float64Array(size);
    }
    const ak = this.keys;
    const ac = this.counts;
    const an = this.length;
    const ok = this.spareKeys;
    const oc = this.spareCounts;
    let i = 0;
    let j = 0;
    let w = 0;
    while (i < an && j < n) {
      const x = ak[i]!;
      const y = nums[ids[j]!]!;
      // Branch-free, as `unionInto`: the side that advances is a 0 or 1 added to its index.
      const takeA = +(x <= y);
      const takeB = +(y <= x);
      ok[w] = takeA === 1 ? x : y;
      oc[w++] = takeA * ac[i]! + takeB * counts[j]!;
      i += takeA;
      j += takeB;
    }
    for (; i < an; i++, w++) {
      ok[w] = ak[i]!;
      oc[w] = ac[i]!;
    }
    for (; j < n; j++, w++) {
      ok[w] = nums[ids[j]!]!;
      oc[w] = counts[j]!;
    }
    this.spareKeys = ak;
    this.spareCounts = ac;
    this.keys = ok;
    this.counts = oc;
    this.length = w;
  }

  /** Merges another run (`take` of another thread's or server's `CountRun`: keys ascending and distinct). */
  addRun(keys: Float64Array, counts: Float64Array): void {
    this.add(keys, iota(keys.length), counts, keys.length);
  }

  /** Whether anything was added since the last `take`. */
  get active(): boolean {
    return this.started;
  }

  /**
   * The run, handed over (arrays of its own length, which the run lets go: a run is taken once, for
   * the result or a partial); empty after. Null when nothing was added.
   */
  take(): CountRunPartial | null {
    if (!this.started) return null;
    if (this.dense !== null) this.denseToRun();
    const n = this.length;
    const taken = { keys: this.keys.length === n ? this.keys : this.keys.slice(0, n), counts: this.counts.length === n ? this.counts : this.counts.slice(0, n) };
    this.keys = this.counts = this.spareKeys = this.spareCounts = new Float64Array(0);
    this.length = 0;
    this.widest = 0;
    this.started = false;
    this.undecided = false;
    return taken;
  }
}
