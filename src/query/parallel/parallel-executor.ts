import { Deadline, withDeadline } from '../exec/deadline.js';
import { emptyStats } from '../exec/execution-stats.js';
import { countSegments } from '../exec/executor.js';
import type { ExecutionResult } from '../exec/executor.js';
import { buildFilter } from '../exec/filter-tree.js';
import { Scratch } from '../exec/scratch.js';
import { PartialMerge } from '../exec/partial-merge.js';
import { scanToPartial } from '../exec/segment-partial.js';
import type { SegmentResult } from '../exec/segment-partial.js';
import { asQueryError, countOutcome } from '../exec/segment-scan.js';
import type { ScanContext } from '../exec/segment-scan.js';
import type { SegmentSnapshot } from '../exec/segment-snapshot.js';
import { withVirtualColumns } from '../exec/virtual-columns.js';
import type { QueryPlan } from '../plan/query-plan.js';
import { isVirtualColumn } from '../plan/virtual-columns.js';
import { QueryError } from '../query-error.js';
import type { WorkerQuery } from './messages.js';
import type { QueryPool } from './query-pool.js';
import { WorkerUnavailableError } from './query-pool.js';

/** How the engine runs queries on a pool: the pool, and the least sealed rows worth a hop to it. */
export interface ParallelExecution {
  readonly pool: QueryPool;
  /** A query whose sealed segments hold fewer rows runs on the main thread (a hop costs a message and a plan). */
  readonly minRows: number;
  /** Groups per segment, as a share of its rows, from which a GROUP BY stays on the main thread (default 1/8; `Infinity`: never). */
  readonly maxGroupShare?: number;
  /**
   * Whether ORDER BY … LIMIT selections use the pool (default false): on the main thread one
   * top-k spans every segment, so blocks whose min/max cannot beat it are skipped; split by
   * segment, each worker keeps its own top-k and skips far less (measured: bench/notes.md).
   */
  readonly orderedSelections?: boolean;
}

/** The segments a worker can read: sealed, from a file, with rows. */
function onWorker(s: SegmentSnapshot): boolean {
  return !s.consuming && s.file !== undefined && s.numDocs > 0;
}

/**
 * A GROUP BY whose groups per segment may reach this share of the segment's rows stays on the
 * main thread: each segment's groups would be built in a worker, copied and built again at the
 * merge, which costs more than the scan it spreads (measured in bench/notes.md, "worker pool").
 */
export const DEFAULT_MAX_GROUP_SHARE = 1 / 8;

/**
 * Upper bound of the groups of `plan` in `segment` from its dictionaries: the product of the
 * dictionary sizes of plain-column keys (a column without a dictionary counts its rows; other
 * key expressions and virtual columns count 1, unknown).
 */
function groupBound(plan: Extract<QueryPlan, { kind: 'aggregation' }>, segment: SegmentSnapshot): number {
  let bound = 1;
  for (const key of plan.groupBy) {
    if (key.kind !== 'column' || isVirtualColumn(key.column.name)) continue;
    bound *= segment.dictionary(key.column.name)?.size ?? segment.numDocs;
  }
  return bound;
}

/**
 * Whether `plan` over `segments` is worth splitting across the pool: an aggregation (not a
 * high-cardinality GROUP BY, above), or, when enabled, a selection with ORDER BY (a selection
 * without it stops at its LIMIT, reading a few blocks), over at least two segments with rows, whose sealed
 * segments hold at least `minRows` rows.
 */
export function worthParallel(plan: QueryPlan, segments: readonly SegmentSnapshot[], parallel: Pick<ParallelExecution, 'minRows' | 'maxGroupShare' | 'orderedSelections'>): boolean {
  const { minRows, maxGroupShare = DEFAULT_MAX_GROUP_SHARE } = parallel;
  if (plan.kind === 'selection' && (plan.orderBy.length === 0 || parallel.orderedSelections !== true)) return false;
  if (plan.kind === 'aggregation' && plan.groupBy.length > 0) {
    const first = segments.find(onWorker);
    if (first !== undefined && groupBound(plan, first) >= first.numDocs * maxGroupShare) return false;
  }
  let withRows = 0;
  let sealedRows = 0;
  let sealed = 0;
  for (const s of segments) {
    if (s.numDocs > 0) withRows++;
    if (onWorker(s)) {
      sealed++;
      sealedRows += s.numDocs;
    }
  }
  return sealed > 0 && withRows >= 2 && sealedRows >= minRows;
}

/**
 * Runs `plan` with its sealed segments on the pool's workers, in parallel, while the main
 * thread reads the consuming segments (frozen in their snapshots) and any segment a worker could
 * not open. Each segment answers a partial result; the main thread merges them in segment order,
 * so groups, ties and the answer are those of `executePlan`. At the deadline the query's cancel
 * flag is set (workers drop its tasks at their next block) and it fails with 250; an error of
 * any segment fails the query.
 */
export async function executeInParallel(plan: QueryPlan, segments: readonly SegmentSnapshot[], deadlineMs: number, pool: QueryPool, query: WorkerQuery): Promise<ExecutionResult> {
  const stats = emptyStats();
  const cancel = new SharedArrayBuffer(4);
  const flag = new Int32Array(cancel);
  const expired = (): QueryError => new QueryError('EXECUTION_TIMEOUT', { timeoutMs: plan.options.timeoutMs, processed: stats.numSegmentsProcessed, total: segments.length });
  const deadline = new Deadline(deadlineMs, Date.now, expired, flag);
  return withDeadline(deadline, async () => {
    deadline.check();
    const views = segments.map((s) => withVirtualColumns(s));
    countSegments(plan, views, stats);
    const merge = new PartialMerge(plan);
    const ctx: ScanContext = { plan, filterTree: buildFilter(plan.filter), scratch: new Scratch(), deadline, slice: { start: Date.now() }, liveSel: { buffer: new Int32Array(0) } };
    // Main-thread segments run one after another, yielding between slices.
    let localChain: Promise<unknown> = Promise.resolve();
    const runLocal = (i: number): Promise<SegmentResult> => {
      const run = localChain.then(async () => (await scanToPartial(ctx, views[i]!)).result);
      localChain = run.catch(() => undefined);
      return run;
    };
    const results = segments.map((s, i): Promise<SegmentResult> => {
      if (!onWorker(s)) return runLocal(i);
      const task = { query, segmentName: s.name, numDocs: s.numDocs, file: s.file!, liveDocs: s.liveDocs, deadlineMs, cancel };
      return pool.run(query.id, task).catch((err: unknown) => {
        if (err instanceof WorkerUnavailableError && Atomics.load(flag, 0) === 0) return runLocal(i);
        throw err instanceof QueryError && err.kind === 'EXECUTION_TIMEOUT' ? expired() : err;
      });
    });
    for (const r of results) r.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        Atomics.store(flag, 0, 1);
        reject(expired());
      }, Math.max(0, deadlineMs - Date.now()) + 1);
    });
    timeout.catch(() => undefined);
    try {
      for (let i = 0; i < results.length; i++) {
        const result = await Promise.race([results[i]!, timeout]);
        countOutcome(stats, result.outcome, segments[i]!.consuming);
        merge.add(result.partial);
      }
    } catch (err) {
      throw asQueryError(err);
    } finally {
      clearTimeout(timer);
      // Whatever is still queued or running for this query is of no use now.
      Atomics.store(flag, 0, 1);
      pool.cancelQuery(query.id);
    }
    return merge.finish(stats);
  });
}
