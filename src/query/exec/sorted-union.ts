import { isMainThread } from 'node:worker_threads';

/**
 * The distinct union of two ascending runs (each without duplicates), one body per typed-array
 * type on purpose: `unionDocs` / `unionDocsInto` merge inverted-index doc lists (Uint32Array) for
 * IN, and `unionInto` the sorted integer runs of DISTINCTCOUNT (Float64Array). The loop reads an
 * element of each array per step; written once over `Uint32Array | Float64Array`, those loads
 * would see two element kinds and V8 would compile them as polymorphic loads with a map check
 * each, in place of the plain loads of a loop that sees one. Keep the two bodies in step.
 *
 * The step is written without branches (the side that advances is a 0 or 1 added to its index):
 * in a union of two interleaved runs the branch of an `if` is a coin toss the CPU mispredicts
 * half the time. Measured on a `/tmp` micro-benchmark of 900,000 and 700,000 random keys: 3.4
 * against 5.0 ns a key (bench/notes.md, 2026-12-07).
 */

/** The distinct union of the ascending doc lists `a` and `b`. */
export function unionDocs(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length + b.length);
  const n = unionDocsInto(a, b, out, 0);
  return n === out.length ? out : out.slice(0, n);
}

/** Writes the distinct union of the ascending doc lists `a` and `b` to `out` from `at` (room for both); returns its length. */
export function unionDocsInto(a: Uint32Array, b: Uint32Array, out: Uint32Array, at: number): number {
  let i = 0;
  let j = 0;
  let n = at;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    // Branch-free: which side advances is data, not a jump the CPU must guess.
    const takeA = +(x <= y);
    out[n++] = takeA === 1 ? x : y;
    i += takeA;
    j += +(y <= x);
  }
  while (i < a.length) out[n++] = a[i++]!;
  while (j < b.length) out[n++] = b[j++]!;
  return n - at;
}

/** Writes the distinct union of the ascending runs `a[0..an)` and `b[0..m)` to `out` (room for both); returns its length. */
export function unionInto(a: Float64Array, an: number, b: Float64Array, m: number, out: Float64Array): number {
  let i = 0;
  let j = 0;
  let w = 0;
  while (i < an && j < m) {
    const x = a[i]!;
    const y = b[j]!;
    // Branch-free: which side advances is data, not a jump the CPU must guess.
    const takeA = +(x <= y);
    out[w++] = takeA === 1 ? x : y;
    i += takeA;
    j += +(y <= x);
  }
  while (i < an) out[w++] = a[i++]!;
  while (j < m) out[w++] = b[j++]!;
  return w;
}

/** A run's marks as plain data (`SortedRun.takeMarks`): 1 at `value - base` for each of its `length` values. */
export interface RunMarks {
  readonly base: number;
  readonly marks: Uint8Array;
  readonly length: number;
}

/** Marks cover at most this many values (4 MiB)... */
const MARKS_MAX = 1 << 22;
/** ...and at most this many times the most values one union brought. */
const MARKS_FACTOR = 4;

/**
 * An ascending run of distinct integers that grows by unions, each written into a spare buffer
 * that then becomes the run: two buffers reused for every union, where a fresh array per union
 * (one per segment of DISTINCTCOUNT, each as large as the set) left the garbage collector
 * hundreds of megabytes to find at ten million values.
 *
 * Integers in a range not much wider than their number (the 10M bench's million users, ids) are
 * not merged at all once a union shows it (the first by its own values, else the second with the
 * run's): each is marked in a byte array indexed by
 * `value - base`, a write per value where a union steps through the whole run (the 10M bench's
 * 8 dictionaries of ~714,000 users: ~46 ms of merging, bench/notes.md); the run is read back out
 * of the marks when its values are asked for. The same rule as `CountRun`'s dense counts.
 */
export class SortedRun {
  length = 0;
  private buf: Float64Array = new Float64Array(0);
  private spare: Float64Array = new Float64Array(0);
  /** Once dense: 1 at `value - base` for each value held (then `buf` is stale). */
  private marks: Uint8Array | null = null;
  private base = 0;
  /** The most values one union brought, and how many unions there were. */
  private widest = 0;
  private unions = 0;

  /** Bytes of the run, its spare buffer and the marks. */
  byteSize(): number {
    return this.buf.byteLength + this.spare.byteLength + (this.marks?.byteLength ?? 0);
  }

