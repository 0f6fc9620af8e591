import type { AggKind } from '../functions/aggregation-functions.js';
import type { BoundExpr } from '../plan/bound-expr.js';
import type { BlockColumns } from './numeric-values.js';

/**
 * SUM, AVG, MIN, MAX and MINMAXRANGE of a plain raw numeric column without GROUP BY, read from
 * the block's typed array through the selected rows, with no gathered copy of the values (a
 * broad filter then costs one pass over its rows for the filter and one for each aggregation).
 * Values are taken in row order into a register, as the gathered loop adds them, so sums are the
 * same doubles. One function per array type and operation, so each load site sees one element
 * kind (see "Per-type kernels" in docs/decisions.md).
 */

/** The raw array of `arg` in this block when it is a single-value column stored as Float64Array or Int32Array; else null. */
export function rawColumnValues(arg: BoundExpr, block: BlockColumns): Float64Array | Int32Array | null {
  if (arg.kind !== 'column' || !arg.type.sv) return null;
  const b = block(arg.column.name);
  if (b.offsets !== null || b.dictIds !== null) return null;
  return b.values instanceof Float64Array || b.values instanceof Int32Array ? b.values : null;
}

/**
 * Folds `v[rows[i]]`, `i < n`, into `state` (`state[0]` = x, `state[1]` = y, as `AggState`
 * keeps them: the sum, or the minimum, and MINMAXRANGE's maximum). The count of AVG is the
 * caller's (it is `n`).
 */
export function foldColumn(kind: AggKind, v: Float64Array | Int32Array, rows: Int32Array, n: number, state: { x: number; y: number }): void {
  const f64 = v instanceof Float64Array;
  switch (kind) {
    case 'sum':
    case 'avg':
      state.x = f64 ? sumF64(v, rows, n, state.x) : sumI32(v as Int32Array, rows, n, state.x);
      return;
    case 'min':
      state.x = f64 ? minF64(v, rows, n, state.x) : minI32(v as Int32Array, rows, n, state.x);
      return;
    case 'max':
      state.x = f64 ? maxF64(v, rows, n, state.x) : maxI32(v as Int32Array, rows, n, state.x);
      return;
    default:
      state.x = f64 ? minF64(v, rows, n, state.x) : minI32(v as Int32Array, rows, n, state.x);
      state.y = f64 ? maxF64(v, rows, n, state.y) : maxI32(v as Int32Array, rows, n, state.y);
  }
}

function sumF64(v: Float64Array, rows: Int32Array, n: number, x: number): number {
  for (let i = 0; i < n; i++) x += v[rows[i]!]!;
  return x;
}

function sumI32(v: Int32Array, rows: Int32Array, n: number, x: number): number {
  for (let i = 0; i < n; i++) x += v[rows[i]!]!;
  return x;
}

function minF64(v: Float64Array, rows: Int32Array, n: number, x: number): number {
  for (let i = 0; i < n; i++) {
    const y = v[rows[i]!]!;
    if (y < x) x = y;
  }
  return x;
}

function minI32(v: Int32Array, rows: Int32Array, n: number, x: number): number {
  for (let i = 0; i < n; i++) {
    const y = v[rows[i]!]!;
    if (y < x) x = y;
  }
  return x;
}

function maxF64(v: Float64Array, rows: Int32Array, n: number, x: number): number {
  for (let i = 0; i < n; i++) {
    const y = v[rows[i]!]!;
    if (y > x) x = y;
  }
  return x;
}

function maxI32(v: Int32Array, rows: Int32Array, n: number, x: number): number {
  for (let i = 0; i < n; i++) {
    const y = v[rows[i]!]!;
    if (y > x) x = y;
  }
  return x;
}
