import type { BoundExpr } from '../plan/bound-expr.js';
import { DenseBuckets } from './bucket-groups.js';
import { compileRowExpr } from './compile-expr.js';
import { dictKey } from './dict-keys.js';
import type { Fn } from './compile-expr.js';
import type { GroupKeyTable } from './group-keys.js';
import { numericKeyReader } from './numeric-keys.js';
import type { BlockStatsOf, NumericKeyReader } from './numeric-keys.js';
import { CompositeGroups } from './composite-groups.js';
import { DictGroups } from './dict-groups.js';
import { ensureFloat64, ensureInt32 } from './numeric-values.js';
import type { BlockColumns } from './numeric-values.js';
import type { ColumnBlock } from './segment-snapshot.js';

/** Rows of a block to aggregate, `rows[i]` into group `gids[i]`, for `i < n`. */
export interface GroupedRows {
  readonly rows: Int32Array;
  readonly gids: Int32Array;
  readonly n: number;
}

const UNKNOWN = -1;

/**
 * Finds the group of each selected row of a block, creating groups in `table` as keys are
 * first seen. The fastest applicable path is chosen per block:
 *
 * - dictionary-encoded key columns: one lookup per distinct id (or id combination) per segment,
 *   then one array read per row (`dict-groups.ts`);
 * - an expression over one dictionary column: evaluated once per id, or once per run of ids
 *   with the same time bucket (`dict-keys.ts`), memoised the same way;
 * - a single key with a numeric reader (raw numeric column, `DATETRUNC` over one): a number per
 *   row, checked against the previous row's key, then a `Map<number>`;
 * - anything else: the compiled key expressions per row; a multi-value key puts the row in one
 *   group per value (per combination of values with several keys), as Pinot does.
 *
 * Rows whose group the limit drops are left out of the result.
 */
export class RowGrouper {
  private rows: Int32Array = new Int32Array(1024);
  private gids: Int32Array = new Int32Array(1024);
  private numbers: Float64Array = new Float64Array(1024);
  private readonly dict: DictGroups;
  private readonly composite: CompositeGroups | null;
  private readonly buckets: DenseBuckets | null;

  constructor(
    private readonly keys: readonly BoundExpr[],
    private readonly table: GroupKeyTable,
  ) {
    this.dict = new DictGroups(table);
    this.composite = keys.length > 1 && keys.every((k) => k.type.sv) ? new CompositeGroups(keys, table) : null;
    this.buckets = keys.length === 1 ? DenseBuckets.of(keys[0]!, table) : null;
  }

  /** Bytes of the per-block buffers and the dictionary memos (for the query's memory reservation). */
  byteSize(): number {
    return this.rows.byteLength + this.gids.byteLength + this.numbers.byteLength + this.dict.byteSize();
  }

  /**
   * Called before the first block of each segment (per-segment memos start over). `columnStats`:
   * the segment's min/max of a column where known (sealed segments), for the dense time buckets.
   */
  beginSegment(columnStats: ((column: string) => { readonly min: unknown; readonly max: unknown } | null) | null = null): void {
    this.composite?.beginSegment();
    this.buckets?.beginSegment(columnStats);
  }

  /**
   * The groups of a single dictionary key's ids `ids[0..n)` (ascending, distinct) in the
   * segment of `col`, created if new (`IdCounts` resolves a segment's counted ids with it), written
   * to `gids[0..n)`, which is returned. Negative: dropped by the limit.
   */
  groupsOfIds(col: ColumnBlock, ids: Int32Array, n: number, gids: Int32Array): Int32Array {
    if (this.dict.ofIds(col, ids, n, gids) === null) throw new Error('internal: a single dictionary key has an id memo');
    return gids;
  }

  /** `stats`: the block's min/max per column where known (sealed segments), to find a block with one key. */
  group(block: BlockColumns, sel: Int32Array, n: number, stats: BlockStatsOf | null = null): GroupedRows {
    this.gids = ensureInt32(this.gids, n);
    const cols = this.keys.map((k) => (k.kind === 'column' ? block(k.column.name) : null));
    const dictCols = cols.every((c) => c !== null && c.dictIds !== null && c.dictionary !== null);
    if (dictCols && this.keys.length === 1 && cols[0]!.offsets !== null) {
      let m = 0;
      this.dict.byIdsMv(cols[0]!, sel, n, (row, g) => this.push(m++, row, g));
      return { rows: this.rows, gids: this.gids, n: m };
    }
    if (dictCols && cols.every((c) => c!.offsets === null)) {
      const dropped = this.keys.length === 1 ? this.dict.byId(cols[0]!, sel, n, this.gids) : this.dict.byIds(cols as ColumnBlock[], sel, n, this.gids);
      if (dropped !== null) return this.compact(sel, dropped, n);
    }
    const byId = this.keys.length === 1 ? dictKey(this.keys[0]!, block) : null;
    if (byId !== null) return this.compact(sel, this.dict.byKey(byId, sel, n, this.gids), n);
    if (this.keys.length === 1 && this.keys[0]!.type.sv) {
      const reader = numericKeyReader(this.keys[0]!, block);
      const key = reader?.blockKey !== undefined && stats !== null ? reader.blockKey(stats) : null;
      if (key !== null) {
        const g = this.table.idOfNumeric(reader!.kind, key);
        if (g < 0) return { rows: sel, gids: this.gids, n: 0 };
        this.gids.fill(g, 0, n);
        return { rows: sel, gids: this.gids, n };
      }
      const dense = this.buckets === null ? null : this.buckets.group(block, stats, sel, n, this.gids);
      if (dense !== null) return this.compact(sel, dense, n);
      if (reader !== null) return this.compact(sel, this.byNumber(reader, block, sel, n), n);
      return this.compact(sel, this.byValue(compileRowExpr(this.keys[0]!, block), sel, n), n);
    }
    if (this.composite !== null) {
      let fns: Fn<number>[] | null = null;
      const exact = (j: number, row: number): unknown => (fns ??= this.keys.map((k) => compileRowExpr(k, block)))[j]!(row);
      const dropped = this.composite.group(block, sel, n, this.gids, exact);
      if (dropped !== null) return this.compact(sel, dropped, n);
    }
    return this.byValues(block, sel, n);
  }