  /** The run (a view: valid until the next union). */
  values(): Float64Array {
    if (this.marks !== null) this.marksToRun();
    return this.buf.subarray(0, this.length);
  }

  /** Adds the ascending distinct integers `b[0..m)`. */
  union(b: Float64Array, m: number): void {
    if (m === 0) return;
    this.widest = Math.max(this.widest, m);
    this.unions++;
    const lo = b[0]!;
    const hi = b[m - 1]!;
    // The first values go dense at once when their own range is narrow enough (the marks are then
    // a partial as they are: `takeMarks`); else they are the run as they are, and the second union
    // decides whether to go dense.
    if (this.marks === null && this.length === 0 && this.fitsMarks(lo, hi)) {
      this.widenMarks(lo, hi);
    } else if (this.marks === null && this.unions === 2 && this.length > 0) {
      const from = Math.min(this.buf[0]!, lo);
      const to = Math.max(this.buf[this.length - 1]!, hi);
      if (this.fitsMarks(from, to)) this.runToMarks(from, to);
    }
    if (this.marks !== null) {
      const from = Math.min(this.base, lo);
      const to = Math.max(this.base + this.marks.length - 1, hi);
      if (this.fitsMarks(from, to)) {
        this.mark(b, m, from, to);
        return;
      }
      this.marksToRun();
    }
    const need = this.length + m;
    if (this.spare.length < need) this.spare = new Float64Array(Math.max(need, Math.ceil(this.buf.length * 1.5)));
    const w = unionInto(this.buf, this.length, b, m, this.spare);
    const run = this.spare;
    this.spare = this.buf;
    this.buf = run;
    this.length = w;
  }

  /**
   * Marks the integers `b[0..m)`, in any order and repeats allowed, when the run keeps marks or is
   * empty and the range with theirs is narrow (`m` standing for their number: an upper bound);
   * false, with nothing done, otherwise (the caller sorts them for `union`). A consuming segment's
   * raw values need no sort then: 312,500 of the 10M bench's, ~9 ms of radix sort.
   */
  markAll(b: Float64Array, m: number): boolean {
    if (m === 0) return true;
    if (this.marks === null && this.length > 0) return false;
    const [lo, hi] = span(b, m);
    const from = this.marks === null ? lo : Math.min(this.base, lo);
    const to = this.marks === null ? hi : Math.max(this.base + this.marks.length - 1, hi);
    const widest = Math.max(this.widest, m);
    if (!this.fitsMarks(from, to, widest)) return false;
    this.widest = widest;
    this.unions++;
    this.mark(b, m, from, to);
    return true;
  }

  /**
   * The marks, handed over, while the run keeps them (the run is empty after); null when it does
   * not (`values` lists the run).
   */
  takeMarks(): RunMarks | null {
    const marks = this.marks;
    if (marks === null) return null;
    const taken = { base: this.base, marks, length: this.length };
    this.marks = null;
    this.length = this.widest = this.unions = 0;
    return taken;
  }

  /** Adds the values of another run's marks (`takeMarks`: the first are taken as they are). */
  addMarks(other: RunMarks): void {
    if (other.length === 0) return;
    const widest = Math.max(this.widest, other.length);
    if (this.marks === null && this.length === 0) {
      this.unions++;
      this.widest = widest;
      this.marks = other.marks;
      this.base = other.base;
      this.length = other.length;
      return;
    }
    // Into a listed run, or too wide for marks: merged by value (`union` counts it).
    const marks = this.marks;
    const from = marks === null ? 0 : Math.min(this.base, other.base);
    const to = marks === null ? 0 : Math.max(this.base + marks.length - 1, other.base + other.marks.length - 1);
    if (marks === null || !this.fitsMarks(from, to, widest)) {
      const listed = marksToValues(other);
      this.union(listed, listed.length);
      return;
    }
    this.unions++;
    this.widest = widest;
    this.widenMarks(from, to);
    const mine = this.marks!;
    const at = other.base - this.base;
    const theirs = other.marks;
    // Four marks a step where both arrays line up on words (as `widenMarks` allocates them).
    const lined = at % 4 === 0 && theirs.length % 4 === 0 && theirs.byteOffset % 4 === 0 && mine.byteOffset % 4 === 0;
    const words = lined ? theirs.length >> 2 : 0;
    const mine32 = new Uint32Array(mine.buffer, lined ? mine.byteOffset + at : 0, words);
    const theirs32 = new Uint32Array(theirs.buffer, lined ? theirs.byteOffset : 0, words);
    let added = 0;
    for (let k = 0; k < words; k++) {
      const v = theirs32[k]!;
      // Each byte 0 or 1: the bytes of theirs not held yet, summed into the top byte.
      added += Math.imul(v & ~mine32[k]!, 0x01010101) >>> 24;
      mine32[k] = mine32[k]! | v;
    }
    for (let k = 4 * words; k < theirs.length; k++) {
      // Branch-free: 1 for a value of theirs not held yet.
      const v = theirs[k]!;
      added += v & (1 - mine[at + k]!);
      mine[at + k] = mine[at + k]! | v;
    }
    this.length += added;
  }

