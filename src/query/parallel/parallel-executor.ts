import { Deadline, withDeadline } from '../exec/deadline.js';
import { emptyStats } from '../exec/execution-stats.js';
import { countSegments } from '../exec/executor.js';
import type { ExecutionResult } from '../exec/executor.js';
import { buildFilter } from '../exec/filter-tree.js';
import { Scratch } from '../exec/scratch.js';
import { PartialMerge } from '../exec/partial-merge.js';
import { scanToPartial } from '../exec/segment-partial.js';
import type { PartialResult } from '../exec/segment-partial.js';
import { asQueryError, countOutcome } from '../exec/segment-scan.js';
import type { ScanContext } from '../exec/segment-scan.js';
import type { SegmentSnapshot } from '../exec/segment-snapshot.js';
import { withVirtualColumns } from '../exec/virtual-columns.js';
import type { QueryPlan } from '../plan/query-plan.js';
import { isVirtualColumn } from '../plan/virtual-columns.js';
import { estimatedRows } from './pool-cost.js';
import { QueryError } from '../query-error.js';
import type { BatchResult, WorkerQuery } from './messages.js';
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
  /**
   * Most segments in one worker task (default: no bound, one batch per thread). 1 sends each
   * segment as its own task, as the pool did before batches (kept to compare in the benchmark).
   */
  readonly maxBatchSegments?: number;
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
 * `SELECT COUNT(*) FROM t` without WHERE, GROUP BY or a FILTER clause: the main thread adds up
 * row counts (live rows) without reading a block, faster than a round trip to a worker.
 */
function countsEveryRow(plan: QueryPlan): boolean {
  return plan.kind === 'aggregation' && plan.filter === null && plan.groupBy.length === 0 && plan.aggregations.every((a) => a.fn.kind === 'count' && a.arg === null && a.filter === null);
}

/**
 * Whether `plan` over `segments` is worth splitting across the pool: an aggregation (not a
 * high-cardinality GROUP BY, above, nor a bare `COUNT(*)`), or, when enabled, a selection with ORDER BY (a selection
 * without it stops at its LIMIT, reading a few blocks), over at least two segments with rows,
 * that is expected to read at least `minRows` rows of its sealed segments (`estimatedRows`:
 * after min/max pruning of segments and blocks and inverted-index lookups).
 */
export function worthParallel(plan: QueryPlan, segments: readonly SegmentSnapshot[], parallel: Pick<ParallelExecution, 'minRows' | 'maxGroupShare' | 'orderedSelections'>): boolean {
  const { minRows, maxGroupShare = DEFAULT_MAX_GROUP_SHARE } = parallel;
  if (plan.kind === 'selection' && (plan.orderBy.length === 0 || parallel.orderedSelections !== true)) return false;
  if (countsEveryRow(plan)) return false;
  if (plan.kind === 'aggregation' && plan.groupBy.length > 0) {
    const first = segments.find(onWorker);
    if (first !== undefined && groupBound(plan, first) >= first.numDocs * maxGroupShare) return false;
  }
  let withRows = 0;
  let sealedRows = 0;
  const sealed: SegmentSnapshot[] = [];
  for (const s of segments) {
    if (s.numDocs > 0) withRows++;
    if (onWorker(s)) {
      sealed.push(s);
      sealedRows += s.numDocs;
    }
  }
  if (sealed.length === 0 || withRows < 2 || sealedRows < minRows) return false;
  // The rows the query is expected to read in them, after pruning and index lookups.
  return estimatedRows(buildFilter(plan.filter), sealed) >= minRows;
}

/**
 * The query's segments as units of work, in segment order: the index of a segment the main
 * thread reads (consuming, or not from a file), or a batch of contiguous sealed segments for one
 * worker. Batches split the sealed rows into `threads` roughly equal shares (cut at segment
 * boundaries; a main-thread segment between two sealed ones also cuts), with at most
 * `maxSegments` segments each. Segments without rows are left out: they answer nothing.
 */
export function planUnits(segments: readonly SegmentSnapshot[], threads: number, maxSegments = Number.POSITIVE_INFINITY): (number | number[])[] {
  let total = 0;
  for (const s of segments) if (onWorker(s)) total += s.numDocs;
  const units: (number | number[])[] = [];
  let batch: number[] = [];
  let done = 0;
  // The batch ends once `done` reaches share k of the rows.
  let k = 1;
  const close = (): void => {
    if (batch.length > 0) units.push(batch);
    batch = [];
  };
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    if (s.numDocs === 0) continue;
    if (!onWorker(s)) {
      close();
      units.push(i);
      continue;
    }
    batch.push(i);
    done += s.numDocs;
    if (done * threads >= total * k || batch.length >= maxSegments) {
      close();
      while (done * threads >= total * k) k++;
    }
  }
  close();
  return units;
}

