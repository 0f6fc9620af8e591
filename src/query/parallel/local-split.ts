import { listedRun } from '../exec/count-run.js';
import { listedParts } from '../exec/distinct-values.js';
import type { DistinctParts } from '../exec/distinct-values.js';
import type { AggregationPartial } from '../exec/group-by.js';
import { lowerBound } from '../exec/value-counts.js';
import type { AggregationPlan } from '../plan/query-plan.js';
import { inPartition } from './partition-aggregator.js';
import type { KeyPartition } from './partition-aggregator.js';

/**
 * The partial of the main thread's segments of a query split by key, read once with a plain
 * aggregator, cut into one partial per partition; null when its shape cannot be cut, and each
 * partition then reads those segments itself (`PartitionAggregator`). Two shapes can:
 * - a COUNT-only GROUP BY whose counts are all still in their run (`numGroups` 0): the run's
 *   keys ascend (dense counts listed first), so each partition's entries are one slice of it;
 * - distinct counts without GROUP BY: each set's values are sorted into their partitions.
 * Reading the 10M bench's consuming segment once instead of once per partition took the main
 * thread's part of group-high-card-top split in two from ~63 ms of profile to 18-28 ms of CPU
 * (its raw LONG key is gathered, sorted and counted per read; bench/notes.md, 2026-12-07).
 */
export function splitByKey(plan: AggregationPlan, partial: AggregationPartial, partitions: readonly KeyPartition[]): AggregationPartial[] | null {
  if (plan.groupBy.length === 1) {
    if (partial.run === undefined || partial.numGroups !== 0) return null;
    const run = listedRun(partial.run);
    return partitions.map((p) => {
      const [from, to] = sliceOf(run.keys, p);
      return { ...partial, run: { keys: run.keys.slice(from, to), counts: run.counts.slice(from, to) } };
    });
  }
  if (plan.groupBy.length !== 0 || partial.numGroups !== 1 || !partial.states.every((s) => s.kind === 'distinct')) return null;
  return partitions.map((p) => ({
    ...partial,
    states: partial.states.map((s) => (s.kind === 'distinct' ? { kind: 'distinct' as const, sets: s.sets.map((set) => (set === null ? null : partsIn(set, p))) } : s)),
  }));
}

/** The values of `parts` in partition `p`. */
function partsIn(marked: DistinctParts, p: KeyPartition): DistinctParts {
  const parts = listedParts(marked);
  const cut = (xs: Float64Array, sorted: boolean): Float64Array => (sorted ? xs.slice(...sliceOf(xs, p)) : xs.filter((x) => inPartition(p, x)));
  return { nums: cut(parts.nums, parts.numsSorted), numsSorted: parts.numsSorted, longs: cut(parts.longs, parts.longsSorted), longsSorted: parts.longsSorted, others: parts.others.filter((v) => inPartition(p, v)) };
}

/** The indices `[from, to)` of the ascending `xs` whose values lie in partition `p`. */
function sliceOf(xs: Float64Array, p: KeyPartition): [number, number] {
  return [p.lo === null ? 0 : lowerBound(xs, p.lo), p.hi === null ? xs.length : lowerBound(xs, p.hi)];
}
