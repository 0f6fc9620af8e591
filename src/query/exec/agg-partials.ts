import type { AggregationFunction, AggState } from '../functions/aggregation-functions.js';
import type { DistinctParts } from './distinct-values.js';
import { FastDistinctValues } from './distinct-values.js';

/**
 * One aggregation's states over a segment's groups, as a worker thread sends them to the main
 * thread (structured clone; the typed arrays' buffers are transferred):
 * - `numeric`: COUNT/SUM/MIN/MAX/AVG/MINMAXRANGE's `n`, `x`, `y` per group;
 * - `distinct`: each group's distinct values (numbers and safe-integer bigints as doubles);
 * - `objects`: each group's `AggState` (percentile buffers, MODE's counts, collections, …), its
 *   distinct set (if any) as values.
 */
export type StatesPartial =
  | { readonly kind: 'numeric'; readonly n: Float64Array; readonly x: Float64Array; readonly y: Float64Array }
  | { readonly kind: 'distinct'; readonly sets: (DistinctParts | null)[] }
  | { readonly kind: 'objects'; readonly states: (ExportedState | null)[] };

/** An `AggState` without its class-backed distinct set (cloning would drop its methods). */
export interface ExportedState {
  readonly n: number;
  readonly x: number;
  readonly y: number;
  readonly list: Float64Array | null;
  readonly set: unknown[] | null;
  readonly v?: unknown;
}

/** `state` as cloneable data: the used part of its value buffer, its set as an array. */
export function exportState(state: AggState): ExportedState {
  const out: ExportedState = {
    n: state.n,
    x: state.x,
    y: state.y,
    list: state.list === null ? null : state.list.slice(0, state.n),
    set: state.set === null ? null : [...state.set.values()],
  };
  return state.v === undefined ? out : { ...out, v: state.v };
}

/** An exported state as an `AggState` again (its buffers and values are taken, not copied). */
export function importState(from: ExportedState): AggState {
  let set: FastDistinctValues | null = null;
  if (from.set !== null) {
    set = new FastDistinctValues();
    for (const v of from.set) set.add(v);
  }
  const state: AggState = { n: from.n, x: from.x, y: from.y, list: from.list, set };
  if (from.v !== undefined) state.v = from.v;
  return state;
}

/** Merges an exported state into `into` with the function's own `merge`. */
export function mergeExportedState(fn: AggregationFunction, into: AggState, from: ExportedState): void {
  fn.merge(into, importState(from));
}

/** The buffers of a partial's typed arrays, to transfer rather than copy. */
export function partialBuffers(partial: StatesPartial, out: ArrayBuffer[]): void {
  const add = (a: Float64Array | null | undefined): void => {
    if (a && a.buffer instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && !out.includes(a.buffer)) out.push(a.buffer);
  };
  if (partial.kind === 'numeric') {
    add(partial.n);
    add(partial.x);
    add(partial.y);
  } else if (partial.kind === 'distinct') {
    for (const s of partial.sets) {
      if (s === null) continue;
      add(s.nums);
      add(s.longs);
    }
  } else {
    for (const s of partial.states) add(s?.list);
  }
}
