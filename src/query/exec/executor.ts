import type { AggregationPlan, QueryPlan } from '../plan/query-plan.js';
import { QueryError } from '../query-error.js';
import { Deadline, withDeadline } from './deadline.js';
import type { Clock } from './deadline.js';
import { emptyStats } from './execution-stats.js';
import type { ExecutionStats } from './execution-stats.js';
import { buildFilter } from './filter-tree.js';
import { GroupByAggregator } from './group-by.js';
import { Scratch } from './scratch.js';
import { finishAggregation } from './post-aggregation.js';
import { asQueryError, countOutcome, scanSegment } from './segment-scan.js';
import type { ScanContext, ScanSink } from './segment-scan.js';
import type { SegmentSnapshot } from './segment-snapshot.js';
import { SelectionCollector } from './selection.js';
import { withVirtualColumns } from './virtual-columns.js';
import { queryMemory, withReservation } from '../../segment/reader/query-memory.js';

export interface ExecutionResult {
  readonly rows: unknown[][];
  readonly stats: ExecutionStats;
  readonly numGroupsLimitReached: boolean;
  /** The query's share of the memory budget (`QueryReservation`): most bytes its structures held, and by how much the budget was exceeded (0: never). */
  readonly memory?: { readonly peakBytes: number; readonly exceededBytes: number };
}

/**
 * Runs a plan over segment snapshots (taken by the caller, synchronously, before this is
 * called, so the set of rows is fixed): prune each segment by min/max, filter each block, then
 * aggregate or collect selection rows. The deadline is checked between segments and before
 * every block (numeric per-row work is bounded by the block) and, through `Deadline.tick`, inside
 * per-row evaluation whose cost grows with the values (strings, arrays, patterns): past it the
 * query fails with 250. After every block that ends a slice of `SLICE_MS` the executor yields to the
 * event loop, so other requests (`/health`, ingestion) keep being served.
 * Errors raised by functions on row values become 200 errors.
 */
export async function executePlan(plan: QueryPlan, segments: readonly SegmentSnapshot[], deadlineMs: number, clock: Clock = Date.now): Promise<ExecutionResult> {
  const stats = emptyStats();
  const deadline = new Deadline(deadlineMs, clock, () => new QueryError('EXECUTION_TIMEOUT', { timeoutMs: plan.options.timeoutMs, processed: stats.numSegmentsProcessed, total: segments.length }));
  // Its large structures reserve from the memory budget as they grow; given back however it ends.
  const reservation = queryMemory.open(`query on table ${plan.tableName}`);
  try {
    const result = await withReservation(reservation, () => withDeadline(deadline, () => run(plan, segments.map((s) => withVirtualColumns(s)), deadline, stats)));
    return { ...result, memory: { peakBytes: reservation.peakBytes, exceededBytes: reservation.exceededBytes } };
  } finally {
    reservation.release();
  }
}

async function run(plan: QueryPlan, segments: readonly SegmentSnapshot[], deadline: Deadline, stats: ExecutionStats): Promise<ExecutionResult> {
  deadline.check();
  const aggregator = plan.kind === 'aggregation' ? new GroupByAggregator(plan) : null;
  const collector = plan.kind === 'selection' ? new SelectionCollector(plan) : null;
  countSegments(plan, segments, stats);
  const ctx: ScanContext = { plan, filterTree: buildFilter(plan.filter), scratch: new Scratch(), deadline, slice: { start: deadline.clock() }, liveSel: { buffer: new Int32Array(0) } };
  await scanSegments(ctx, segments, { aggregator, collector }, stats);
  return finishExecution(plan, stats, () => (aggregator ? finishAggregation(plan as AggregationPlan, aggregator.results()) : collector!.results()), aggregator?.limitReached ?? false);
}

/**
 * Scans `segments` in order into the sink, counting each outcome into `stats`. Pinot's limit
 * pruning: once a selection-only LIMIT is filled, the rest are never read. Errors become query
 * errors.
 */
export async function scanSegments(ctx: ScanContext, segments: readonly SegmentSnapshot[], sink: ScanSink, stats: ExecutionStats): Promise<void> {
  let emptySegments = 0;
  try {
    for (const segment of segments) {
      if (sink.collector?.done) {
        stats.numSegmentsPrunedByLimit += segments.length - stats.numSegmentsProcessed - stats.numSegmentsPrunedByValue - emptySegments;
        break;
      }
      ctx.deadline.check();
      const outcome = await scanSegment(ctx, segment, sink);
      if (outcome.kind === 'empty') emptySegments++;
      countOutcome(stats, outcome, segment.consuming);
    }
  } catch (err) {
    throw asQueryError(err);
  }
}

/**
 * The statistics every segment contributes before any is read: queried, total docs, live rows
 * (upsert tables), consuming segments and their freshness.
 */
export function countSegments(plan: QueryPlan, segments: readonly SegmentSnapshot[], stats: ExecutionStats): void {
  let minFreshness = Number.POSITIVE_INFINITY;
  for (const segment of segments) {
    stats.numSegmentsQueried++;
    stats.totalDocs += segment.numDocs;
    if (segment.liveDocs !== null) {
      const { options } = plan;
      const live = options.skipUpsert ? segment.numDocs : options.skipUpsertDelete ? segment.liveDocs.numValid : segment.liveDocs.numQueryable;
      stats.liveRows = (stats.liveRows ?? 0) + live;
    }
    if (segment.consuming) {
      stats.numConsumingSegmentsQueried++;
      if (segment.freshnessMs !== null) minFreshness = Math.min(minFreshness, segment.freshnessMs);
    }
  }
  stats.minConsumingFreshnessTimeMs = Number.isFinite(minFreshness) ? minFreshness : 0;
}

/** The result once every segment is read: final statistics and rows (`rowsOf` runs post-aggregation or selection). */
export function finishExecution(plan: QueryPlan, stats: ExecutionStats, rowsOf: () => unknown[][], numGroupsLimitReached: boolean): ExecutionResult {
  stats.numEntriesScannedPostFilter = stats.numDocsScanned * plan.postFilterColumns.length;
  let rows: unknown[][];
  try {
    rows = rowsOf();
  } catch (err) {
    throw asQueryError(err);
  }
  return { rows, stats, numGroupsLimitReached };
}
