import type { AggregationPlan } from '../plan/query-plan.js';
import { TopK } from './order.js';

/**
 * The entries of a run of counts (`CountRun`: keys ascending, a count each) that can reach the
 * result of a COUNT-only GROUP BY over that key, or null when every entry is needed: with no
 * HAVING and an ORDER BY made of the key and counts only, the best `offset + limit` entries by a
 * top-k heap, returned in key order. Only the groups of those entries are then made, instead of
 * a group per key (a million at 10M rows, ~60 ms) for `preselectGroups` to drop all but ten of.
 * Exact where the caller uses it: the groups would hold exactly the run's keys and counts, and
 * the ORDER BY includes the key, so the order is total and the best entries are the answer's.
 */
export function runTop(plan: AggregationPlan, keys: Float64Array, counts: Float64Array): Int32Array | null {
  const n = keys.length;
  const want = plan.offset + plan.limit;
  if (plan.having !== null || want >= n) return null;
  const columns: Float64Array[] = [];
  for (const o of plan.orderBy) {
    if (o.expr.kind === 'groupKey' && o.expr.index === 0) columns.push(keys);
    else if (o.expr.kind === 'aggregate') columns.push(counts);
    else return null;
  }
  const desc = plan.orderBy.map((o) => o.desc);
  const top = new TopK<number>(want, (a, b) => {
    for (let j = 0; j < columns.length; j++) {
      const x = columns[j]![a]!;
      const y = columns[j]![b]!;
      if (x !== y) return (x < y) !== desc[j] ? -1 : 1;
    }
    return 0;
  });
  for (let i = 0; i < n; i++) top.offer(i);
  return Int32Array.from(top.sorted()).sort();
}
