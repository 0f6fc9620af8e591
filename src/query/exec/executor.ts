import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { QueryPlan } from '../plan/query-plan.js';
import { QueryError } from '../query-error.js';
import { Deadline, withDeadline } from './deadline.js';
import type { Clock } from './deadline.js';
import { emptyStats } from './execution-stats.js';
import type { ExecutionStats } from './execution-stats.js';
import { SegmentFilter } from './filter.js';
import { buildFilter } from './filter-tree.js';
import { GroupByAggregator } from './group-by.js';
import { iota, Scratch } from './scratch.js';
import { finishAggregation } from './post-aggregation.js';
import type { ColumnBlock, SegmentSnapshot } from './segment-snapshot.js';
import { SelectionCollector } from './selection.js';
import { chooseStarTree, starTreeRows } from './star-tree-exec.js';
import { withVirtualColumns } from './virtual-columns.js';

export interface ExecutionResult {
  readonly rows: unknown[][];
  readonly stats: ExecutionStats;
  readonly numGroupsLimitReached: boolean;
}

/**
 * Longest the executor keeps the event loop between two yields, in ms (checked after each
 * block). A block's rows are processed without a break, so a block of expensive rows can hold
 * it longer; queries do not run on worker threads yet.
 */
const SLICE_MS = 10;

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
  return withDeadline(deadline, () => run(plan, segments.map((s) => withVirtualColumns(s)), deadline, stats));
}

async function run(plan: QueryPlan, segments: readonly SegmentSnapshot[], deadline: Deadline, stats: ExecutionStats): Promise<ExecutionResult> {
  const clock = deadline.clock;
  deadline.check();
  const filterTree = buildFilter(plan.filter);
  const scratch = new Scratch();
  const aggregator = plan.kind === 'aggregation' ? new GroupByAggregator(plan) : null;
  const collector = plan.kind === 'selection' ? new SelectionCollector(plan) : null;
  let minFreshness = Number.POSITIVE_INFINITY;
  const liveSel = { buffer: new Int32Array(0) };
  let sliceStart = clock();
  let emptySegments = 0;
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
  try {
    for (const segment of segments) {
      if (collector?.done) {
        // Pinot's limit pruning: a selection-only LIMIT is filled; the rest are never read.
        stats.numSegmentsPrunedByLimit += segments.length - stats.numSegmentsProcessed - stats.numSegmentsPrunedByValue - emptySegments;
        break;
      }
      deadline.check();
      // Empty segments are dropped before pruning, as Pinot's SegmentPrunerService does (neither processed nor pruned by a pruner).
      if (segment.numDocs === 0) {
        emptySegments++;
        continue;
      }
      const filter = new SegmentFilter(filterTree, segment, scratch);
      const live = liveMask(plan, segment);
      if (!filter.segmentMayMatch()) {
        stats.numSegmentsPrunedByValue++;
        continue;
      }
      stats.numSegmentsProcessed++;
      if (segment.consuming) stats.numConsumingSegmentsProcessed++;
      const starTree = aggregator !== null ? chooseStarTree(plan, segment) : null;
      if (starTree !== null) {
        // Answered from pre-aggregated records: numDocsScanned counts records, as in Pinot.
        const rows = starTreeRows(plan, segment, starTree);
        aggregator!.addStarTree(segment, rows, starTree.aggregations);
        stats.numEntriesScannedInFilter += plan.filter === null ? 0 : rows.examined;
        stats.numDocsScanned += rows.n;
        if (rows.n > 0) stats.numSegmentsMatched++;
        continue;
      }
      let matched = 0;
      // Column blocks of the current block, each read once (one map and closure per segment).
      let bi = 0;
      const cache = new Map<string, ColumnBlock>();
      const block = (column: string): ColumnBlock => {
        let b = cache.get(column);
        if (b === undefined) {
          b = segment.block(column, bi);
          cache.set(column, b);
        }
        return b;
      };
      for (; bi < segment.blocks.length; bi++) {
        if (collector?.done) break;
        // One clock reading per block: the deadline check and the event-loop slice.
        const now = clock();
        deadline.checkAt(now);
        if (now - sliceStart >= SLICE_MS) {
          await yieldToEventLoop();
          sliceStart = clock();
          deadline.check();
        }
        cache.clear();
        const numDocs = segment.blocks[bi]!.numDocs;
        if (live === null && collector !== null && filterTree.kind === 'all' && collector.blockCannotImprove(segment, bi)) {
          // Every row matches (they count as scanned, as in Pinot) but none can enter the top-k.
          matched += numDocs;
          continue;
        }
        let { sel, n } = filterTree.kind === 'all' ? { sel: iota(numDocs), n: numDocs } : filter.select(bi, block);
        if (live !== null && n > 0) ({ sel, n } = keepLive(sel, n, live, segment.blocks[bi]!.firstDoc, liveSel));
        if (n === 0) continue;
        matched += n;
        if (aggregator) aggregator.add(segment, block, sel, n);
        else collector!.add(block, sel, n);
      }
      stats.numEntriesScannedInFilter += filter.entriesScanned;
      stats.numDocsScanned += matched;
      if (matched > 0) stats.numSegmentsMatched++;
      if (matched > 0 && segment.consuming) stats.numConsumingSegmentsMatched++;
    }
  } catch (err) {
    if (err instanceof QueryError) throw err;
    if (err instanceof RangeError && /call stack|Invalid array length/i.test(err.message)) throw new QueryError('QUERY_EXECUTION', `query too large to execute: ${err.message}`);
    throw new QueryError('QUERY_EXECUTION', (err as Error).message ?? String(err));
  }
  stats.numEntriesScannedPostFilter = stats.numDocsScanned * plan.postFilterColumns.length;
  stats.minConsumingFreshnessTimeMs = Number.isFinite(minFreshness) ? minFreshness : 0;
  let rows: unknown[][];
  try {
    rows = aggregator ? finishAggregation(plan as Extract<QueryPlan, { kind: 'aggregation' }>, aggregator.results()) : collector!.results();
  } catch (err) {
    if (err instanceof QueryError) throw err;
    throw new QueryError('QUERY_EXECUTION', (err as Error).message ?? String(err));
  }
  return { rows, stats, numGroupsLimitReached: aggregator?.limitReached ?? false };
}

/** The bitmap of rows this query may see in `segment` (upsert tables), or null for all rows. */
function liveMask(plan: QueryPlan, segment: SegmentSnapshot): Uint8Array | null {
  if (segment.liveDocs === null || plan.options.skipUpsert) return null;
  return plan.options.skipUpsertDelete ? segment.liveDocs.valid : segment.liveDocs.queryable;
}

/** The selected rows of a block whose doc (`firstDoc + row`) is set in `live`, in a reused buffer. */
function keepLive(sel: Int32Array, n: number, live: Uint8Array, firstDoc: number, out: { buffer: Int32Array }): { sel: Int32Array; n: number } {
  if (out.buffer.length < n) out.buffer = new Int32Array(Math.max(n, 1024));
  const kept = out.buffer;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const doc = firstDoc + sel[i]!;
    if (((live[doc >> 3] ?? 0) & (1 << (doc & 7))) !== 0) kept[k++] = sel[i]!;
  }
  return { sel: kept, n: k };
}
