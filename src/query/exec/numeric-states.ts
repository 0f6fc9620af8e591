import type { ScalarValue } from '../../config/data-type.js';
import type { AggKind } from '../functions/aggregation-functions.js';
import type { AggregationSpec } from '../plan/binder.js';
import type { StatesPartial } from './agg-partials.js';
import { foldColumn, rawColumnValues } from './column-folds.js';
import type { FoldArray } from './column-folds.js';
import { avgByGroup, changeShare, countByGroup, maxByGroup, minByGroup, rangeByGroup, sumByGroup, sumRowsByGroupF64, sumRowsByGroupI32, sumRowsByGroupU16 } from './group-kernels.js';
import type { GroupedAggregation } from './grouped-aggregation.js';
import { LANE_MAX_GROUPS, LANE_MIN_CHANGE, countByLanes, sumRowsByLanesI32, sumRowsByLanesU16 } from './lane-kernels.js';
import { ensureFloat64, gatherNumbers } from './numeric-values.js';
import type { BlockColumns } from './numeric-values.js';

const INITIAL_X: Partial<Record<AggKind, number>> = { min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY, minmaxrange: Number.POSITIVE_INFINITY };

const NONE = new Float64Array(0);

/**
 * COUNT, SUM, MIN, MAX, AVG, MINMAXRANGE: the `n`, `x`, `y` of `AggState` as columns over groups,
 * only those the function reads (COUNT: `n`; SUM, MIN, MAX: `x`; AVG: `n`, `x`; MINMAXRANGE:
 * `x`, `y`; the others stay empty), grown by half again: 8 to 16 bytes per group.
 */
export class NumericStates implements GroupedAggregation {
  private n: Float64Array = NONE;
  private x: Float64Array = NONE;
  private y: Float64Array = NONE;
  private readonly useN: boolean;
  private readonly useX: boolean;
  private readonly useY: boolean;
  private capacity = 0;
  private values: Float64Array = new Float64Array(0);
  /** The one group's x and y while a raw column is folded into them. */
  private readonly first = { x: 0, y: 0 };
  private readonly x0: number;
  readonly sortNumber: (g: number) => number;

  constructor(
    private readonly spec: AggregationSpec,
    private readonly kind: AggKind,
  ) {
    this.x0 = INITIAL_X[kind] ?? 0;
    const counts = kind === 'count' || spec.arg === null;
    this.useN = counts || kind === 'avg';
    this.useX = !counts;
    this.useY = !counts && kind === 'minmaxrange';
    this.grow(1);
    this.sortNumber = kind === 'count' ? (g) => this.n[g]! : (g) => this.result(g) as number;
  }

  add(block: BlockColumns, rows: Int32Array, gids: Int32Array | null, n: number, numGroups: number): void {
    if (numGroups > this.capacity) this.grow(numGroups);
    const counts = this.n;
    const share = gids === null ? 0 : changeShare(gids, n);
    const runs = gids !== null && share <= 0.5;
    // Few groups changing often but not at every row: two lanes, exact for counts and integers.
    const lanes = gids !== null && share > LANE_MIN_CHANGE && numGroups <= LANE_MAX_GROUPS;
    if (this.kind === 'count' || this.spec.arg === null) {
      if (gids === null) counts[0] += n;
      else if (lanes) countByLanes(counts, gids, n, numGroups);
      else countByGroup(counts, gids, n, runs);
      return;
    }
    // A raw INT/DOUBLE column is read in place, without a gathered copy: every kind without
    // GROUP BY, SUM and AVG with it.
    const raw = gids === null || this.kind === 'sum' || this.kind === 'avg' ? rawColumnValues(this.spec.arg, block) : null;
    if (raw !== null) {
      const ns = this.kind === 'avg' ? counts : null;
      if (gids === null) this.foldFirst(raw, rows, n);
      else if (raw instanceof Float64Array) sumRowsByGroupF64(this.x, ns, raw, rows, gids, n, runs);
      else if (raw instanceof Int32Array) {
        if (lanes) sumRowsByLanesI32(this.x, ns, raw, rows, gids, n, numGroups);
        else sumRowsByGroupI32(this.x, ns, raw, rows, gids, n, runs);
      } else if (lanes) sumRowsByLanesU16(this.x, ns, raw, rows, gids, n, numGroups);
      else sumRowsByGroupU16(this.x, ns, raw, rows, gids, n, runs);
      return;
    }
    const values = (this.values = ensureFloat64(this.values, n));
    gatherNumbers(this.spec.arg, block, rows, n, values);
    const xs = this.x;
    if (gids === null) {
      this.addToFirst(values, n);
      return;
    }
    switch (this.kind) {
      case 'sum':
        return sumByGroup(xs, values, gids, n, runs);
      case 'avg':
        return avgByGroup(xs, counts, values, gids, n, runs);
      case 'min':
        return minByGroup(xs, values, gids, n, runs);
      case 'max':
        return maxByGroup(xs, values, gids, n, runs);
      default:
        return rangeByGroup(xs, this.y, values, gids, n, runs);
    }
  }

