import type { ScalarValue } from '../../config/data-type.js';
import { pushValue } from '../functions/aggregation-functions.js';
import type { AggKind, AggState } from '../functions/aggregation-functions.js';
import type { AggregationSpec } from '../plan/binder.js';
import type { BoundExpr } from '../plan/bound-expr.js';
import { columnReader, compileRowExpr, truthy } from './compile-expr.js';
import { DistinctStates } from './distinct-states.js';
import type { StatesPartial } from './agg-partials.js';
import { exportState, importState, mergeExportedState } from './agg-partials.js';
import type { GroupedAggregation } from './grouped-aggregation.js';
import { ensureFloat64, ensureInt32, gatherNumbers } from './numeric-values.js';
import { PercentileCounter } from './percentile-counter.js';
import type { BlockColumns } from './numeric-values.js';

/**
 * The states for `spec`: typed per-group arrays for COUNT/SUM/MIN/MAX/AVG/MINMAXRANGE, sets fed
 * once per dictionary id for DISTINCTCOUNT, typed value buffers for PERCENTILE, and per-group
 * `AggState` objects fed one value at a time for everything else (multi-value functions).
 */
export function groupedAggregation(spec: AggregationSpec): GroupedAggregation {
  if (spec.filter !== null) return new FilteredStates(spec.filter, groupedAggregation({ ...spec, filter: null }));
  if (!spec.fn.mv && spec.fn.kind !== 'generic') {
    switch (spec.fn.kind) {
      case 'distinct':
        return new DistinctStates(spec);
      case 'percentile':
        return new PercentileStates(spec);
      default:
        return new NumericStates(spec, spec.fn.kind);
    }
  }
  return new GenericStates(spec);
}

const INITIAL_X: Partial<Record<AggKind, number>> = { min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY, minmaxrange: Number.POSITIVE_INFINITY };

/** Estimated bytes of one per-group state object (`AggState`: five fields) and its array slot. */
const OBJECT_STATE_BYTES = 64;
const NONE = new Float64Array(0);

/**
 * COUNT, SUM, MIN, MAX, AVG, MINMAXRANGE: the `n`, `x`, `y` of `AggState` as columns over groups,
 * only those the function reads (COUNT: `n`; SUM, MIN, MAX: `x`; AVG: `n`, `x`; MINMAXRANGE:
 * `x`, `y`; the others stay empty), grown by half again: 8 to 16 bytes per group.
 */
