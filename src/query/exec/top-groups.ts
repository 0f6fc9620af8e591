import { compareValues } from '../functions/values.js';
import type { AggregationPlan } from '../plan/query-plan.js';
import type { GroupedAggregation } from './grouped-aggregation.js';
import { compileExpr } from './compile-expr.js';
import type { GroupKeyTable } from './group-keys.js';
import { orderKey, TopK } from './order.js';

/**
 * The groups that can reach the result, before any result row is built: with ORDER BY, the
 * `offset + limit` best groups by a top-k heap; without it, the first `offset + limit` groups
 * (Pinot returns groups in no particular order; shardtable keeps first-seen order). Returns
 * group ids in ascending order, so that the stable sort in `finishAggregation` breaks ties as
 * it would over all groups; null when every group is needed (HAVING, or few groups).
 */
export function preselectGroups(plan: AggregationPlan, table: GroupKeyTable, aggs: readonly GroupedAggregation[]): number[] | null {
  const numGroups = table.size;
  if (plan.having !== null) return null;
  const want = plan.offset + plan.limit;
  if (want >= numGroups) return null;
  if (plan.orderBy.length === 0) return Array.from({ length: want }, (_, g) => g);
  // Each ORDER BY value once per group, then heap comparisons read arrays.
  const columns = plan.orderBy.map((o): ArrayLike<unknown> => {
    const e = o.expr;
    if (e.kind === 'aggregate') {
      const sortNumber = aggs[e.index]!.sortNumber;
      if (sortNumber !== null) {
        const out = new Float64Array(numGroups);
        for (let g = 0; g < numGroups; g++) out[g] = sortNumber(g);
        return out;
      }
    }
    if (e.kind === 'groupKey' && e.type.dataType !== 'BIG_DECIMAL') return table.sortKeys(e.index);
    const f = orderKey(
      e,
      compileExpr<number>(e, {
        column: (c) => {
          throw new Error(`column ${c.name} read after aggregation`);
        },
        columnIsNull: () => () => false,
        aggregate: (a) => (g) => aggs[a.index]!.result(g),
        groupKey: (k) => (g) => table.keyValue(k.index, g),
      }),
    );
    return Array.from({ length: numGroups }, (_, g) => f(g));
  });
  const desc = plan.orderBy.map((o) => o.desc);
  const top = new TopK<number>(want, (a, b) => {
    for (let j = 0; j < columns.length; j++) {
      const c = compareValues(columns[j]![a], columns[j]![b]);
      if (c !== 0) return desc[j] ? -c : c;
    }
    return 0;
  });
  for (let g = 0; g < numGroups; g++) top.offer(g);
  return top.sorted().sort((a, b) => a - b);
}