  /** A raw column's values into the query's one group (no GROUP BY). */
  private foldFirst(raw: FoldArray, rows: Int32Array, n: number): void {
    const state = this.first;
    state.x = this.x[0]!;
    state.y = this.useY ? this.y[0]! : 0;
    foldColumn(this.kind, raw, rows, n, state);
    this.x[0] = state.x;
    if (this.useY) this.y[0] = state.y;
    if (this.kind === 'avg') this.n[0] += n;
  }

  /** Values of the query's one group (no GROUP BY), in a register. */
  private addToFirst(values: Float64Array, n: number): void {
    const kind = this.kind;
    let x = this.x[0]!;
    if (kind === 'sum' || kind === 'avg') {
      for (let i = 0; i < n; i++) x += values[i]!;
      if (kind === 'avg') this.n[0] += n;
    } else if (kind === 'min') {
      for (let i = 0; i < n; i++) if (values[i]! < x) x = values[i]!;
    } else if (kind === 'max') {
      for (let i = 0; i < n; i++) if (values[i]! > x) x = values[i]!;
    } else {
      let y = this.y[0]!;
      for (let i = 0; i < n; i++) {
        const v = values[i]!;
        if (v < x) x = v;
        if (v > y) y = v;
      }
      this.y[0] = y;
    }
    this.x[0] = x;
  }

  addPreAggregated(counts: Float64Array, values: Float64Array | null, rows: Int32Array, gids: Int32Array | null, n: number, numGroups: number): void {
    if (numGroups > this.capacity) this.grow(numGroups);
    const ns = this.n;
    const xs = this.x;
    for (let i = 0; i < n; i++) {
      const g = gids === null ? 0 : gids[i]!;
      const r = rows[i]!;
      if (this.kind === 'count') ns[g] += counts[r]!;
      else if (this.kind === 'sum') xs[g] += values![r]!;
      else if (this.kind === 'avg') {
        xs[g] += values![r]!;
        ns[g] += counts[r]!;
      } else if (this.kind === 'min') {
        if (values![r]! < xs[g]!) xs[g] = values![r]!;
      } else if (this.kind === 'max') {
        if (values![r]! > xs[g]!) xs[g] = values![r]!;
      }
      else throw new Error(`${this.spec.name} cannot be answered from a star-tree`);
    }
  }

  finish(): void {}

  result(g: number): ScalarValue {
    const state = { n: this.useN ? this.n[g]! : 0, x: this.useX ? this.x[g]! : this.x0, y: this.useY ? this.y[g]! : Number.NEGATIVE_INFINITY, set: null, list: null };
    return this.spec.fn.result(state, this.spec.param);
  }

  /** Byte footprint of the state columns (for tests of the per-group cost). */
  byteSize(): number {
    return this.n.byteLength + this.x.byteLength + this.y.byteLength;
  }

  exportPartial(numGroups: number): StatesPartial {
    if (numGroups > this.capacity) this.grow(numGroups);
    return { kind: 'numeric', n: this.n.slice(0, this.useN ? numGroups : 0), x: this.x.slice(0, this.useX ? numGroups : 0), y: this.y.slice(0, this.useY ? numGroups : 0) };
  }

  /** Counts and sums add up; MIN/MAX keep the extreme (NaN never replaces, as in `add`). */
  mergePartial(partial: StatesPartial, gids: Int32Array, numGroups: number): void {
    if (partial.kind !== 'numeric') throw new Error(`internal: ${partial.kind} states merged into numeric states`);
    if (numGroups > this.capacity) this.grow(numGroups);
    const { n, x, y } = partial;
    const ns = this.n;
    const xs = this.x;
    const ys = this.y;
    const kind = this.kind;
    const useN = this.useN;
    for (let i = 0; i < gids.length; i++) {
      const g = gids[i]!;
      if (g < 0) continue;
      if (useN) ns[g] += n[i]!;
      if (!this.useX) continue;
      const v = x[i]!;
      if (kind === 'sum' || kind === 'avg') xs[g] += v;
      else if (kind === 'min' || kind === 'minmaxrange') {
        if (v < xs[g]!) xs[g] = v;
        if (kind === 'minmaxrange' && y[i]! > ys[g]!) ys[g] = y[i]!;
      } else if (kind === 'max' && v > xs[g]!) xs[g] = v;
    }
  }

  private grow(numGroups: number): void {
    const capacity = Math.max(numGroups, Math.ceil(this.capacity * 1.5), 16);
    const grown = (a: Float64Array, fill: number): Float64Array => {
      const b = new Float64Array(capacity);
      b.set(a.subarray(0, this.capacity));
      if (fill !== 0) b.fill(fill, this.capacity);
      return b;
    };
    if (this.useN) this.n = grown(this.n, 0);
    if (this.useX) this.x = grown(this.x, this.x0);
    if (this.useY) this.y = grown(this.y, Number.NEGATIVE_INFINITY);
    this.capacity = capacity;
  }
}