  /** A single key read as the number its group is filed under (the exact value only when there is none). */
  private byNumber(reader: NumericKeyReader, block: BlockColumns, sel: Int32Array, n: number): boolean {
    const kind = reader.kind;
    const keys = (this.numbers = ensureFloat64(this.numbers, n));
    reader.fill(sel, n, keys);
    const table = this.table;
    const gids = this.gids;
    let exact: Fn<number> | null = null;
    let lastKey = Number.NaN;
    let lastGroup = UNKNOWN;
    let dropped = false;
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      let g: number;
      if (k === lastKey) g = lastGroup;
      else {
        if (k === k || kind === 'num') g = table.idOfNumeric(kind, k);
        else {
          // Not a safe integer: the exact bigint.
          exact ??= compileRowExpr(this.keys[0]!, block);
          g = table.idOf(exact(sel[i]!));
        }
        lastKey = k;
        lastGroup = g;
      }
      if (g < 0) dropped = true;
      gids[i] = g;
    }
    return dropped;
  }

  /** A single key of any type. */
  private byValue(key: Fn<number>, sel: Int32Array, n: number): boolean {
    const table = this.table;
    const gids = this.gids;
    let last: unknown = undefined;
    let lastGroup = UNKNOWN;
    let dropped = false;
    for (let i = 0; i < n; i++) {
      const v = key(sel[i]!);
      let g: number;
      if (i > 0 && v === last) g = lastGroup;
      else {
        g = table.idOf(v);
        last = v;
        lastGroup = g;
      }
      if (g < 0) dropped = true;
      gids[i] = g;
    }
    return dropped;
  }

  /** Several keys, or multi-value keys, evaluated per row. */
  private byValues(block: BlockColumns, sel: Int32Array, n: number): GroupedRows {
    const keys = this.keys;
    const fns = keys.map((k) => compileRowExpr(k, block));
    const single = keys.length === 1;
    const anyMv = keys.some((k) => !k.type.sv);
    const values = new Array<unknown>(keys.length);
    let m = 0;
    for (let i = 0; i < n; i++) {
      const r = sel[i]!;
      for (let j = 0; j < keys.length; j++) values[j] = fns[j]!(r);
      if (!anyMv) {
        const g = this.table.idOfComposite(values);
        if (g >= 0) this.push(m++, r, g);
        continue;
      }
      let combos: unknown[][] = [[]];
      for (let j = 0; j < keys.length; j++) {
        const v = values[j];
        const options = keys[j]!.type.sv ? [v] : (v as unknown[]);
        const next: unknown[][] = [];
        for (const c of combos) for (const o of options) next.push([...c, o]);
        combos = next;
      }
      for (const c of combos) {
        const g = single ? this.table.idOf(c[0]) : this.table.idOfComposite(c);
        if (g >= 0) this.push(m++, r, g);
      }
    }
    return { rows: this.rows, gids: this.gids, n: m };
  }

  private push(i: number, row: number, g: number): void {
    if (i >= this.rows.length) this.rows = grown(this.rows);
    if (i >= this.gids.length) this.gids = grown(this.gids);
    this.rows[i] = row;
    this.gids[i] = g;
  }

  /** The selection with its group ids, leaving out rows whose group was dropped. */
  private compact(sel: Int32Array, dropped: boolean, n: number): GroupedRows {
    if (!dropped) return { rows: sel, gids: this.gids, n };
    const rows = (this.rows = ensureInt32(this.rows, n));
    const gids = this.gids;
    let m = 0;
    for (let i = 0; i < n; i++) {
      const g = gids[i]!;
      if (g < 0) continue;
      rows[m] = sel[i]!;
      gids[m++] = g;
    }
    return { rows, gids, n: m };
  }
}

function grown(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
