import type { SelectionPlan } from '../plan/query-plan.js';
import { compileRowExpr } from './compile-expr.js';
import type { ColumnBlock } from './segment-snapshot.js';
import { compareKeys, orderKey, TopK } from './order.js';

interface Candidate {
  readonly keys: unknown[];
  readonly row: unknown[];
}

/**
 * Collects selection rows. Without ORDER BY the first `offset + limit` matching rows are kept
 * and the scan can stop (`done`); with ORDER BY a top-k keeps the best `offset + limit` rows,
 * projecting a row only when it enters the top-k.
 */
export class SelectionCollector {
  private readonly rows: unknown[][] = [];
  private readonly top: TopK<Candidate> | null;
  private readonly wanted: number;
  private readonly desc: boolean[];

  constructor(private readonly plan: SelectionPlan) {
    this.wanted = plan.offset + plan.limit;
    this.desc = plan.orderBy.map((o) => o.desc);
    this.top = plan.orderBy.length > 0 ? new TopK<Candidate>(this.wanted, (a, b) => compareKeys(a.keys, b.keys, this.desc)) : null;
  }

  /** True once no further row can change the answer. */
  get done(): boolean {
    return this.top === null && this.rows.length >= this.wanted;
  }

  add(block: (column: string) => ColumnBlock, sel: Int32Array, n: number): void {
    if (n === 0 || this.wanted === 0) return;
    const selectFns = this.plan.select.map((e) => compileRowExpr(e, block));
    if (this.top === null) {
      for (let i = 0; i < n && this.rows.length < this.wanted; i++) {
        const r = sel[i]!;
        this.rows.push(selectFns.map((f) => f(r)));
      }
      return;
    }
    const keyFns = this.plan.orderBy.map((o) => orderKey(o.expr, compileRowExpr(o.expr, block)));
    const probe: Candidate = { keys: new Array(keyFns.length), row: [] };
    for (let i = 0; i < n; i++) {
      const r = sel[i]!;
      for (let k = 0; k < keyFns.length; k++) probe.keys[k] = keyFns[k]!(r);
      if (!this.top.wouldAccept(probe)) continue;
      this.top.offer({ keys: probe.keys.slice(), row: selectFns.map((f) => f(r)) });
    }
  }

  /** Rows after OFFSET and LIMIT. */
  results(): unknown[][] {
    const all = this.top ? this.top.sorted().map((c) => c.row) : this.rows;
    return all.slice(this.plan.offset, this.plan.offset + this.plan.limit);
  }
}
