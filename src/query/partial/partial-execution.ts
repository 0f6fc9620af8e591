import { Deadline, withDeadline } from '../exec/deadline.js';
import { emptyStats } from '../exec/execution-stats.js';
import type { ExecutionStats } from '../exec/execution-stats.js';
import { countSegments, scanSegments } from '../exec/executor.js';
import { buildFilter } from '../exec/filter-tree.js';
import { GroupByAggregator } from '../exec/group-by.js';
import type { QueryPartial } from '../exec/partial-merge.js';
import { Scratch } from '../exec/scratch.js';
import type { ScanContext } from '../exec/segment-scan.js';
import type { SegmentSnapshot } from '../exec/segment-snapshot.js';
import { SelectionCollector } from '../exec/selection.js';
import { withVirtualColumns } from '../exec/virtual-columns.js';
import type { QueryPlan } from '../plan/query-plan.js';
import { QueryError } from '../query-error.js';
import { queryMemory, withReservation } from '../../segment/reader/query-memory.js';

/**
 * One server's answer to its share of a query: the statistics of its segments (as
 * `executePlan` counts them) and their merged partial (`PartialMerge` merges these from every
 * server). Sent between servers with `node:v8` `serialize`.
 */
export interface ServerPartial {
  readonly stats: ExecutionStats;
  readonly partial: QueryPartial;
}

/**
 * Runs `plan` over `segments` (snapshots taken by the caller) on this thread and keeps the answer
 * unfinished: an aggregation's groups and states over all of them (every group, up to
 * `numGroupsLimit` per segment: HAVING, ORDER BY and LIMIT apply after the merge), an ORDER BY
 * selection's best `offset + limit` rows with their keys, or a plain selection's first
 * `offset + limit` rows (its scan stops there, as `executePlan`'s does). Past the deadline it fails
 * with 250.
 */
export async function executeToPartial(plan: QueryPlan, segments: readonly SegmentSnapshot[], deadlineMs: number): Promise<ServerPartial> {
  const stats = emptyStats();
  const expired = (): QueryError => new QueryError('EXECUTION_TIMEOUT', { timeoutMs: plan.options.timeoutMs, processed: stats.numSegmentsProcessed, total: segments.length });
  const deadline = new Deadline(deadlineMs, Date.now, expired);
  // Reserved from this thread's memory budget while it runs; given back however it ends.
  const reservation = queryMemory.open(`query on table ${plan.tableName}`);
  try {
    return await withReservation(reservation, () => scanToPartial(plan, segments, deadline, stats));
  } finally {
    reservation.release();
  }
}

function scanToPartial(plan: QueryPlan, segments: readonly SegmentSnapshot[], deadline: Deadline, stats: ExecutionStats): Promise<ServerPartial> {
  return withDeadline(deadline, async () => {
    deadline.check();
    const views = segments.map((s) => withVirtualColumns(s));
    countSegments(plan, views, stats);
    const aggregator = plan.kind === 'aggregation' ? new GroupByAggregator(plan, { partial: true }) : null;
    // A selection's partial keeps the first offset + limit rows: OFFSET applies after the merge.
    const collector = plan.kind === 'selection' ? new SelectionCollector({ ...plan, offset: 0, limit: plan.offset + plan.limit }) : null;
    const ctx: ScanContext = { plan, filterTree: buildFilter(plan.filter), scratch: new Scratch(), deadline, slice: { start: Date.now() }, liveSel: { buffer: new Int32Array(0) } };
    await scanSegments(ctx, views, { aggregator, collector }, stats);
    stats.numEntriesScannedPostFilter = stats.numDocsScanned * plan.postFilterColumns.length;
    if (aggregator !== null) return { stats, partial: { kind: 'aggregation', value: aggregator.exportPartial().partial } };
    if (plan.kind === 'selection' && plan.orderBy.length > 0) return { stats, partial: { kind: 'selection', candidates: collector!.candidates() } };
    return { stats, partial: { kind: 'rows', rows: collector!.results() } };
  });
}

/**
 * Adds one server's statistics to the query's: counts add up, the freshness is the oldest of
 * those reported (0 = none), live rows add up when any server reports them.
 */
export function addStats(into: ExecutionStats, from: ExecutionStats): void {
  into.numDocsScanned += from.numDocsScanned;
  into.totalDocs += from.totalDocs;
  into.numEntriesScannedInFilter += from.numEntriesScannedInFilter;
  into.numSegmentsQueried += from.numSegmentsQueried;
  into.numSegmentsProcessed += from.numSegmentsProcessed;
  into.numSegmentsMatched += from.numSegmentsMatched;
  into.numConsumingSegmentsQueried += from.numConsumingSegmentsQueried;
  into.numConsumingSegmentsProcessed += from.numConsumingSegmentsProcessed;
  into.numConsumingSegmentsMatched += from.numConsumingSegmentsMatched;
  into.numSegmentsPrunedByValue += from.numSegmentsPrunedByValue;
  into.numSegmentsPrunedByLimit += from.numSegmentsPrunedByLimit;
  const a = into.minConsumingFreshnessTimeMs;
  const b = from.minConsumingFreshnessTimeMs;
  into.minConsumingFreshnessTimeMs = a === 0 ? b : b === 0 ? a : Math.min(a, b);
  if (from.liveRows !== null) into.liveRows = (into.liveRows ?? 0) + from.liveRows;
}
