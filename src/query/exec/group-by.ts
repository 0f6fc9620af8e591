import type { AggState } from '../functions/aggregation-functions.js';
import { valueKey } from '../functions/values.js';
import type { AggregationPlan } from '../plan/query-plan.js';
import { columnReader, compileRowExpr, dictionaryValues } from './compile-expr.js';
import type { Fn } from './compile-expr.js';
import type { ColumnBlock, SegmentSnapshot } from './segment-snapshot.js';

/** One group: its key values and one accumulator per aggregation. */
export interface Group {
  readonly keys: readonly unknown[];
  readonly states: AggState[];
}

/** A finished group: key values and final aggregation results. */
export interface ResultRow {
  readonly keys: readonly unknown[];
  readonly aggs: readonly unknown[];
}

/**
 * Aggregates filtered rows into groups, segment by segment. Groups live in one map keyed by the
 * key values, so segments need no merge step. When every GROUP BY key is a single-value
 * dictionary column, rows are grouped on a composite of their dictionary ids (no per-row key
 * string); multi-value keys expand a row into one group per value combination, as Pinot does.
 *
 * At most `numGroupsLimit` groups are created; rows of further groups are dropped and
 * `limitReached` is set (Pinot's `numGroupsLimitReached`).
 */
export class GroupByAggregator {
  readonly groups = new Map<string, Group>();
  limitReached = false;
  private readonly aggs;
  private local: { segment: string; byId: Map<number, Group | null> } | null = null;

  constructor(private readonly plan: AggregationPlan) {
    this.aggs = plan.aggregations;
    if (plan.groupBy.length === 0) this.groups.set('', { keys: [], states: this.aggs.map((a) => a.fn.init()) });
  }

  /** Adds rows `sel[0..n)` of one block. */
  add(segment: SegmentSnapshot, block: (column: string) => ColumnBlock, sel: Int32Array, n: number): void {
    if (n === 0) return;
    const argFns = this.aggs.map((a) => (a.arg === null ? null : a.arg.kind === 'column' ? columnReader(block(a.arg.column.name)) : compileRowExpr(a.arg, block)));
    const keyGroups = this.plan.groupBy.length === 0 ? null : this.groupsOf(segment, block, sel, n);
    const aggs = this.aggs;
    const single = this.groups.get('');
    for (let a = 0; a < aggs.length; a++) {
      const spec = aggs[a]!;
      const fn = spec.fn;
      const arg = argFns[a];
      if (keyGroups === null) {
        const state = single!.states[a]!;
        if (arg === null) {
          state.n += n;
          continue;
        }
        for (let i = 0; i < n; i++) {
          const v = arg(sel[i]!);
          if (fn.mv) for (const x of v as unknown[]) fn.add(state, x);
          else fn.add(state, v);
        }
        continue;
      }
      for (let i = 0; i < n; i++) {
        const gs = keyGroups[i];
        if (gs === null || gs === undefined) continue;
        const v = arg === null ? undefined : arg(sel[i]!);
        const list = Array.isArray(gs) ? gs : [gs];
        for (const g of list) {
          const state = g.states[a]!;
          if (fn.mv) for (const x of v as unknown[]) fn.add(state, x);
          else fn.add(state, v);
        }
      }
    }
  }

  /** Final rows: key values and aggregation results. */
  results(): ResultRow[] {
    const out: ResultRow[] = [];
    for (const g of this.groups.values()) out.push({ keys: g.keys, aggs: g.states.map((s, i) => this.aggs[i]!.fn.result(s, this.aggs[i]!.param)) });
    return out;
  }

  private group(keys: unknown[]): Group | null {
    const key = keys.length === 1 ? valueKey(keys[0]) : keys.map(valueKey).join('\u0001');
    let g = this.groups.get(key);
    if (g === undefined) {
      if (this.groups.size >= this.plan.options.numGroupsLimit) {
        this.limitReached = true;
        return null;
      }
      g = { keys, states: this.aggs.map((a) => a.fn.init()) };
      this.groups.set(key, g);
    }
    return g;
  }

  /** The group (or groups, for multi-value keys) of each selected row; null = dropped by the limit. */
  private groupsOf(segment: SegmentSnapshot, block: (column: string) => ColumnBlock, sel: Int32Array, n: number): (Group | Group[] | null)[] {
    const keys = this.plan.groupBy;
    const out = new Array<Group | Group[] | null>(n);
    const cols = keys.map((k) => (k.kind === 'column' && k.type.sv ? block(k.column.name) : null));
    if (cols.every((c) => c !== null && c.dictIds !== null && c.dictionary !== null)) {
      const blocks = cols as ColumnBlock[];
      let stride = 1;
      const strides = blocks.map((b) => {
        const s = stride;
        stride *= b.dictionary!.size + 1;
        return s;
      });
      if (stride < 2 ** 52) {
        if (this.local?.segment !== segment.name) this.local = { segment: segment.name, byId: new Map() };
        const byId = this.local.byId;
        const dictValues = blocks.map((b) => dictionaryValues(b.dictionary!));
        const ids = blocks.map((b) => b.dictIds!);
        const k = blocks.length;
        for (let i = 0; i < n; i++) {
          const r = sel[i]!;
          let composite = 0;
          for (let j = 0; j < k; j++) composite += ids[j]![r]! * strides[j]!;
          let g = byId.get(composite);
          if (g === undefined) {
            g = this.group(ids.map((a, j) => dictValues[j]![a[r]!]));
            if (g !== null || !this.limitReached) byId.set(composite, g);
          }
          out[i] = g;
        }
        return out;
      }
    }
    const fns: Fn<number>[] = keys.map((k) => compileRowExpr(k, block));
    const anyMv = keys.some((k) => !k.type.sv);
    for (let i = 0; i < n; i++) {
      const r = sel[i]!;
      const values = fns.map((f) => f(r));
      if (!anyMv) {
        out[i] = this.group(values);
        continue;
      }
      let combos: unknown[][] = [[]];
      for (let j = 0; j < values.length; j++) {
        const v = values[j];
        const options = keys[j]!.type.sv ? [v] : (v as unknown[]);
        const next: unknown[][] = [];
        for (const c of combos) for (const o of options) next.push([...c, o]);
        combos = next;
      }
      const gs: Group[] = [];
      for (const c of combos) {
        const g = this.group(c);
        if (g) gs.push(g);
      }
      out[i] = gs;
    }
    return out;
  }
}
