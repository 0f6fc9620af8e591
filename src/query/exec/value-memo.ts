import type { BoundExpr } from '../plan/bound-expr.js';
import { compileExpr, truthy } from './compile-expr.js';
import type { Fn } from './compile-expr.js';
import { NumberTable } from './number-table.js';
import { ensureFloat64, gatherLongs } from './numeric-values.js';
import { iota } from './scratch.js';
import type { ColumnBlock } from './segment-snapshot.js';

/** Distinct values remembered at most (a column of unique values stops being memoised). */
const MAX_MEMO = 1 << 16;

/**
 * A predicate over one raw (not dictionary-encoded) numeric column, such as `year(ts) = 1993`
 * on a consuming segment's time column, tested once per distinct value: the values of a block are
 * gathered as doubles and each is looked up in a typed hash table of results. Values a double
 * cannot key exactly (LONGs beyond 2^53, -0) are tested directly.
 */
export class ValueMemoTest {
  private readonly memo = new NumberTable();
  private current: unknown = null;
  private readonly f: Fn<number>;
  private nums: Float64Array = new Float64Array(1024);

  constructor(expr: BoundExpr) {
    this.f = compileExpr<number>(expr, {
      column: () => () => this.current,
      columnIsNull: () => () => false,
      aggregate: () => {
        throw new Error('aggregation result read at row level');
      },
      groupKey: () => {
        throw new Error('group key read at row level');
      },
    });
  }

  /** Rows of `cand[0..count)` (or `0..count)`) passing the test, into `out`; -1 when the column is not raw numeric. */
  select(b: ColumnBlock, cand: Int32Array | null, count: number, out: Int32Array): number {
    const v = b.values;
    const isLong = v instanceof BigInt64Array;
    if (b.offsets !== null || !(isLong || v instanceof Int32Array || v instanceof Uint16Array || v instanceof Float64Array || v instanceof Float32Array)) return -1;
    const sel = cand ?? iota(count);
    const nums = (this.nums = ensureFloat64(this.nums, count));
    if (isLong) gatherLongs(v, sel, count, nums);
    else for (let i = 0; i < count; i++) nums[i] = (v as Int32Array | Uint16Array | Float64Array | Float32Array)[sel[i]!]!;
    const memo = this.memo;
    let n = 0;
    for (let i = 0; i < count; i++) {
      const x = nums[i]!;
      // The table keys -0 as 0: -0 (a double, not a LONG) is never looked up.
      const exact = isLong ? x >= -Number.MAX_SAFE_INTEGER && x <= Number.MAX_SAFE_INTEGER : x !== 0 || 1 / x > 0;
      let t = exact ? memo.get(x) : -1;
      if (t < 0) {
        this.current = isLong ? (exact ? BigInt(x) : (v as BigInt64Array)[sel[i]!]!) : x;
        t = truthy(this.f(0)) ? 1 : 0;
        if (exact && memo.size < MAX_MEMO) memo.insert(x, t);
      }
      if (t === 1) out[n++] = sel[i]!;
    }
    return n;
  }
}
