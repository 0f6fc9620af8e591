import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { QueryPlan } from '../plan/query-plan.js';
import { QueryError } from '../query-error.js';
import type { Deadline } from './deadline.js';
import type { ExecutionStats } from './execution-stats.js';
import { SegmentFilter } from './filter.js';
import type { FilterNode } from './filter-tree.js';
import type { GroupByAggregator } from './group-by.js';
import { iota } from './scratch.js';
import type { Scratch } from './scratch.js';
import type { ColumnBlock, SegmentSnapshot } from './segment-snapshot.js';
import type { SelectionCollector } from './selection.js';
import type { SharedTopBound } from './shared-top-bound.js';
import { chooseStarTree, starTreeRows } from './star-tree-exec.js';

/**
 * Longest a scan keeps the event loop between two yields, in ms (checked after each block). A
 * block's rows are processed without a break, so a block of expensive rows can hold it longer.
 */
export const SLICE_MS = 10;

/** What one segment's scan found, for the broker response's statistics. */
export interface ScanOutcome {
  /** `empty`: no rows (dropped before pruning); `pruned`: min/max or an index ruled it out. */
  readonly kind: 'empty' | 'pruned' | 'processed';
  readonly matched: number;
  readonly entriesScannedInFilter: number;
}

/** Where a scan sends the rows it selects: exactly one of the two. */
export interface ScanSink {
  readonly aggregator: GroupByAggregator | null;
  readonly collector: SelectionCollector | null;
}

/** What every segment scan of one query shares. */
export interface ScanContext {
  readonly plan: QueryPlan;
  readonly filterTree: FilterNode;
  readonly scratch: Scratch;
  readonly deadline: Deadline;
  /**
   * When the current event-loop slice started; the scan yields once `SLICE_MS` have passed. Null
   * on a worker thread, which has no one to yield to.
   */
  readonly slice: { start: number } | null;
  /** A reused buffer for the live rows of a block. */
  readonly liveSel: { buffer: Int32Array };
  /** An ORDER BY selection split across threads: the cut-off they share (`SharedTopBound`). */
  readonly topBound?: SharedTopBound | null;
}

/**
 * Scans one segment into `sink`: prunes it by min/max and indexes, then filters each block and
 * hands the selected (live) rows on. The deadline is read once per block.
 */
export async function scanSegment(ctx: ScanContext, segment: SegmentSnapshot, sink: ScanSink): Promise<ScanOutcome> {
  const { plan, filterTree, deadline, slice } = ctx;
  const { aggregator, collector } = sink;
  const clock = deadline.clock;
  // Empty segments are dropped before pruning, as Pinot's SegmentPrunerService does (neither processed nor pruned by a pruner).
  if (segment.numDocs === 0) return { kind: 'empty', matched: 0, entriesScannedInFilter: 0 };
  const filter = new SegmentFilter(filterTree, segment, ctx.scratch);
  const live = liveMask(plan, segment);
  if (!filter.segmentMayMatch()) return { kind: 'pruned', matched: 0, entriesScannedInFilter: 0 };
  const starTree = aggregator !== null ? chooseStarTree(plan, segment) : null;
  if (starTree !== null) {
    // Answered from pre-aggregated records: numDocsScanned counts records, as Pinot counts star-tree records.
    const rows = starTreeRows(plan, segment, starTree);
    aggregator!.addStarTree(segment, rows, starTree.aggregations);
    return { kind: 'processed', matched: rows.n, entriesScannedInFilter: plan.filter === null ? 0 : rows.examined };
  }
  if (aggregator !== null && live === null && filterTree.kind === 'all' && aggregator.addDictionaries(segment)) {
    // Every row read through the dictionaries (numDocsScanned counts them, as Pinot's dictionary-based plan does).
    return { kind: 'processed', matched: segment.numDocs, entriesScannedInFilter: 0 };
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
    if (slice !== null && now - slice.start >= SLICE_MS) {
      await yieldToEventLoop();
      slice.start = clock();
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
    if (live !== null && n > 0) ({ sel, n } = keepLive(sel, n, live, segment.blocks[bi]!.firstDoc, ctx.liveSel));
    if (n === 0) continue;
    matched += n;
    if (aggregator) aggregator.add(segment, block, sel, n, bi);
    else collector!.add(block, sel, n);
  }
  return { kind: 'processed', matched, entriesScannedInFilter: filter.entriesScanned };
}

/** Adds one segment's outcome to the query's statistics. */
export function countOutcome(stats: ExecutionStats, outcome: ScanOutcome, consuming: boolean): void {
  if (outcome.kind === 'pruned') stats.numSegmentsPrunedByValue++;
  if (outcome.kind !== 'processed') return;
  stats.numSegmentsProcessed++;
  if (consuming) stats.numConsumingSegmentsProcessed++;
  stats.numEntriesScannedInFilter += outcome.entriesScannedInFilter;
  stats.numDocsScanned += outcome.matched;
  if (outcome.matched > 0) stats.numSegmentsMatched++;
  if (outcome.matched > 0 && consuming) stats.numConsumingSegmentsMatched++;
}

/** Any error of a scan as the query error the broker answers (function errors on row values become 200). */
export function asQueryError(err: unknown): QueryError {
  if (err instanceof QueryError) return err;
  if (err instanceof RangeError && /call stack|Invalid array length/i.test(err.message)) return new QueryError('QUERY_EXECUTION', `query too large to execute: ${err.message}`);
  return new QueryError('QUERY_EXECUTION', (err as Error)?.message ?? String(err));
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
