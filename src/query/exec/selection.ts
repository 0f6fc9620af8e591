import { compareValues } from '../functions/values.js';
import type { SelectionPlan } from '../plan/query-plan.js';
import { compileRowExpr } from './compile-expr.js';
import type { Fn } from './compile-expr.js';
import type { ColumnBlock, SegmentSnapshot } from './segment-snapshot.js';
import { compareKeys, orderKey, TopK } from './order.js';
import type { SharedTopBound } from './shared-top-bound.js';
import { ensureInt32 } from './numeric-values.js';
import { numericKeys, rowsNotWorse } from './top-cut.js';

/** A kept row with its ORDER BY key values (what a worker thread sends for a segment). */
export interface Candidate {
  readonly keys: unknown[];
  readonly row: unknown[];
}

/**
 * Collects selection rows. Without ORDER BY the first `offset + limit` matching rows are kept
 * and the scan can stop (`done`); with ORDER BY a bounded heap keeps the best `offset + limit`
 * rows. Once the heap is full, a row whose first sort key is strictly worse than the worst kept
 * row's is dropped after reading that one key, and a block whose min/max statistics show that no
 * row can beat it is skipped (`blockCannotImprove`); a row is projected only when it enters.
 */
export class SelectionCollector {
  private readonly rows: unknown[][] = [];
  private readonly top: TopK<Candidate> | null;
  private readonly wanted: number;
  private readonly desc: boolean[];
  /** The first ORDER BY key when it is a single-value column (block statistics apply). */
  private readonly statsColumn: string | null;
  /** The rows of a block left after the cut-off (reused across blocks). */
  private kept: Int32Array = new Int32Array(0);

  /**
   * `shared`: the cut-off shared with the other threads reading this query (ORDER BY selections
   * split across the worker pool), or null.
   */
  constructor(
    private readonly plan: SelectionPlan,
    private readonly shared: SharedTopBound | null = null,
  ) {
    this.wanted = plan.offset + plan.limit;
    this.desc = plan.orderBy.map((o) => o.desc);
    this.top = plan.orderBy.length > 0 ? new TopK<Candidate>(this.wanted, (a, b) => compareKeys(a.keys, b.keys, this.desc)) : null;
    const first = plan.orderBy[0]?.expr;
    this.statsColumn = first?.kind === 'column' && first.type.sv && first.type.dataType !== 'BIG_DECIMAL' ? first.column.name : null;
  }

  /** True once no further row can change the answer. */
  get done(): boolean {
    return this.top === null && this.rows.length >= this.wanted;
  }

  /**
   * True when every row of block `bi` sorts strictly after the worst kept row on the first key
   * (from the block's min/max), so adding its rows cannot change the result.
   */
  blockCannotImprove(segment: SegmentSnapshot, bi: number): boolean {
    const top = this.top;
    if (top === null || this.statsColumn === null || this.wanted === 0) return false;
    const worst = this.cutOff();
    if (worst === undefined) return false;
    const s = segment.blockStats(this.statsColumn, bi);
    if (s === null || s.min === null || s.max === null) return false;
    return this.desc[0] ? compareValues(s.max, worst) < 0 : compareValues(s.min, worst) > 0;
  }

  /**
   * The first key a row must not be strictly worse than: the worst kept row's once the heap is
   * full (shared with the other threads when numeric), or the shared cut-off when better or the
   * heap is not full; undefined when there is none yet.
   */
  private cutOff(): unknown {
    const top = this.top!;
    const own = top.size >= this.wanted ? top.worst()!.keys[0] : undefined;
    const shared = this.shared;
    if (shared === null) return own;
    if (typeof own === 'number') shared.offer(own);
    const bound = shared.get();
    if (bound === (shared.desc ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY)) return own;
    if (own === undefined) return bound;
    return typeof own === 'number' && (shared.desc ? own > bound : own < bound) ? own : bound;
  }

  add(block: (column: string) => ColumnBlock, sel: Int32Array, n: number): void {
    if (n === 0 || this.wanted === 0) return;
    if (this.top === null) {
      const selectFns = this.plan.select.map((e) => compileRowExpr(e, block));
      for (let i = 0; i < n && this.rows.length < this.wanted; i++) {
        const r = sel[i]!;
        this.rows.push(selectFns.map((f) => f(r)));
      }
      return;
    }
    const top = this.top;
    const keyFns = this.plan.orderBy.map((o) => orderKey(o.expr, compileRowExpr(o.expr, block)));
    const key0 = keyFns[0]!;
    const desc0 = this.desc[0]!;
    let selectFns: Fn<number>[] | null = null;
    const probe: Candidate = { keys: new Array(keyFns.length), row: [] };
    // First key of the worst kept row once the heap is full (or the shared cut-off): the cut-off for a quick reject.
    let worst0: unknown = this.cutOff();
    let cut = isPrimitiveKey(worst0);
    let rows = sel;
    let count = n;
    if (typeof worst0 === 'number') {
      // The rows the block's starting cut-off rejects never reach a row reader.
      const keys = numericKeys(this.plan.orderBy[0]!.expr, block);
      if (keys !== null) {
        this.kept = ensureInt32(this.kept, n);
        count = rowsNotWorse(keys, sel, n, worst0, desc0, this.kept);
        rows = this.kept;
      }
    }
    for (let i = 0; i < count; i++) {
      const r = rows[i]!;
      const k0 = key0(r);
      // Strictly worse on the first key (for two numbers, bigints or strings JS order agrees
      // with compareValues): it cannot enter, so skip the other keys.
      if (cut && typeof k0 === typeof worst0 && (desc0 ? (k0 as number) < (worst0 as number) : (k0 as number) > (worst0 as number))) continue;
      probe.keys[0] = k0;
      for (let k = 1; k < keyFns.length; k++) probe.keys[k] = keyFns[k]!(r);
      if (!top.wouldAccept(probe)) continue;
      selectFns ??= this.plan.select.map((e) => compileRowExpr(e, block));
      top.offer({ keys: probe.keys.slice(), row: selectFns.map((f) => f(r)) });
      if (top.size === this.wanted) {
        worst0 = this.cutOff();
        cut = isPrimitiveKey(worst0);
      }
    }
  }

  /** The kept rows with their sort keys, best first (ORDER BY only): one segment's partial answer. */
  candidates(): Candidate[] {
    if (this.top === null) throw new Error('internal: a selection without ORDER BY has no candidates to merge');
    return this.top.sorted();
  }

  /**
   * Offers another collector's `candidates` (same plan). Offered in segment order, the kept rows
   * are those a sequential scan keeps: ties go to the row seen first.
   */
  offerCandidates(candidates: readonly Candidate[]): void {
    const top = this.top;
    if (top === null) throw new Error('internal: a selection without ORDER BY has no candidates to merge');
    for (const c of candidates) {
      if (!top.wouldAccept(c)) break;
      top.offer(c);
    }
  }

  /** Rows after OFFSET and LIMIT. */
  results(): unknown[][] {
    const all = this.top ? this.top.sorted().map((c) => c.row) : this.rows;
    return all.slice(this.plan.offset, this.plan.offset + this.plan.limit);
  }
}

function isPrimitiveKey(v: unknown): boolean {
  const t = typeof v;
  return t === 'number' || t === 'bigint' || t === 'string';
}
