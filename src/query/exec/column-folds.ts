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

/** Raw arrays a fold reads in place: DOUBLE, INT, and INT narrowed to 16 bits (`narrowInts`). */
export type FoldArray = Float64Array | Int32Array | Uint16Array;

/** The raw array of `arg` in this block when it is a single-value column stored as a {@link FoldArray}; else null. */
export function rawColumnValues(arg: BoundExpr, block: BlockColumns): FoldArray | null {
  if (arg.kind !== 'column' || !arg.type.sv) return null;
  const b = block(arg.column.name);
  if (b.offsets !== null || b.dictIds !== null) return null;
  const v = b.values;
  return v instanceof Float64Array || v instanceof Int32Array || v instanceof Uint16Array ? v : null;
}

/**
 * Folds `v[rows[i]]`, `i < n`, into `state` (`state[0]` = x, `state[1]` = y, as `AggState`
 * keeps them: the sum, or the minimum, and MINMAXRANGE's maximum). The count of AVG is the
 * caller's (it is `n`).
 */
export function foldColumn(kind: AggKind, v: FoldArray, rows: Int32Array, n: number, state: { x: number; y: number }): void {
  if (v instanceof Float64Array) foldF64(kind, v, rows, n, state);
  else if (v instanceof Int32Array) foldI32(kind, v, rows, n, state);
  else foldU16(kind, v, rows, n, state);
}

function foldF64(kind: AggKind, v: Float64Array, rows: Int32Array, n: number, state: { x: number; y: number }): void {
  if (kind === 'sum' || kind === 'avg') state.x = sumF64(v, rows, n, state.x);
  else if (kind === 'max') state.x = maxF64(v, rows, n, state.x);
  else state.x = minF64(v, rows, n, state.x);
  if (kind === 'minmaxrange') state.y = maxF64(v, rows, n, state.y);
}

function foldI32(kind: AggKind, v: Int32Array, rows: Int32Array, n: number, state: { x: number; y: number }): void {
  if (kind === 'sum' || kind === 'avg') state.x = sumI32(v, rows, n, state.x);
  else if (kind === 'max') state.x = maxI32(v, rows, n, state.x);
  else state.x = minI32(v, rows, n, state.x);
  if (kind === 'minmaxrange') state.y = maxI32(v, rows, n, state.y);
}

function foldU16(kind: AggKind, v: Uint16Array, rows: Int32Array, n: number, state: { x: number; y: number }): void {
  if (kind === 'sum' || kind === 'avg') state.x = sumU16(v, rows, n, state.x);
  else if (kind === 'max') state.x = maxU16(v, rows, n, state.x);
  else state.x = minU16(v, rows, n, state.x);
  if (kind === 'minmaxrange') state.y = maxU16(v, rows, n, state.y);
}

function sumF64(v: Float64Array, rows: Int32Array, n: number, x: number): number {
  for (let i = 0; i < n; i++) x += v[rows[i]!]!;
  return x;
}

function sumI32(v: Int32Array, rows: Int32Array, n: number, x: number): number {
  for (let i = 0; i < n; i++) x += v[rows[i]!]!;
  return x;
}

function sumU16(v: Uint16Array, rows: Int32Array, n: number, x: number): number {
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

function minU16(v: Uint16Array, rows: Int32Array, n: number, x: number): number {
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

function maxU16(v: Uint16Array, rows: Int32Array, n: number, x: number): number {
  for (let i = 0; i < n; i++) {
    const y = v[rows[i]!]!;
    if (y > x) x = y;
  }
  return x;
}
