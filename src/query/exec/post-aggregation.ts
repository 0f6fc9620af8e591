import type { BoundExpr } from '../plan/bound-expr.js';
import type { AggregationPlan } from '../plan/query-plan.js';
import { compileExpr, truthy } from './compile-expr.js';
import type { Fn } from './compile-expr.js';
import type { ResultRow } from './group-by.js';
import { compareKeys, orderKey, TopK } from './order.js';

function compilePost(e: BoundExpr): Fn<ResultRow> {
  return compileExpr<ResultRow>(e, {
    column: (c) => {
      throw new Error(`column ${c.name} read after aggregation`);
    },
    columnIsNull: () => () => false,
    aggregate: (a) => (row) => row.aggs[a.index],
    groupKey: (k) => (row) => row.keys[k.index],
  });
}

/**
 * Turns aggregated groups into result rows: HAVING, ORDER BY (any expression over keys and
 * aggregates; a top-k heap when OFFSET + LIMIT keeps few of many rows), OFFSET/LIMIT, then the
 * SELECT expressions. Ties keep the order of `groups`.
 */
export function finishAggregation(plan: AggregationPlan, groups: ResultRow[]): unknown[][] {
  const rows = orderedGroups(plan, groups).slice(plan.offset, plan.offset + plan.limit);
  const selectFns = plan.select.map(compilePost);
  return rows.map((r) => selectFns.map((f) => f(r)));
}

/**
 * The groups that pass HAVING, in ORDER BY order (ties in the order of `groups`), cut to the
 * first `offset + limit`: the rows `finishAggregation` projects after skipping `offset`. A worker
 * that owns a partition of the keys answers these (`parallel/partition-task.ts`).
 */
export function orderedGroups(plan: AggregationPlan, groups: ResultRow[]): ResultRow[] {
  let rows = groups;
  if (plan.having) {
    const having = compilePost(plan.having);
    rows = rows.filter((r) => truthy(having(r)));
  }
  if (plan.orderBy.length > 0) {
    const keyFns = plan.orderBy.map((o) => orderKey(o.expr, compilePost(o.expr)));
    const desc = plan.orderBy.map((o) => o.desc);
    const keyed = rows.map((r, i) => ({ r, i, keys: keyFns.map((f) => f(r)) }));
    const want = plan.offset + plan.limit;
    if (want < keyed.length / 4) {
      const top = new TopK<(typeof keyed)[number]>(want, (a, b) => compareKeys(a.keys, b.keys, desc));
      for (const k of keyed) top.offer(k);
      rows = top.sorted().map((k) => k.r);
    } else {
      keyed.sort((a, b) => compareKeys(a.keys, b.keys, desc) || a.i - b.i);
      rows = keyed.map((k) => k.r);
    }
  }
  return rows.slice(0, plan.offset + plan.limit);
}
