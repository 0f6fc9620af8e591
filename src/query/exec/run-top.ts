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
 * the selected entries themselves (every entry when there are no more than `offset + limit`): read
 * out of the dense counts, a million keys were listed (16 MiB) for ten to be kept. Null as
 * `runTop` when the ORDER BY is not made of the key and counts.
 */
export function denseTop(plan: AggregationPlan, base: number, dense: Float64Array): ListedRun | null {
  const order = countOrder(plan);
  if (order === null) return null;
  const want = plan.offset + plan.limit;
  const kept = Int32Array.from(order.byCount[0] === true ? topByCount(dense, want, order) : topByKey(dense, want, order.desc[0] === true)).sort();
  return { keys: Float64Array.from(kept, (k) => base + k), counts: Float64Array.from(kept, (k) => dense[k]!) };
}

type CountOrder = NonNullable<ReturnType<typeof countOrder>>;

/**
 * The best `want` entries of dense counts whose first ORDER BY key is the count, by a top-k heap.
 * Once the heap is full, an entry whose count is worse than the worst kept one's, or equal where
 * the later key loses the tie, is passed by with a comparison or two: the loop over a million keys
 * took 6.5 ms with a closure per entry and a count of keys alongside, 2.5 ms so (bench/notes.md,
 * 2026-12-08).
 */
function topByCount(dense: Float64Array, want: number, order: CountOrder): number[] {
  const desc = order.desc[0] === true;
  // Entries of equal count: the later one (larger key) wins when the next ORDER BY key that is
  // not the count is the key, descending; otherwise the earlier one, as `TopK` keeps ties.
  const next = order.byCount.indexOf(false);
  const laterWins = next > 0 && order.desc[next] === true;
  if (want === 0) return [];
  const top = new TopK<number>(want, entryOrder(dense, order));
  let full = false;
  let bar = 0;
  for (let k = 0; k < dense.length; k++) {
    const c = dense[k]!;
    if (c === bar ? full && !laterWins : full && (c < bar) === desc) continue;
    if (c === 0) continue;
    top.offer(k);
    if (top.size === want) {
      full = true;
      bar = dense[top.worst()!]!;
    }
  }
  return top.sorted();
}

/** The entries of dense counts by ORDER BY key first: the first `want` keys with a count, or the last (`desc`). */
function topByKey(dense: Float64Array, want: number, desc: boolean): number[] {
  const kept: number[] = [];
  if (desc) {
    for (let k = dense.length - 1; k >= 0 && kept.length < want; k--) if (dense[k] !== 0) kept.push(k);
  } else {
    for (let k = 0; k < dense.length && kept.length < want; k++) if (dense[k] !== 0) kept.push(k);
  }
  return kept;
}

/** Compares two entries `k` of dense counts by the ORDER BY (keys ascend with `k`). */
function entryOrder(dense: Float64Array, order: CountOrder): (a: number, b: number) => number {
  const { byCount, desc } = order;
  return (a, b) => {
    for (let j = 0; j < byCount.length; j++) {
      const x = byCount[j] ? dense[a]! : a;
      const y = byCount[j] ? dense[b]! : b;
      if (x !== y) return (x < y) !== desc[j] ? -1 : 1;
    }
    return 0;
  };
}
