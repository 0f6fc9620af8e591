import type { ScalarValue } from '../../config/data-type.js';
import { pushValue } from '../functions/aggregation-functions.js';
import type { AggState } from '../functions/aggregation-functions.js';
import type { AggregationSpec } from '../plan/binder.js';
import type { BoundExpr } from '../plan/bound-expr.js';
import { columnReader, compileRowExpr, truthy } from './compile-expr.js';
import { DistinctStates } from './distinct-states.js';
import type { StatesPartial } from './agg-partials.js';
import { exportState, importState, mergeExportedState } from './agg-partials.js';
import type { GroupedAggregation } from './grouped-aggregation.js';
import { ensureFloat64, ensureInt32, gatherNumbers } from './numeric-values.js';
import { NumericStates } from './numeric-states.js';
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

/** Estimated bytes of one per-group state object (`AggState`: five fields) and its array slot. */
const OBJECT_STATE_BYTES = 64;

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
