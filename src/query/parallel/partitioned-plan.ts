import { storedTypeOf } from '../../config/data-type.js';
import { buildFilter } from '../exec/filter-tree.js';
import type { SegmentSnapshot } from '../exec/segment-snapshot.js';
import { chooseStarTree } from '../exec/star-tree-exec.js';
import type { BoundExpr } from '../plan/bound-expr.js';
import type { AggregationPlan, QueryPlan } from '../plan/query-plan.js';
import { isVirtualColumn } from '../plan/virtual-columns.js';
import type { ParallelExecution } from './parallel-executor.js';
import { DEFAULT_MAX_GROUP_SHARE, columnValues, distinctBound, groupBound, onWorker, worthParallel } from './parallel-executor.js';
import type { KeyPartition, PartitionBound } from './partition-aggregator.js';
import { estimatedRows } from './pool-cost.js';

/**
 * How a query splits across the pool: by segments (`executeInParallel`), or by key
 * (`executePartitioned`): each worker owns one partition of the key's values and reads every
 * sealed segment, aggregating only its keys.
 */
export type ParallelRoute = { readonly kind: 'segments' } | { readonly kind: 'partitioned'; readonly shape: 'groups' | 'distinct'; readonly partitions: readonly KeyPartition[] };

/** The route of `plan` over `segments` on the pool, or null: the main thread runs it. */
export function parallelRoute(plan: QueryPlan, segments: readonly SegmentSnapshot[], parallel: Pick<ParallelExecution, 'minRows' | 'maxGroupShare' | 'orderedSelections' | 'partitioned' | 'pool'>): ParallelRoute | null {
  if (worthParallel(plan, segments, parallel)) return { kind: 'segments' };
  if (parallel.partitioned !== true || plan.kind !== 'aggregation' || parallel.pool.threads < 2) return null;
  const shape = partitionedShape(plan, segments, parallel.maxGroupShare ?? DEFAULT_MAX_GROUP_SHARE);
  if (shape === null || !readsEnough(plan, segments, parallel.minRows)) return null;
  const partitions = keyPartitions(shape.column, segments, parallel.pool.threads);
  return partitions === null ? null : { kind: 'partitioned', shape: shape.shape, partitions };
}

interface KeyColumn {
  readonly name: string;
  /** Stored as LONG (bigint bounds) rather than INT (number bounds). */
  readonly long: boolean;
}

/** The plain INT/LONG single-value stored column `expr` is, or null. */
function keyColumn(expr: BoundExpr | null): KeyColumn | null {
  if (expr === null || expr.kind !== 'column' || !expr.type.sv || isVirtualColumn(expr.column.name)) return null;
  const stored = storedTypeOf(expr.column.dataType);
  return stored === 'INT' || stored === 'LONG' ? { name: expr.column.name, long: stored === 'LONG' } : null;
}

/**
 * Whether `plan` can be partitioned by key, and by which column (docs/query.md, "Partitioned by
 * key"): a query the segment split declines for its many groups or distinct values per segment
 * (`groupBound`, `distinctBound`), that
 * - groups by one INT/LONG column and orders by that key among its ORDER BY keys (the order of
 *   groups is then total: each partition's best `offset + limit` groups hold the answer's, and
 *   no tie depends on the order groups were made in), with no segment where `numGroupsLimit`
 *   could bind (a segment's values of the key fit in it: Pinot's per-segment cut is kept by
 *   the main thread's path otherwise); or
 * - has no GROUP BY and only exact distinct counts (the DISTINCTCOUNT family) of one INT/LONG
 *   column: the partitions' counts add up;
 * over at least two segments with rows, expected to read `minRows` rows of its sealed segments,
 * with no star-tree that could answer a segment (its records are not split by key).
 */
function partitionedShape(plan: AggregationPlan, segments: readonly SegmentSnapshot[], maxGroupShare: number): { shape: 'groups' | 'distinct'; column: KeyColumn } | null {
  const first = segments.find(onWorker);
  if (first === undefined) return null;
  let shape: 'groups' | 'distinct';
  let column: KeyColumn | null;
  if (plan.groupBy.length > 0) {
    if (plan.groupBy.length !== 1 || !plan.orderBy.some((o) => o.expr.kind === 'groupKey')) return null;
    column = keyColumn(plan.groupBy[0]!);
    if (column === null || groupBound(plan, first) < first.numDocs * maxGroupShare) return null;
    const limit = plan.options.numGroupsLimit;
    if (segments.some((s) => s.numDocs > 0 && (columnValues(plan.groupBy[0]!, s) ?? s.numDocs) > limit)) return null;
    shape = 'groups';
  } else {
    column = plan.aggregations.length > 0 ? keyColumn(plan.aggregations[0]!.arg) : null;
    if (column === null || !plan.aggregations.every((a) => a.fn.kind === 'distinct' && !a.fn.mv && keyColumn(a.arg)?.name === column!.name)) return null;
    if (distinctBound(plan, first) < first.numDocs * maxGroupShare) return null;
    shape = 'distinct';
  }
  if (segments.some((s) => chooseStarTree(plan, s) !== null)) return null;
  let withRows = 0;
  const sealed: SegmentSnapshot[] = [];
  for (const s of segments) {
    if (s.numDocs > 0) withRows++;
    if (onWorker(s)) sealed.push(s);
  }
  if (withRows < 2 || sealed.length === 0) return null;
  return { shape, column };
}

/**
 * `threads` partitions of `column`'s values with about equal keys each: cut at the values of the
 * first sealed segment's sorted dictionary at `size * w / threads`, or, for a column stored
 * without one, at equal steps between its min and max; null when neither is known.
 */
function keyPartitions({ name: column, long }: KeyColumn, segments: readonly SegmentSnapshot[], threads: number): KeyPartition[] | null {
  const first = segments.find(onWorker)!;
  const dict = first.dictionary(column);
  const cuts: PartitionBound[] = [null];
  const typed = (v: unknown): PartitionBound => (long ? BigInt(v as number | bigint) : Number(v));
  if (dict !== null && dict.sorted && dict.size >= threads) {
    for (let w = 1; w < threads; w++) {
      const v = dict.get(Math.floor((dict.size * w) / threads));
      if (typeof v !== 'number' && typeof v !== 'bigint') return null;
      cuts.push(typed(v));
    }
  } else {
    const stats = first.columnStats(column);
    const min = stats?.min;
    const max = stats?.max;
    if ((typeof min !== 'number' && typeof min !== 'bigint') || (typeof max !== 'number' && typeof max !== 'bigint')) return null;
    const lo = BigInt(min);
    const span = BigInt(max) - lo;
    for (let w = 1; w < threads; w++) cuts.push(typed(lo + (span * BigInt(w)) / BigInt(threads)));
  }
  cuts.push(null);
  return Array.from({ length: threads }, (_, w) => ({ column, lo: cuts[w]!, hi: cuts[w + 1]! }));
}

/** Whether `plan` over `segments` reads enough rows to be worth a hop (`estimatedRows`). */
export function readsEnough(plan: QueryPlan, segments: readonly SegmentSnapshot[], minRows: number): boolean {
  const sealed = segments.filter(onWorker);
  if (sealed.reduce((n, s) => n + s.numDocs, 0) < minRows) return false;
  return estimatedRows(buildFilter(plan.filter), sealed) >= minRows;
}
