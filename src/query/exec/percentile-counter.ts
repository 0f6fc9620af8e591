import type { Dictionary } from '../../segment/segment-view.js';
import { appendTarget, pushValue } from '../functions/aggregation-functions.js';
import type { AggState } from '../functions/aggregation-functions.js';
import { countsOf, mergeCounts } from '../functions/value-counts.js';
import type { ValueCounts } from '../functions/value-counts.js';
import type { BoundExpr } from '../plan/bound-expr.js';
import { dictionaryNumbers, gatherNumbers } from './numeric-values.js';
import type { BlockColumns } from './numeric-values.js';

/** Widest range of an integer column counted in one histogram (a Float64Array of this many counts: 2 MiB). */
const MAX_SPAN = 1 << 18;

/**
 * Feeds one percentile state (no GROUP BY) without a double per row where the values allow:
 * a dictionary column counts its ids (one array increment per row; the counts become
 * `ValueCounts` when the dictionary changes, i.e. per segment, and at `flush`), and a raw INT
 * column whose values span at most `MAX_SPAN` counts them in a histogram over that range.
 * Anything else is gathered into the state's value buffer as before. The state's values are the
 * same either way (`value-counts.ts` selects the same element a sort of all of them would), and
 * its partial is a few thousand counts instead of every row's value.
 */
export class PercentileCounter {
  private dict: Dictionary | null = null;
  private idCounts = new Float64Array(0);
  /** The histogram counts the integers `[base, base + hist.length)`; empty when unused. */
  private base = 0;
  private hist = new Float64Array(0);

  constructor(private readonly arg: BoundExpr) {}

  /** Bytes of the id counts and the histogram. */
  byteSize(): number {
    return this.idCounts.byteLength + this.hist.byteLength;
  }

  /** Adds rows `rows[0..n)` of a block to `state`. */
  add(state: AggState, block: BlockColumns, rows: Int32Array, n: number): void {
    const e = this.arg;
    if (e.kind === 'column') {
      const b = block(e.column.name);
      if (b.offsets === null) {
        if (b.dictIds !== null && b.dictionary !== null) {
          this.countIds(state, b.dictionary, b.dictIds, rows, n);
          return;
        }
        const v = b.values;
        if ((v instanceof Int32Array || v instanceof Uint16Array) && this.countInts(v, rows, n)) return;
      }
    }
    gatherNumbers(e, block, rows, n, appendTarget(state, n));
    state.n += n;
  }

  /** Moves every count into `state` (before its result is read or exported). */
  flush(state: AggState): void {
    this.flushIds(state);
    const hist = this.hist;
    if (hist.length === 0) return;
    let m = 0;
    for (let i = 0; i < hist.length; i++) if (hist[i]! > 0) m++;
    const values = new Float64Array(m);
    const counts = new Float64Array(m);
    m = 0;
    for (let i = 0; i < hist.length; i++) {
      if (hist[i]! === 0) continue;
      values[m] = this.base + i;
      counts[m++] = hist[i]!;
    }
    this.hist = new Float64Array(0);
    if (m > 0) state.v = mergeCounts(state.v as ValueCounts | undefined, { values, counts });
  }

  private countIds(state: AggState, dict: Dictionary, ids: Uint8Array | Uint16Array | Int32Array, rows: Int32Array, n: number): void {
    if (dict !== this.dict) {
      this.flushIds(state);
      this.dict = dict;
    }
    if (this.idCounts.length < dict.size) {
      const grown = new Float64Array(Math.max(dict.size, 16));
      grown.set(this.idCounts);
      this.idCounts = grown;
    }
    const counts = this.idCounts;
    for (let i = 0; i < n; i++) counts[ids[rows[i]!]!]++;
  }

  /**
   * The counted ids of the current dictionary into `state`: as `ValueCounts`, except NaN and -0
   * (which a sort orders apart from `<`) and, when most values occur about once (counts would
   * take more room than the values), everything: those go to the value buffer.
   */
  private flushIds(state: AggState): void {
    const dict = this.dict;
    if (dict === null) return;
    this.dict = null;
    const counts = this.idCounts;
    const nums = dictionaryNumbers(dict);
    const size = Math.min(dict.size, counts.length);
    let m = 0;
    let total = 0;
    for (let id = 0; id < size; id++) {
      if (counts[id]! === 0) continue;
      m++;
      total += counts[id]!;
    }
    const plain = m * 4 > total;
    const values = new Float64Array(plain ? 0 : m);
    const weights = new Float64Array(plain ? 0 : m);
    m = 0;
    for (let id = 0; id < size; id++) {
      const c = counts[id]!;
      if (c === 0) continue;
      counts[id] = 0;
      const v = nums[id]!;
      if (plain || v !== v || (v === 0 && 1 / v < 0)) {
        for (let k = 0; k < c; k++) pushValue(state, v);
        continue;
      }
      values[m] = v;
      weights[m++] = c;
    }
    if (m > 0) state.v = mergeCounts(state.v as ValueCounts | undefined, countsOf(values, weights, m));
  }

  /** Counts `values[rows[0..n)]` in the histogram, widening it; false (nothing counted) when the range would pass `MAX_SPAN`. */
  private countInts(values: Int32Array | Uint16Array, rows: Int32Array, n: number): boolean {
    if (n === 0) return true;
    let lo = values[rows[0]!]!;
    let hi = lo;
    for (let i = 1; i < n; i++) {
      const v = values[rows[i]!]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const used = this.hist.length > 0;
    const from = used ? Math.min(lo, this.base) : lo;
    const to = used ? Math.max(hi, this.base + this.hist.length - 1) : hi;
    if (to - from + 1 > MAX_SPAN) return false;
    if (!used || from < this.base || to >= this.base + this.hist.length) {
      // Room for the new range, with slack on the side it grew, so a drifting range is copied rarely.
      const width = Math.min(MAX_SPAN, Math.max(to - from + 1, 2 * this.hist.length, 1024));
      const newBase = used && from < this.base ? to - width + 1 : from;
      const grown = new Float64Array(width);
      if (used) grown.set(this.hist, this.base - newBase);
      this.hist = grown;
      this.base = newBase;
    }
    const hist = this.hist;
    const base = this.base;
    for (let i = 0; i < n; i++) hist[values[rows[i]!]! - base]++;
    return true;
  }
}
