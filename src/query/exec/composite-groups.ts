import type { BoundExpr } from '../plan/bound-expr.js';
import type { GroupKeyTable } from './group-keys.js';
import { keyCodes, ValueCodes } from './key-codes.js';
import type { KeyCodes } from './key-codes.js';
import { ensureFloat64 } from './numeric-values.js';
import type { BlockColumns } from './numeric-values.js';
import { TupleTable } from './tuple-table.js';

const DROPPED = -1;


/**
 * Several single-value GROUP BY keys of any mix of dictionary columns, expressions over one
 * column (`year(ts)`: each distinct value of the expression gets a small code, the expression
 * evaluated once per dictionary id or raw number) and numeric raw columns or `DATETRUNC`s (the
 * number is the code): each row's
 * keys become a tuple of doubles, looked up in a typed `TupleTable`, so a row costs a hash probe
 * and no string. A tuple met for the first time in the segment goes to `GroupKeyTable` with its
 * values (one string key per combination per segment, which also counts it against the segment's
 * `numGroupsLimit`). The memo is per segment: `beginSegment` clears it.
 */
export class CompositeGroups {
  private memo: TupleTable;
  private codes: Float64Array[];
  private readonly states: ValueCodes[];
  private readonly values: unknown[];

  constructor(
    private readonly keys: readonly BoundExpr[],
    private readonly table: GroupKeyTable,
  ) {
    this.memo = new TupleTable(keys.length);
    this.codes = keys.map(() => new Float64Array(1024));
    this.states = keys.map(() => new ValueCodes());
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
    for (let j = 0; j < this.keys.length; j++) {
      const r = keyCodes(this.keys[j]!, block, this.states[j]!);
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

