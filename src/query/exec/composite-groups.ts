import type { BoundExpr } from '../plan/bound-expr.js';
import { dictKey } from './dict-keys.js';
import type { GroupKeyTable } from './group-keys.js';
import { compileExpr } from './compile-expr.js';
import { soleColumn } from './dict-expr.js';
import { numericKeyReader } from './numeric-keys.js';
import { ensureFloat64, gatherNumbers } from './numeric-values.js';
import type { BlockColumns } from './numeric-values.js';
import { TupleTable } from './tuple-table.js';

const DROPPED = -1;

/** One key of a block as a double per row, and the key's value for that double. */
interface KeyCodes {
  readonly fill: (sel: Int32Array, n: number, out: Float64Array) => void;
  /** The key value (as the row-level expression gives it) of a code; undefined: no code (NaN), read the row. */
  readonly value: (code: number) => unknown;
}

/**
 * Several single-value GROUP BY keys of any mix of dictionary columns, expressions over one
 * column (`year(ts)`: the column's id or raw number is the code, the expression is evaluated once
 * per new combination) and numeric raw columns or `DATETRUNC`s (the number is the code): each row's
 * keys become a tuple of doubles, looked up in a typed `TupleTable`, so a row costs a hash probe
 * and no string. A tuple met for the first time in the segment goes to `GroupKeyTable` with its
 * values (one string key per combination per segment, which also counts it against the segment's
 * `numGroupsLimit`). The memo is per segment: `beginSegment` clears it.
 */
export class CompositeGroups {
  private memo: TupleTable;
  private codes: Float64Array[];
  private readonly values: unknown[];

  constructor(
    private readonly keys: readonly BoundExpr[],
    private readonly table: GroupKeyTable,
  ) {
    this.memo = new TupleTable(keys.length);
    this.codes = keys.map(() => new Float64Array(1024));
    this.values = new Array<unknown>(keys.length);
  }

  beginSegment(): void {
    if (this.memo.size > 0) this.memo = new TupleTable(this.keys.length, this.memo.size);
  }

  /**
   * Group ids of rows `sel[0..n)` into `gids` (negative: dropped by the limit); whether any was
   * dropped; null when some key has no code form in this block (the caller reads rows).
   * `exact(j, i)` gives key `j` of row `sel[i]` for a code with no value (a NaN).
   */
  group(block: BlockColumns, sel: Int32Array, n: number, gids: Int32Array, exact: (j: number, row: number) => unknown): boolean | null {
    const readers: KeyCodes[] = [];
    for (const k of this.keys) {
      const r = keyCodes(k, block);
      if (r === null) return null;
      readers.push(r);
    }
    const cols = this.codes;
    for (let j = 0; j < readers.length; j++) {
      cols[j] = ensureFloat64(cols[j]!, n);
      readers[j]!.fill(sel, n, cols[j]!);
    }
    const memo = this.memo;
    const values = this.values;
    let dropped = false;
    for (let i = 0; i < n; i++) {
      const h = TupleTable.hash(cols, i);
      let g = memo.get(cols, i, h);
      if (g === undefined) {
        let cacheable = true;
        for (let j = 0; j < readers.length; j++) {
          const c = cols[j]![i]!;
          if (c !== c) {
            cacheable = false;
            values[j] = exact(j, sel[i]!);
          } else values[j] = readers[j]!.value(c);
        }
        g = this.table.idOfComposite(values);
        if (g < 0) g = DROPPED;
        if (cacheable) memo.set(cols, i, h, g);
      }
      if (g < 0) dropped = true;
      gids[i] = g;
    }
    return dropped;
  }
}

function keyCodes(k: BoundExpr, block: BlockColumns): KeyCodes | null {
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
      return { fill: (sel, n, out) => gatherIds(ids, sel, n, out), value: dk.exact };
    }
  }
  const reader = numericKeyReader(k, block);
  if (reader === null) return rawExpressionCodes(k, block);
  // `long` codes are safe integers (NaN otherwise, read from the row); the value is the bigint.
  return { fill: reader.fill, value: reader.kind === 'long' ? (x) => BigInt(x) : (x) => x };
}

function gatherIds(ids: ArrayLike<number>, sel: Int32Array, n: number, out: Float64Array): void {
  for (let i = 0; i < n; i++) out[i] = ids[sel[i]!]!;
}

/**
 * An expression over one raw numeric column (`year(ts)` on a consuming segment): the column's
 * number is the code, the expression is evaluated once per new tuple. Codes that do not stand
 * for exactly one value (-0, LONGs beyond 2^53) are NaN, so those rows are read one by one.
 */
function rawExpressionCodes(k: BoundExpr, block: BlockColumns): KeyCodes | null {
  const col = soleColumn(k);
  if (col === null) return null;
  const b = block(col.column.name);
  const v = b.values;
  const isLong = v instanceof BigInt64Array;
  if (b.offsets !== null || b.dictIds !== null || !(isLong || v instanceof Int32Array || v instanceof Float64Array || v instanceof Float32Array)) return null;
  let current: unknown = null;
  const f = compileExpr<number>(k, {
    column: () => () => current,
    columnIsNull: () => () => false,
    aggregate: () => () => null,
    groupKey: () => () => null,
  });
  return {
    fill: (sel, n, out) => {
      gatherNumbers(col, block, sel, n, out);
      for (let i = 0; i < n; i++) {
        const x = out[i]!;
        if (isLong ? !(x >= -Number.MAX_SAFE_INTEGER && x <= Number.MAX_SAFE_INTEGER) : x === 0 && 1 / x < 0) out[i] = Number.NaN;
      }
    },
    value: (code) => {
      current = isLong ? BigInt(code) : code;
      return f(0);
    },
  };
}
