import type { BoundExpr } from '../plan/bound-expr.js';
import type { Dictionary } from '../../segment/segment-view.js';
import { valueKey } from '../functions/values.js';
import { compileExpr } from './compile-expr.js';
import { soleColumn } from './dict-expr.js';
import { dictKey } from './dict-keys.js';
import { NumberTable } from './number-table.js';
import { numericKeyReader } from './numeric-keys.js';
import { gatherNumbers } from './numeric-values.js';
import type { BlockColumns } from './numeric-values.js';

/** One GROUP BY key of a block as a double per row, and the key's value for that double. */
export interface KeyCodes {
  readonly fill: (sel: Int32Array, n: number, out: Float64Array) => void;
  /** The key value (as the row-level expression gives it) of a code; NaN codes are read from the row instead. */
  readonly value: (code: number) => unknown;
}

/**
 * Small dense codes for the distinct values of one key expression across a query (equal as
 * `valueKey` makes them, except -0), with per-dictionary memos of id → code and a table of
 * raw number → code, so an expression is evaluated once per id or number.
 */
export class ValueCodes {
  readonly values: unknown[] = [];
  private readonly byKey = new Map<string, number>();
  dict: Dictionary | null = null;
  codeOfId: Int32Array = new Int32Array(0);
  readonly byNumber = new NumberTable();

  codeOf(v: unknown): number {
    // -0 gets its own code: the group (where it equals 0) keeps whichever its first row held.
    const k = Object.is(v, -0) ? '-0' : valueKey(v);
    let c = this.byKey.get(k);
    if (c === undefined) {
      c = this.values.length;
      this.values.push(v);
      this.byKey.set(k, c);
    }
    return c;
  }
}

/** The code form of key `k` in this block, or null (the caller reads rows). */
export function keyCodes(k: BoundExpr, block: BlockColumns, state: ValueCodes): KeyCodes | null {
  if (!k.type.sv) return null;
  if (k.kind === 'column') {
    const b = block(k.column.name);
    if (b.dictIds !== null && b.dictionary !== null && b.offsets === null) {
      const ids = b.dictIds;
      const dict = b.dictionary;
      return { fill: (sel, n, out) => gatherIds(ids, sel, n, out), value: (id) => dict.get(id) };
    }
  } else {
    const dk = dictKey(k, block);
    if (dk !== null) {
      const ids = dk.column.dictIds!;
      const dict = dk.column.dictionary!;
      if (state.dict !== dict || state.codeOfId.length < dict.size) {
        state.dict = dict;
        state.codeOfId = new Int32Array(dict.size).fill(-1);
      }
      const codeOfId = state.codeOfId;
      return {
        fill: (sel, n, out) => {
          for (let i = 0; i < n; i++) {
            const id = ids[sel[i]!]!;
            let c = codeOfId[id]!;
            if (c < 0) codeOfId[id] = c = state.codeOf(dk.exact(id));
            out[i] = c;
          }
        },
        value: (c) => state.values[c],
      };
    }
  }
  const reader = numericKeyReader(k, block);
  if (reader === null) return rawExpressionCodes(k, block, state);
  // `long` codes are safe integers (NaN otherwise, read from the row); the value is the bigint.
  return { fill: reader.fill, value: reader.kind === 'long' ? (x) => BigInt(x) : (x) => x };
}

/**
 * An expression over one raw numeric column (`year(ts)` on a consuming segment): evaluated once
 * per distinct number of the column, each distinct result a code. Numbers that do not stand for
 * exactly one value (-0, LONGs beyond 2^53) get NaN, so those rows are read one by one.
 */
function rawExpressionCodes(k: BoundExpr, block: BlockColumns, state: ValueCodes): KeyCodes | null {
  const col = soleColumn(k);
  if (col === null) return null;
  const b = block(col.column.name);
  const v = b.values;
  const isLong = v instanceof BigInt64Array;
  if (b.offsets !== null || b.dictIds !== null || !(isLong || v instanceof Int32Array || v instanceof Uint16Array || v instanceof Float64Array || v instanceof Float32Array)) return null;
  let current: unknown = null;
  const f = compileExpr<number>(k, {
    column: () => () => current,
    columnIsNull: () => () => false,
    aggregate: () => () => null,
    groupKey: () => () => null,
  });
  const table = state.byNumber;
  return {
    fill: (sel, n, out) => {
      gatherNumbers(col, block, sel, n, out);
      for (let i = 0; i < n; i++) {
        const x = out[i]!;
        if (isLong ? !(x >= -Number.MAX_SAFE_INTEGER && x <= Number.MAX_SAFE_INTEGER) : x === 0 && 1 / x < 0) {
          out[i] = Number.NaN;
          continue;
        }
        let c = table.get(x);
        if (c < 0) {
          current = isLong ? BigInt(x) : x;
          c = state.codeOf(f(0));
          table.insert(x, c);
        }
        out[i] = c;
      }
    },
    value: (c) => state.values[c],
  };
}

function gatherIds(ids: ArrayLike<number>, sel: Int32Array, n: number, out: Float64Array): void {
  for (let i = 0; i < n; i++) out[i] = ids[sel[i]!]!;
}
