import { isMainThread } from 'node:worker_threads';
import { iota } from './scratch.js';
import { span } from './sorted-union.js';

/** Dense counts cover at most this many key values (32 MiB of doubles)... */
const DENSE_MAX = 1 << 22;
/** ...and at most this many times the most keys one segment brought (a sparse range is merged instead). */
const DENSE_FACTOR = 4;

/**
 * A run of counts as plain data: keys ascending and distinct (safe integers), a count each; or,
 * from a run that kept dense counts, those counts by `key - base` (0: no such key) with the most
 * keys one segment brought (`CountRun.takePartial`).
 */
export type CountRunPartial = { readonly keys: Float64Array; readonly counts: Float64Array } | { readonly base: number; readonly dense: Float64Array; readonly widest: number };

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
  /**
   * While dense: the smallest and largest key counted. The array may reach past them (room kept
   * to spare), and the width rule is about keys, not room.
   */
  private low = 0;
  private high = 0;
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
    // The first keys go dense at once when their own range is narrow enough (a dense partial is
    // shipped and added as it is: `takePartial`); else they are the run as they are, and the
    // second decide whether counts go dense from then on.
    if (fresh) {
      if (this.fitsDense(lo, hi)) {
        this.startDense(lo, hi);
        return true;
      }
      this.undecided = true;
    } else if (this.length > 0 && this.undecided) {
      this.undecided = false;
      const from = Math.min(this.keys[0]!, lo);
      const to = Math.max(this.keys[this.length - 1]!, hi);
      if (this.fitsDense(from, to)) this.runToDense(from, to);
    }
    if (this.dense === null) return false;
    const from = Math.min(this.low, lo);
    const to = Math.max(this.high, hi);
    if (this.fitsDense(from, to)) {
      this.widenDense(from, to);
      return true;
    }
    this.denseToRun();
    return false;
  }

  /**
   * Counts safe integers `values[0..m)`, repeats included, one row each, straight into the dense
   * counts when the run keeps them or is empty and the values' range (with the run's) is narrow;
   * their count, repeats included, stands for their number in the width rule, as in
   * `SortedRun.markAll`. False, with nothing done, otherwise (the caller sorts and counts them).
   * A consuming segment's raw keys need no sort then: 312,500 of the 10M bench's cost ~12 ms
   * sorted, listed and added (bench/notes.md, 2026-12-08).
   */
  countAll(values: Float64Array, m: number): boolean {
    if (m === 0) return true;
    if (this.dense === null && this.started) return false;
    const [lo, hi] = span(values, m);
    const from = this.dense === null ? lo : Math.min(this.low, lo);
    const to = this.dense === null ? hi : Math.max(this.high, hi);
    if (!this.fitsDense(from, to, Math.max(this.widest, m))) return false;
    this.admit(lo, hi, m);
    const dense = this.dense!;
    const base = this.base;
    for (let i = 0; i < m; i++) dense[values[i]! - base]!++;
    return true;
  }

  /** The dense counts (by `key - base`) after `admit` answered true. */
  get denseCounts(): { readonly counts: Float64Array; readonly base: number } {
    return { counts: this.dense!, base: this.base };
  }

  /** Whether keys `lo..hi` may be counted densely (see `dense`), given the most keys one segment brought. */
  private fitsDense(lo: number, hi: number, widest = this.widest): boolean {
    const span = hi - lo + 1;
    return span <= DENSE_MAX && span <= DENSE_FACTOR * widest;
  }

  /**
   * Widens the dense counts to cover `from..to` (keys stay at `key - base`), with an eighth of the
   * span to spare on each side that grew: segments of one table mostly hold keys of the same range,
   * each a little past the last's, and a copy per segment cost a fresh array and its page faults
   * each time (8 MiB, ~3 ms, for the 10M bench's million users).
   */
  private widenDense(from: number, to: number): void {
    const dense = this.dense!;
    const last = this.base + dense.length - 1;
    this.low = from;
    this.high = to;
    if (from >= this.base && to <= last) return;
    const spare = Math.floor((to - from + 1) / 8);
    const lo = from < this.base && Number.isSafeInteger(from - spare) ? from - spare : Math.min(from, this.base);
    const hi = to > last && Number.isSafeInteger(to + spare) ? to + spare : Math.max(to, last);
    const grown = denseArray(hi - lo + 1);
    grown.set(dense, this.base - lo);
    this.dense = grown;
    this.base = lo;
  }

  /**
   * Zeroed dense counts over keys `from..to` and a sixteenth of their span to spare on each side,
   * as the run's: the next segments' keys, a little past these, then fit without a wider copy.
   */
  private startDense(from: number, to: number): Float64Array {
    const spare = Math.floor((to - from + 1) / 16);
    const lo = Number.isSafeInteger(from - spare) ? from - spare : from;
    const hi = Number.isSafeInteger(to + spare) ? to + spare : to;
    this.base = lo;
    this.low = from;
    this.high = to;
    return (this.dense = denseArray(hi - lo + 1));
  }

  /** The run so far as dense counts over keys `from..to`. */
  private runToDense(from: number, to: number): void {
    const dense = this.startDense(from, to);
    const keys = this.keys;
    const counts = this.counts;
    for (let i = 0; i < this.length; i++) dense[keys[i]! - this.base] = counts[i]!;
    this.length = 0;
  }

  /** The dense counts as the run (keys with a count, ascending). */
  private denseToRun(): void {
    const { keys, counts } = listDense(this.base, this.dense!);
    this.dense = null;
    this.keys = keys;
    this.counts = counts;
    this.length = keys.length;
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

  /** Merges another run (`takePartial` of another thread's or server's `CountRun`). */
  addPartial(partial: CountRunPartial): void {
    if (!('dense' in partial)) {
      this.add(partial.keys, iota(partial.keys.length), partial.counts, partial.keys.length);
      return;
    }
    const { base, dense, widest } = partial;
    // Its keys: the counts between its first and last non-zero ones (the rest is room to spare).
    let first = 0;
    let last = dense.length - 1;
    while (first <= last && dense[first] === 0) first++;
    while (last >= first && dense[last] === 0) last--;
    if (first > last) return;
    if (!this.started) {
      // The first partial's dense counts are taken as they are (handed over by `takePartial`).
      this.started = true;
      this.dense = dense;
      this.base = base;
      this.low = base + first;
      this.high = base + last;
      this.widest = widest;
      return;
    }
    if (this.admit(base + first, base + last, widest)) {
      const mine = this.dense!;
      const at = base - this.base;
      for (let k = first; k <= last; k++) mine[at + k]! += dense[k]!;
      return;
    }
    const listed = listDense(base, dense);
    this.merge(listed.keys, iota(listed.keys.length), listed.counts, listed.keys.length);
  }

  /** Whether anything was added since the last `take`. */
  get active(): boolean {
    return this.started;
  }

  /**
   * The run, handed over (arrays of its own length, which the run lets go: a run is taken once, for
   * the result or a partial); empty after. Null when nothing was added.
   */
  take(): { readonly keys: Float64Array; readonly counts: Float64Array } | null {
    if (!this.started) return null;
    if (this.dense !== null) this.denseToRun();
    const n = this.length;
    const taken = { keys: this.keys.length === n ? this.keys : this.keys.slice(0, n), counts: this.counts.length === n ? this.counts : this.counts.slice(0, n) };
    this.reset();
    return taken;
  }

  /**
   * The run for a partial, handed over as `take` does: its dense counts as they are while it keeps
   * them (a worker's run of segments: no listing here and no merge step at the receiver, which
   * adds them up), else the run. Null when nothing was added.
   */
  takePartial(): CountRunPartial | null {
    if (this.dense === null) return this.take();
    const taken = { base: this.base, dense: this.dense, widest: this.widest };
    this.dense = null;
    this.reset();
    return taken;
  }

  private reset(): void {
    this.keys = this.counts = this.spareKeys = this.spareCounts = new Float64Array(0);
    this.length = 0;
    this.widest = 0;
    this.started = false;
    this.undecided = false;
  }
}