/**
 * Runs `plan` with its sealed segments on the pool's workers, one batch of contiguous segments
 * per worker (`planUnits`), in parallel, while the main thread reads the consuming segments
 * (frozen in their snapshots) and any segment a worker could not open. Each batch answers one
 * partial result; the main thread merges them in segment order, so groups, ties and the answer
 * are those of `executePlan`. A batch a worker ended early (to give way to another query, or at
 * a file it could not open) is sent again from where it stopped. At the deadline the query's
 * cancel flag is set (workers drop its tasks at their next block) and it fails with 250; an
 * error of any segment fails the query.
 */
export async function executeInParallel(plan: QueryPlan, segments: readonly SegmentSnapshot[], deadlineMs: number, parallel: Pick<ParallelExecution, 'pool' | 'maxBatchSegments'>, query: WorkerQuery): Promise<ExecutionResult> {
  const { pool } = parallel;
  const stats = emptyStats();
  const cancel = new SharedArrayBuffer(4);
  const flag = new Int32Array(cancel);
  const expired = (): QueryError => new QueryError('EXECUTION_TIMEOUT', { timeoutMs: plan.options.timeoutMs, processed: stats.numSegmentsProcessed, total: segments.length });
  const deadline = new Deadline(deadlineMs, Date.now, expired, flag);
  return withDeadline(deadline, async () => {
    deadline.check();
    const views = segments.map((s) => withVirtualColumns(s));
    countSegments(plan, views, stats);
    const ctx: ScanContext = { plan, filterTree: buildFilter(plan.filter), scratch: new Scratch(), deadline, slice: { start: Date.now() }, liveSel: { buffer: new Int32Array(0) } };
    // Main-thread segments run one after another, yielding between slices.
    let localChain: Promise<unknown> = Promise.resolve();
    const runLocal = (indices: readonly number[]): Promise<PartialResult[]> => {
      const run = localChain.then(async () => {
        const pieces: PartialResult[] = [];
        for (const i of indices) pieces.push((await scanToPartial(ctx, views[i]!)).result);
        return pieces;
      });
      localChain = run.catch(() => undefined);
      return run;
    };
    const runBatch = async (indices: readonly number[]): Promise<PartialResult[]> => {
      const refs = indices.map((i) => {
        const s = segments[i]!;
        return { segmentName: s.name, numDocs: s.numDocs, file: s.file!, liveDocs: s.liveDocs };
      });
      // The rest of a batch is not sent again for a query that is over.
      if (Atomics.load(flag, 0) !== 0) throw expired();
      let result: BatchResult;
      try {
        result = await pool.run(query.id, { query, segments: refs, deadlineMs, cancel });
      } catch (err) {
        if (err instanceof WorkerUnavailableError && Atomics.load(flag, 0) === 0) return runLocal(indices);
        throw err instanceof QueryError && err.kind === 'EXECUTION_TIMEOUT' ? expired() : err;
      }
      const rest = indices.slice(result.outcomes.length);
      if (rest.length === 0) return [result];
      // The segment a worker could not open is read here, the rest go back to the pool.
      const [local, remote] = result.unavailable === null ? [[], rest] : [rest.slice(0, 1), rest.slice(1)];
      const more = await Promise.all([runLocal(local), remote.length > 0 ? runBatch(remote) : []]);
      return [result, ...more[0], ...more[1]];
    };
    const units = planUnits(segments, pool.threads, parallel.maxBatchSegments);
    const results = units.map((u) => (typeof u === 'number' ? runLocal([u]) : runBatch(u)));
    for (const r of results) r.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        Atomics.store(flag, 0, 1);
        reject(expired());
      }, Math.max(0, deadlineMs - Date.now()) + 1);
    });
    timeout.catch(() => undefined);
    const merge = new PartialMerge(plan);
    try {
      for (const r of results) {
        for (const part of await Promise.race([r, timeout])) {
          for (const outcome of part.outcomes) countOutcome(stats, outcome, part.consuming);
          merge.add(part.partial);
        }
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