class NumericStates implements GroupedAggregation {
  private n: Float64Array = NONE;
  private x: Float64Array = NONE;
  private y: Float64Array = NONE;
  private readonly useN: boolean;
  private readonly useX: boolean;
  private readonly useY: boolean;
  private capacity = 0;
  private values: Float64Array = new Float64Array(0);
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
    if (this.kind === 'count' || this.spec.arg === null) {
      if (gids === null) counts[0] += n;
      else for (let i = 0; i < n; i++) counts[gids[i]!]++;
      return;
    }
    const values = (this.values = ensureFloat64(this.values, n));
    gatherNumbers(this.spec.arg, block, rows, n, values);
    const xs = this.x;
    switch (this.kind) {
      case 'sum':
        if (gids === null) {
          let s = xs[0]!;
          for (let i = 0; i < n; i++) s += values[i]!;
          xs[0] = s;
        } else for (let i = 0; i < n; i++) xs[gids[i]!] += values[i]!;
        return;
      case 'avg':
        if (gids === null) {
          let s = xs[0]!;
          for (let i = 0; i < n; i++) s += values[i]!;
          xs[0] = s;
          counts[0] += n;
        } else {
          for (let i = 0; i < n; i++) {
            const g = gids[i]!;
            xs[g] += values[i]!;
            counts[g]++;
          }
        }
        return;
      case 'min':
        for (let i = 0; i < n; i++) {
          const g = gids === null ? 0 : gids[i]!;
          const v = values[i]!;
          if (v < xs[g]!) xs[g] = v;
        }
        return;
      case 'max':
        for (let i = 0; i < n; i++) {
          const g = gids === null ? 0 : gids[i]!;
          const v = values[i]!;
          if (v > xs[g]!) xs[g] = v;
        }
        return;
      default: {
        const ys = this.y;
        for (let i = 0; i < n; i++) {
          const g = gids === null ? 0 : gids[i]!;
          const v = values[i]!;
          if (v < xs[g]!) xs[g] = v;
          if (v > ys[g]!) ys[g] = v;
        }
      }
    }
  }

  /** `add` by runs of one group: each run's count, sum or extremes kept in a local, starting from (and so in the order of) the group's state. */
  addRuns(block: BlockColumns, rows: Int32Array, starts: Int32Array, runGids: Int32Array, numRuns: number, numGroups: number): void {
    if (numGroups > this.capacity) this.grow(numGroups);
    const counts = this.n;
    const kind = this.kind;
    if (kind === 'count' || this.spec.arg === null) {
      for (let j = 0; j < numRuns; j++) counts[runGids[j]!] += starts[j + 1]! - starts[j]!;
      return;
    }
    const n = starts[numRuns]!;
    const values = (this.values = ensureFloat64(this.values, n));
    gatherNumbers(this.spec.arg, block, rows, n, values);
    const xs = this.x;
    const ys = this.y;
    for (let j = 0; j < numRuns; j++) {
      const g = runGids[j]!;
      const end = starts[j + 1]!;
      let x = xs[g]!;
      if (kind === 'sum' || kind === 'avg') {
        for (let i = starts[j]!; i < end; i++) x += values[i]!;
        if (kind === 'avg') counts[g] += end - starts[j]!;
      } else if (kind === 'min') {
        for (let i = starts[j]!; i < end; i++) if (values[i]! < x) x = values[i]!;
      } else if (kind === 'max') {
        for (let i = starts[j]!; i < end; i++) if (values[i]! > x) x = values[i]!;
      } else {
        let y = ys[g]!;
        for (let i = starts[j]!; i < end; i++) {
          const v = values[i]!;
          if (v < x) x = v;
          if (v > y) y = v;
        }
        ys[g] = y;
      }
      xs[g] = x;
    }
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

  /** Byte footprint of the state columns (the query's memory reservation; tests of the per-group cost). */
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

/** Per-group `AggState` objects, created on a group's first row. */
abstract class ObjectStates implements GroupedAggregation {
  protected readonly states: (AggState | undefined)[] = [];
  readonly sortNumber: ((g: number) => number) | null = null;

  constructor(protected readonly spec: AggregationSpec) {}

  abstract add(block: BlockColumns, rows: Int32Array, gids: Int32Array | null, n: number, numGroups: number): void;

  finish(): void {}

  /** An estimate: a state per group (a group is made by a row, which makes its state; a set or list inside is not seen). */
  byteSize(): number {
    return OBJECT_STATE_BYTES * this.states.length;
  }

  result(g: number): ScalarValue {
    return this.spec.fn.result(this.states[g] ?? this.spec.fn.init(), this.spec.param);
  }

  exportPartial(numGroups: number): StatesPartial {
    this.finish();
    const states = new Array<ReturnType<typeof exportState> | null>(numGroups);
    for (let g = 0; g < numGroups; g++) {
      const s = this.states[g];
      states[g] = s === undefined ? null : exportState(s);
    }
    return { kind: 'objects', states };
  }

  /**
   * Each group's state merges with the function's own `merge` (Pinot's merge across segments);
   * a group without a state yet takes the exported one as it is (merging into a fresh state
   * gives the same, and the partial is used once: a percentile's buffer is not copied).
   */
  mergePartial(partial: StatesPartial, gids: Int32Array): void {
    if (partial.kind !== 'objects') throw new Error(`internal: ${partial.kind} states merged into per-group states`);
    for (let i = 0; i < gids.length; i++) {
      const from = partial.states[i];
      const g = gids[i]!;
      if (from === null || from === undefined || g < 0) continue;
      if (this.states[g] === undefined) this.states[g] = importState(from);
      else mergeExportedState(this.spec.fn, this.states[g]!, from);
    }
  }

  protected state(g: number): AggState {
    let s = this.states[g];
    if (s === undefined) {
      s = this.spec.fn.init();
      this.states[g] = s;
    }
    return s;
  }
}

/** Anything not specialised: one `fn.add` per value, as Pinot's generic group-by does. */
class GenericStates extends ObjectStates {
  add(block: BlockColumns, rows: Int32Array, gids: Int32Array | null, n: number): void {
    const { fn, arg } = this.spec;
    const read = arg === null ? null : arg.kind === 'column' ? columnReader(block(arg.column.name)) : compileRowExpr(arg, block);
    for (let i = 0; i < n; i++) {
      const state = this.state(gids === null ? 0 : gids[i]!);
      const v = read === null ? undefined : read(rows[i]!);
      if (fn.mv) for (const x of v as unknown[]) fn.add(state, x);
      else fn.add(state, v);
    }
  }
}

/**
 * PERCENTILE*: values gathered as doubles into each group's growing buffer; without GROUP BY,
 * counted per dictionary id or per integer where the column allows (`percentile-counter.ts`).
 */
class PercentileStates extends ObjectStates {
  private values: Float64Array = new Float64Array(0);
  private counter: PercentileCounter | null = null;
  /** Values pushed into the groups' buffers (which grow by doubling: about 1.5 x 8 bytes a value). */
  private pushed = 0;

  override byteSize(): number {
    const whole = this.states[0]?.list?.byteLength ?? 0;
    return super.byteSize() + this.values.byteLength + (this.counter?.byteSize() ?? 0) + (this.states.length <= 1 ? whole : 12 * this.pushed);
  }

  add(block: BlockColumns, rows: Int32Array, gids: Int32Array | null, n: number): void {
    if (gids === null) {
      (this.counter ??= new PercentileCounter(this.spec.arg!)).add(this.state(0), block, rows, n);
      return;
    }
    const values = (this.values = ensureFloat64(this.values, n));
    gatherNumbers(this.spec.arg!, block, rows, n, values);
    for (let i = 0; i < n; i++) pushValue(this.state(gids[i]!), values[i]!);
    this.pushed += n;
  }

  override finish(): void {
    if (this.counter !== null) this.counter.flush(this.state(0));
  }
}

/**
 * An aggregation with `FILTER (WHERE …)`: each block's rows are narrowed to those the filter
 * accepts (evaluated row by row), then handed to the aggregation's own states.
 */
class FilteredStates implements GroupedAggregation {
  private rows: Int32Array = new Int32Array(0);
  private gids: Int32Array = new Int32Array(0);

  constructor(
    private readonly filter: BoundExpr,
    private readonly inner: GroupedAggregation,
  ) {}

  get sortNumber(): ((g: number) => number) | null {
    return this.inner.sortNumber;
  }

  byteSize(): number {
    return this.rows.byteLength + this.gids.byteLength + (this.inner.byteSize?.() ?? 0);
  }

  add(block: BlockColumns, rows: Int32Array, gids: Int32Array | null, n: number, numGroups: number): void {
    const test = compileRowExpr(this.filter, block);
    const keptRows = (this.rows = ensureInt32(this.rows, n));
    const keptGids = gids === null ? null : (this.gids = ensureInt32(this.gids, n));
    let m = 0;
    for (let i = 0; i < n; i++) {
      if (!truthy(test(rows[i]!))) continue;
      keptRows[m] = rows[i]!;
      if (keptGids !== null) keptGids[m] = gids![i]!;
      m++;
    }
    // Every group still exists (its state answers the empty result), so `numGroups` is kept.
    this.inner.add(block, keptRows, keptGids, m, numGroups);
  }

  finish(): void {
    this.inner.finish();
  }

  exportPartial(numGroups: number): StatesPartial {
    return this.inner.exportPartial(numGroups);
  }

  mergePartial(partial: StatesPartial, gids: Int32Array, numGroups: number): void {
    this.inner.mergePartial(partial, gids, numGroups);
  }

  result(g: number): ScalarValue {
    return this.inner.result(g);
  }
}