/** A taken run's keys and counts, listed (a dense one's keys with a count, ascending). */
export function listedRun(run: CountRunPartial): { readonly keys: Float64Array; readonly counts: Float64Array } {
  return 'dense' in run ? listDense(run.base, run.dense) : run;
}

/** The keys with a count in dense counts over `base..` and their counts, ascending. */
function listDense(base: number, dense: Float64Array): { keys: Float64Array<ArrayBuffer>; counts: Float64Array<ArrayBuffer> } {
  let m = 0;
  for (let k = 0; k < dense.length; k++) if (dense[k] !== 0) m++;
  const keys = new Float64Array(m);
  const counts = new Float64Array(m);
  let w = 0;
  for (let k = 0; k < dense.length; k++) {
    if (dense[k] === 0) continue;
    keys[w] = base + k;
    counts[w++] = dense[k]!;
  }
  return { keys, counts };
}

/**
 * Zeroed dense counts of `n` keys: in a worker thread on shared memory, so that the partial that
 * hands them to the main thread shares them instead of copying (`postReply` copies every other
 * buffer) and the main thread allocates nothing to receive them.
 */
function denseArray(n: number): Float64Array {
  return isMainThread ? new Float64Array(n) : new Float64Array(new SharedArrayBuffer(8 * n));
}