  /** Whether values `from..to` may be marked, `widest` the most values one union brought. */
  private fitsMarks(from: number, to: number, widest = this.widest): boolean {
    const span = to - from + 1;
    return span <= MARKS_MAX && span <= MARKS_FACTOR * widest;
  }

  /**
   * Makes the marks cover `from..to` (values stay at `value - base`): a base and a length that are
   * multiples of 4, so that two runs' marks OR a word at a time (`addMarks`).
   */
  private widenMarks(from: number, to: number): void {
    const marks = this.marks;
    if (marks !== null && from >= this.base && to < this.base + marks.length) return;
    const start = 4 * Math.floor((marks === null ? from : Math.min(from, this.base)) / 4);
    const end = marks === null ? to : Math.max(to, this.base + marks.length - 1);
    const grown = newMarks(4 * Math.ceil((end - start + 1) / 4));
    if (marks !== null) grown.set(marks, this.base - start);
    this.marks = grown;
    this.base = start;
  }

  /** Marks `b[0..m)`, the marks first widened to cover `from..to`; counts the new ones. */
  private mark(b: Float64Array, m: number, from: number, to: number): void {
    this.widenMarks(from, to);
    const marks = this.marks!;
    const base = this.base;
    let added = 0;
    for (let j = 0; j < m; j++) {
      const x = b[j]! - base;
      // Branch-free: 1 for a value not held yet.
      added += 1 - marks[x]!;
      marks[x] = 1;
    }
    this.length += added;
  }

  /** The run so far as marks over `from..to`. */
  private runToMarks(from: number, to: number): void {
    this.widenMarks(from, to);
    const marks = this.marks!;
    const base = this.base;
    const buf = this.buf;
    for (let i = 0; i < this.length; i++) marks[buf[i]! - base] = 1;
    this.spare = new Float64Array(0);
  }

  /** The marks as the run (ascending), back to merging. */
  private marksToRun(): void {
    const marks = this.marks!;
    this.marks = null;
    if (this.buf.length < this.length) this.buf = new Float64Array(this.length);
    this.length = listMarks(this.base, marks, this.buf);
  }
}

/** The smallest and largest of `values[0..m)` (m > 0): the range raw integers are marked or counted over. */
export function span(values: Float64Array, m: number): [number, number] {
  let lo = values[0]!;
  let hi = lo;
  for (let i = 1; i < m; i++) {
    const x = values[i]!;
    lo = x < lo ? x : lo;
    hi = x > hi ? x : hi;
  }
  return [lo, hi];
}

/** The values of `run`'s marks, ascending. */
export function marksToValues(run: RunMarks): Float64Array {
  const out = new Float64Array(run.length);
  listMarks(run.base, run.marks, out);
  return out;
}

/** Writes the values marked in `marks` (over `base..`) to `out`, ascending; answers how many. */
function listMarks(base: number, marks: Uint8Array, out: Float64Array): number {
  let w = 0;
  for (let k = 0; k < marks.length; k++) if (marks[k] !== 0) out[w++] = base + k;
  return w;
}

/**
 * Zeroed marks of `n` values: in a worker thread on shared memory, so that the partial that hands
 * them to the main thread shares them instead of copying (as `CountRun`'s dense counts).
 */
function newMarks(n: number): Uint8Array {
  return isMainThread ? new Uint8Array(n) : new Uint8Array(new SharedArrayBuffer(n));
}
