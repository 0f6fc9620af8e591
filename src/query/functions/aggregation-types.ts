import type { DataType, ScalarValue } from '../../config/data-type.js';
import type { ExprType } from './function-types.js';

/**
 * What an aggregation computes, for executors that specialise the common ones (typed per-group
 * arrays for the numeric kinds, dictionary-id marks for `distinct`, typed buffers for
 * `percentile`); `result` stays the single definition of each final value.
 */
export type AggKind = 'count' | 'sum' | 'min' | 'max' | 'avg' | 'minmaxrange' | 'distinct' | 'percentile' | 'generic';

/**
 * One aggregation function (Pinot's `AggregationFunction`): a per-group state that values are
 * added to, states merge across segments, and a final result of Pinot's result type.
 * `mv` functions (`summv`, …) receive each value of a multi-value cell separately.
 */
export interface AggregationFunction {
  /** Canonical name as Pinot prints it (`sum`, `distinctcounthll`, `percentileest`). */
  readonly name: string;
  readonly kind: AggKind;
  readonly mv: boolean;
  /** false for `count(*)`. */
  readonly needsArgument: boolean;
  /** Literal parameters after the argument, e.g. the percentile. */
  readonly params: 'none' | 'percentile' | 'optional' | 'mode' | 'withTime' | 'literals';
  /** True when the result is an array (`ARRAY_AGG`, `HISTOGRAM`): the column type is `<type>_ARRAY`. */
  readonly resultMv?: boolean;
  resultType(arg: ExprType | null): DataType;
  init(): AggState;
  add(state: AggState, value: unknown): void;
  merge(into: AggState, from: AggState): void;
  result(state: AggState, param: number): ScalarValue;
}

/**
 * A mutable per-group accumulator. `list` holds a percentile's values in `list[0..n)` (a buffer
 * that doubles as it fills); a percentile's values counted per distinct value (`ValueCounts`,
 * `value-counts.ts`) are in `v`, and the state's values are both together.
 */
export interface AggState {
  n: number;
  x: number;
  y: number;
  set: DistinctValues | null;
  list: Float64Array | null;
  /** The state of the `generic` functions (MODE's counts, a kept value and its time, …). */
  v?: unknown;
}


/**
 * The distinct values of a DISTINCTCOUNT state. Values are equal when their `distinctKey` is:
 * numbers by SameValueZero (-0 = 0, NaN = NaN), bigints and strings by value (the number 1 and
 * the bigint 1 differ), anything else by its `valueKey` text. Executors may bring a faster
 * implementation of the same equality.
 */
export interface DistinctValues {
  readonly size: number;
  add(v: unknown): void;
  /** Every value, in a form that `add` files under the same key. */
  values(): Iterable<unknown>;
}

/**
 * A literal parameter of an aggregation after its first argument, as the binder hands it over:
 * `'STRING'`, `true`, `10`, `ARRAY[0, 10, 100]`.
 */
export type LiteralParam =
  | { readonly kind: 'string'; readonly text: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'array'; readonly values: readonly number[] };

/**
 * An aggregation whose behaviour and result type depend on literal parameters (ARRAY_AGG's
 * element type, LISTAGG's separator, HISTOGRAM's bins). `specialise` checks them and returns the
 * function to run; it throws `Error` with a message naming the bad parameter.
 */
export interface CollectionAggregation {
  /** Row expressions before the literal parameters: 1 (default), or 2 (COVAR_POP's pair, handed over as `[x, y]`). */
  readonly rowArgs?: 1 | 2;
  readonly minParams: number;
  readonly maxParams: number;
  /** `distinct` is `f(DISTINCT x, …)`. */
  specialise(params: readonly LiteralParam[], arg: ExprType, distinct: boolean): { fn: Omit<AggregationFunction, 'name' | 'mv'>; type: ExprType };
}

