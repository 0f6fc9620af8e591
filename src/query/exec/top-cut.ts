import { storedTypeOf } from '../../config/data-type.js';
import type { BoundExpr } from '../plan/bound-expr.js';
import { dictionaryNumbers } from './numeric-values.js';
import type { BlockColumns } from './numeric-values.js';

/**
 * The first ORDER BY key of a block as numbers its row reader returns unchanged: a single-value
 * INT, FLOAT or DOUBLE column, either its raw array or its dictionary's numbers by id. Null for
 * anything else (LONG values are bigints, other keys need their reader).
 */
export type NumericKeys = { readonly values: Float64Array | Float32Array | Int32Array | Uint16Array; readonly ids: null; readonly nums: null } | { readonly values: null; readonly ids: Uint8Array | Uint16Array | Int32Array; readonly nums: Float64Array };

export function numericKeys(e: BoundExpr, block: BlockColumns): NumericKeys | null {
  if (e.kind !== 'column' || !e.type.sv) return null;
  const stored = storedTypeOf(e.type.dataType);
  if (stored !== 'INT' && stored !== 'FLOAT' && stored !== 'DOUBLE') return null;
  const b = block(e.column.name);
  if (b.offsets !== null) return null;
  if (b.dictIds !== null) return b.dictionary === null ? null : { values: null, ids: b.dictIds, nums: dictionaryNumbers(b.dictionary) };
  const v = b.values;
  return v instanceof Float64Array || v instanceof Float32Array || v instanceof Int32Array || v instanceof Uint16Array ? { values: v, ids: null, nums: null } : null;
}

/**
 * Writes to `out` the rows of `sel[0..n)` whose key is not strictly worse than `cut` (below it
 * when `desc`, above it otherwise) and returns how many: the rows a top-k whose worst kept key is
 * `cut` could still take. NaN keys are kept (the row path orders them). Reading the keys from
 * their typed array, where the row reader would box each double it returns (a top-k over 10M
 * DOUBLE rows allocated ~55 MiB a worker and query, and a scavenge each MiB). The loop is
 * written once for `Float64Array` and once for the other arrays on purpose: a loop that sees one
 * element kind compiles to plain loads (docs/decisions.md, "Per-type kernels").
 */
export function rowsNotWorse(keys: NumericKeys, sel: Int32Array, n: number, cut: number, desc: boolean, out: Int32Array): number {
  let m = 0;
  const v = keys.values;
  if (v instanceof Float64Array) {
    for (let i = 0; i < n; i++) {
      const r = sel[i]!;
      const x = v[r]!;
      out[m] = r;
      m += +!(desc ? x < cut : x > cut);
    }
    return m;
  }
  if (v !== null) {
    for (let i = 0; i < n; i++) {
      const r = sel[i]!;
      const x = v[r]!;
      out[m] = r;
      m += +!(desc ? x < cut : x > cut);
    }
    return m;
  }
  const { ids, nums } = keys;
  for (let i = 0; i < n; i++) {
    const r = sel[i]!;
    const x = nums[ids[r]!]!;
    out[m] = r;
    m += +!(desc ? x < cut : x > cut);
  }
  return m;
}
