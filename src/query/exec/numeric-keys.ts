import { storedTypeOf } from '../../config/data-type.js';
import type { BoundExpr, BoundOf } from '../plan/bound-expr.js';
import { dateTruncSpec, truncateInPlace } from './date-trunc-keys.js';
import type { NumericKeyKind } from './key-columns.js';
import { dictionaryNumbers, gatherLongs } from './numeric-values.js';
import type { BlockColumns } from './numeric-values.js';

/**
 * Reads a single GROUP BY key of a block as the number `GroupKeyTable` files its value under:
 * the value itself (`num`), or the safe integer equal to a bigint value (`long`; NaN when the
 * value is not one, and the caller falls back to the exact value). `fill` writes the keys of
 * rows `sel[0..n)` to `out[0..n)`.
 */
export interface NumericKeyReader {
  readonly kind: NumericKeyKind;
  readonly fill: (sel: Int32Array, n: number, out: Float64Array) => void;
  /**
   * The key every row of the block has, from the block's min/max statistics (`stats` of a
   * column; null when unknown), or null when they do not prove one: a time bucket that holds
   * the whole block.
   */
  readonly blockKey?: (stats: BlockStatsOf) => number | null;
}

/** A sealed block's min/max of a column (null when unknown: consuming segments). */
export type BlockStatsOf = (column: string) => { readonly min: unknown; readonly max: unknown } | null;

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * A numeric reader for the key shapes worth a tight loop, or null: a raw numeric column, and
 * `DATETRUNC(unit, column)` over an integer column in milliseconds (the time bucket of
 * dashboards), computed over the same double the function itself uses (`date-trunc-keys.ts`),
 * without its per-row bigints.
 */
export function numericKeyReader(e: BoundExpr, block: BlockColumns): NumericKeyReader | null {
  if (e.kind === 'column') return rawColumnKey(e, block);
  if (e.kind === 'call' && e.fn === 'datetrunc') return dateTruncKey(e, block);
  return null;
}

function rawColumnKey(e: BoundOf<'column'>, block: BlockColumns): NumericKeyReader | null {
  if (!e.type.sv) return null;
  const b = block(e.column.name);
  if (b.offsets !== null || b.dictIds !== null) return null;
  const v = b.values;
  if (v instanceof Int32Array || v instanceof Uint16Array || v instanceof Float64Array || v instanceof Float32Array) {
    return {
      kind: 'num',
      fill: (sel, n, out) => {
        for (let i = 0; i < n; i++) out[i] = v[sel[i]!]!;
      },
    };
  }
  if (v instanceof BigInt64Array) {
    return {
      kind: 'long',
      fill: (sel, n, out) => {
        gatherLongs(v, sel, n, out);
        for (let i = 0; i < n; i++) {
          const x = out[i]!;
          if (!(x >= -MAX_SAFE && x <= MAX_SAFE)) out[i] = Number.NaN;
        }
      },
    };
  }
  return null;
}

function dateTruncKey(e: BoundOf<'call'>, block: BlockColumns): NumericKeyReader | null {
  const spec = dateTruncSpec(e);
  if (spec === null || spec.input.kind !== 'column' || !spec.input.type.sv) return null;
  // The function reads its input as Number(BigInt(x)): the same double only for integer types.
  const stored = storedTypeOf(spec.input.type.dataType);
  if (stored !== 'INT' && stored !== 'LONG') return null;
  const millis = integerGather(block, spec.input.column.name);
  if (millis === null) return null;
  const column = spec.input.column.name;
  const bounds = new Float64Array(2);
  return {
    kind: 'long',
    fill: (sel, n, out) => {
      millis(sel, n, out);
      truncateInPlace(spec, out, n);
    },
    blockKey: (stats) => {
      const s = stats(column);
      if (s === null || (typeof s.min !== 'bigint' && typeof s.min !== 'number') || (typeof s.max !== 'bigint' && typeof s.max !== 'number')) return null;
      // The same doubles the rows' values gather to (Number of a bigint rounds as gatherLongs does).
      bounds[0] = Number(s.min);
      bounds[1] = Number(s.max);
      truncateInPlace(spec, bounds, 2);
      const key = bounds[0]!;
      // DATETRUNC is monotonic: equal buckets at both ends hold every value between.
      return key === key && key === bounds[1] ? key : null;
    },
  };
}

type Gather = (sel: Int32Array, n: number, out: Float64Array) => void;

/** Writes `Number(value)` of an INT/LONG single-value column (raw or dictionary) for rows `sel[0..n)`. */
function integerGather(block: BlockColumns, column: string): Gather | null {
  const b = block(column);
  if (b.offsets !== null) return null;
  if (b.dictIds !== null && b.dictionary !== null) {
    const nums = dictionaryNumbers(b.dictionary);
    const ids = b.dictIds;
    return (sel, n, out) => {
      for (let i = 0; i < n; i++) out[i] = nums[ids[sel[i]!]!]!;
    };
  }
  const v = b.values;
  if (v instanceof BigInt64Array) return (sel, n, out) => gatherLongs(v, sel, n, out);
  if (v instanceof Int32Array || v instanceof Uint16Array) {
    return (sel, n, out) => {
      for (let i = 0; i < n; i++) out[i] = v[sel[i]!]!;
    };
  }
  return null;
}
