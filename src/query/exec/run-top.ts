import type { AggregationPlan } from '../plan/query-plan.js';
import { listedRun } from './count-run.js';
import type { CountRunPartial } from './count-run.js';
import { TopK } from './order.js';

type ListedRun = { readonly keys: Float64Array; readonly counts: Float64Array };

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
  const order = countOrder(plan);
  if (order === null || want >= n) return null;
  // The compared columns themselves: a closure choosing between them per compare took 2.5x longer.
  const columns = order.byCount.map((byCount) => (byCount ? counts : keys));
  const desc = order.desc;
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

/** The ORDER BY of a COUNT-only GROUP BY as (by the count?, descending?) per key; null with HAVING or any other ORDER BY expression. */
function countOrder(plan: AggregationPlan): { readonly byCount: boolean[]; readonly desc: boolean[] } | null {
  if (plan.having !== null) return null;
  const byCount: boolean[] = [];
  for (const o of plan.orderBy) {
    if (o.expr.kind === 'groupKey' && o.expr.index === 0) byCount.push(false);
    else if (o.expr.kind === 'aggregate') byCount.push(true);
    else return null;
  }
  return { byCount, desc: plan.orderBy.map((o) => o.desc) };
}

/**
 * The entries of a taken run (`CountRun.takePartial`) that can reach the result, listed (keys
 * ascending): those `runTop` or `denseTop` select, or every entry where they answer null.
 */
export function bestEntries(plan: AggregationPlan, run: CountRunPartial): ListedRun {
  if ('dense' in run) return denseTop(plan, run.base, run.dense) ?? listedRun(run);
  const top = runTop(plan, run.keys, run.counts);
  return top === null ? run : { keys: Float64Array.from(top, (i) => run.keys[i]!), counts: Float64Array.from(top, (i) => run.counts[i]!) };
}

/**
 * `runTop` over dense counts (key `base + k` counted `dense[k]` times, 0: no such key), answering
 * the selected entries themselves: read out of the dense counts, a million keys were listed (16
 * MiB) for ten to be kept. Once the heap is full, a key whose first ORDER BY value is worse than
 * the worst kept one's is passed by with one comparison, not a call. Null as `runTop`.
 */
export function denseTop(plan: AggregationPlan, base: number, dense: Float64Array): ListedRun | null {
  const want = plan.offset + plan.limit;
  const order = countOrder(plan);
  if (order === null) return null;
  const { byCount, desc } = order;
  // Keys ascend with `k`: `k` orders as the key does.
  const value = (j: number, k: number): number => (byCount[j] ? dense[k]! : k);
  const top = new TopK<number>(want, (a, b) => {
    for (let j = 0; j < byCount.length; j++) {
      const x = value(j, a);
      const y = value(j, b);
      if (x !== y) return (x < y) !== desc[j] ? -1 : 1;
    }
    return 0;
  });
  const firstByCount = byCount[0] === true;
  const firstDesc = desc[0] === true;
  // Once the heap is full: the first ORDER BY value of its worst entry.
  let full = false;
  let bar = 0;
  let n = 0;
  for (let k = 0; k < dense.length; k++) {
    const c = dense[k]!;
    if (c === 0) continue;
    n++;
    if (full) {
      const v = firstByCount ? c : k;
      if (v !== bar && v < bar === firstDesc) continue;
    }
    top.offer(k);
    if (top.size === want && byCount.length > 0) {
      full = true;
      bar = value(0, top.worst()!);
    }
  }
  if (want >= n) return null;
  const kept = Int32Array.from(top.sorted()).sort();
  return { keys: Float64Array.from(kept, (k) => base + k), counts: Float64Array.from(kept, (k) => dense[k]!) };
}
