import { Deadline, withDeadline } from '../exec/deadline.js';
import { emptyStats } from '../exec/execution-stats.js';
import type { ExecutionStats } from '../exec/execution-stats.js';
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
import type { BoundExpr } from '../plan/bound-expr.js';
import { isVirtualColumn } from '../plan/virtual-columns.js';
import { estimatedRows } from './pool-cost.js';
import { SharedTopBound } from '../exec/shared-top-bound.js';
import { storedTypeOf } from '../../config/data-type.js';
import { QueryError } from '../query-error.js';
import type { BatchResult, WorkerQuery } from './messages.js';
import type { QueryPool } from './query-pool.js';
import { WorkerUnavailableError, failedPosition } from './query-pool.js';
import { SegmentClaims } from './segment-claims.js';

/** How the engine runs queries on a pool: the pool, and the least sealed rows worth a hop to it. */
export interface ParallelExecution {
  readonly pool: QueryPool;
  /** A query whose sealed segments hold fewer rows runs on the main thread (a hop costs a message and a plan). */
  readonly minRows: number;
  /** Groups per segment, as a share of its rows, from which a GROUP BY stays on the main thread (default 1/8; `Infinity`: never). */
  readonly maxGroupShare?: number;
  /**
   * Which ORDER BY … LIMIT selections use the pool: by default those whose threads share one
   * top-k cut-off (`sharesTopBound`: a numeric first key), `true` every one, `false` none. On the
   * main thread one top-k spans every segment, so blocks whose min/max cannot beat it are skipped;
   * split by segment without a shared cut-off each worker keeps its own top-k and skips far less
   * (69 ms on the main thread against 350-390 on a pool of 2, an early run). With it, once the 10M
   * bench let the workers' code settle before timing, top-k-rows took 24.6 ms on a pool of 2
   * against 38.0 on a pool of 1 and 28-43 on the main thread (bench/notes.md, 2026-12-07); it was
   * `false` by default before.
   */
  readonly orderedSelections?: boolean;
  /**
   * Whether a high-cardinality GROUP BY or DISTINCTCOUNT the segment split declines is split by
   * key instead (default false: on 2 cores the workers' extra reading cost more than the split
   * saved, bench/notes.md 2026-12-06 23:33-23:45; `partitioned-plan.ts`).
   */
  readonly partitioned?: boolean;
}

/** The segments a worker can read: sealed, from a file, with rows. */
export function onWorker(s: SegmentSnapshot): boolean {
  return !s.consuming && s.file !== undefined && s.numDocs > 0;
}

/**
 * A GROUP BY whose groups per segment may reach this share of the segment's rows stays on the
 * main thread: each segment's groups would be built in a worker, copied and built again at the
 * merge, which costs more than the scan it spreads (measured in bench/notes.md, "worker pool").
 */
export const DEFAULT_MAX_GROUP_SHARE = 1 / 8;

/**
 * How many values `expr` can take in `segment` if it is a plain stored column: its dictionary
 * size, or its rows without a dictionary; null for any other expression or a virtual column.
 */
export function columnValues(expr: BoundExpr, segment: SegmentSnapshot): number | null {
  if (expr.kind !== 'column' || isVirtualColumn(expr.column.name)) return null;
  return segment.dictionary(expr.column.name)?.size ?? segment.numDocs;
}

/**
 * Upper bound of the groups of `plan` in `segment` from its dictionaries: the product of the
 * values of plain-column keys (`columnValues`; other key expressions count 1, unknown).
 */
export function groupBound(plan: Extract<QueryPlan, { kind: 'aggregation' }>, segment: SegmentSnapshot): number {
  let bound = 1;
  for (const key of plan.groupBy) bound *= columnValues(key, segment) ?? 1;
  return bound;
}

/**
 * Upper bound of the distinct values an exact DISTINCTCOUNT family aggregation of `plan` collects
 * in `segment` (the largest; a plain column's `columnValues`, any other argument its rows; 0 when
 * it has none). Each worker's set is copied to the main thread and added to its set value by
 * value, so, as with groups, many values per segment cost more at the merge than the scan spreads
 * (10M rows, bench/notes.md: DISTINCTCOUNT of 1M users 209 ms on the main thread, 302 ms on a
 * pool of 2).
 */
export function distinctBound(plan: Extract<QueryPlan, { kind: 'aggregation' }>, segment: SegmentSnapshot): number {
  let bound = 0;
  for (const a of plan.aggregations) {
    if (a.fn.kind === 'distinct' && a.arg !== null) bound = Math.max(bound, columnValues(a.arg, segment) ?? segment.numDocs);
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
 * high-cardinality GROUP BY or DISTINCTCOUNT, above, nor a bare `COUNT(*)`), or a selection with ORDER BY that `orderedSelections` admits (a selection
 * without it stops at its LIMIT, reading a few blocks), over at least two segments with rows,
 * that is expected to read at least `minRows` rows of its sealed segments (`estimatedRows`:
 * after min/max pruning of segments and blocks and inverted-index lookups).
 */
export function worthParallel(plan: QueryPlan, segments: readonly SegmentSnapshot[], parallel: Pick<ParallelExecution, 'minRows' | 'maxGroupShare' | 'orderedSelections'>): boolean {
  const { minRows, maxGroupShare = DEFAULT_MAX_GROUP_SHARE } = parallel;
  if (plan.kind === 'selection' && (plan.orderBy.length === 0 || parallel.orderedSelections === false || (parallel.orderedSelections === undefined && !sharesTopBound(plan)))) return false;
  if (countsEveryRow(plan)) return false;
  if (plan.kind === 'aggregation') {
    const first = segments.find(onWorker);
    if (first !== undefined && plan.groupBy.length > 0 && groupBound(plan, first) >= first.numDocs * maxGroupShare) return false;
    if (first !== undefined && distinctBound(plan, first) >= first.numDocs * maxGroupShare) return false;
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
  // The rows the query is expected to read in them, after pruning and index lookups (a filter on
  // $docId, $segmentName or $hostName reads them as the scan does: through the virtual columns).
  return estimatedRows(buildFilter(plan.filter), sealed.map((s) => withVirtualColumns(s))) >= minRows;
}

/**
 * Whether the threads reading an ORDER BY selection share its cut-off (`SharedTopBound`): its
 * first ORDER BY key is a single-value INT, FLOAT or DOUBLE column (values are JS numbers).
 */
export function sharesTopBound(plan: QueryPlan): boolean {
  const first = plan.kind === 'selection' ? plan.orderBy[0]?.expr : undefined;
  if (first === undefined || first.kind !== 'column' || !first.type.sv) return false;
  const stored = storedTypeOf(first.column.dataType);
  return stored === 'INT' || stored === 'FLOAT' || stored === 'DOUBLE';
}

/** How a query's segments are read: by the workers through a shared queue, or on the main thread. */
export interface SegmentPlan {
  /** Indices (in the query's segments) of the sealed segments the workers read, in order: positions in `claims`. */
  readonly worker: number[];
  /** Positions in `worker` before which a partial must end (a main-thread segment with rows lies between). */
  readonly breakBefore: number[];
  /** Indices of the segments the main thread reads (consuming, or not from a file). */
  readonly local: number[];
  /** The workers' shared queue: one contiguous lane of roughly equal rows per thread. */
  readonly claims: SegmentClaims;
}

/**
 * Splits the query's segments between the workers (sealed, from a file: a shared queue of
 * `threads` lanes, `SegmentClaims`) and the main thread (the rest with rows). Segments without
 * rows are left out: they answer nothing.
 */
export function planSegments(segments: readonly SegmentSnapshot[], threads: number): SegmentPlan {
  const worker: number[] = [];
  const breakBefore: number[] = [];
  const local: number[] = [];
  let cut = false;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    if (s.numDocs === 0) continue;
    if (!onWorker(s)) {
      local.push(i);
      cut = worker.length > 0;
      continue;
    }
    if (cut) breakBefore.push(worker.length);
    cut = false;
    worker.push(i);
  }
  return { worker, breakBefore, local, claims: SegmentClaims.split(worker.map((i) => segments[i]!.numDocs), threads) };
}

/**
 * Partial results of runs of segments, merged in segment order as soon as the next run in order
 * is in (so the main thread merges while workers still read later segments): groups, ties and the
 * answer are those of a sequential scan (`executePlan`).
 */
class OrderedMerge {
  private readonly merge: PartialMerge;
  private readonly waiting = new Map<number, { last: number; part: PartialResult }>();
  /** The next segment index with rows to merge. */
  private next = 0;

  constructor(
    plan: QueryPlan,
    private readonly segments: readonly SegmentSnapshot[],
    private readonly stats: ExecutionStats,
  ) {
    this.merge = new PartialMerge(plan);
    this.skipEmpty();
  }

  /** The partial of segments first..last (indices in the query's segments). */
  add(first: number, last: number, part: PartialResult): void {
    this.waiting.set(first, { last, part });
    for (let w = this.waiting.get(this.next); w !== undefined; w = this.waiting.get(this.next)) {
      this.waiting.delete(this.next);
      for (const outcome of w.part.outcomes) countOutcome(this.stats, outcome, w.part.consuming);
      this.merge.add(w.part.partial);
      this.next = w.last + 1;
      this.skipEmpty();
    }
  }

  finish(): ExecutionResult {
    if (this.waiting.size > 0 || this.next < this.segments.length) throw new Error(`internal: the parallel merge stopped at segment ${this.next} of ${this.segments.length}`);
    return this.merge.finish(this.stats);
  }

  private skipEmpty(): void {
    while (this.next < this.segments.length && this.segments[this.next]!.numDocs === 0) this.next++;
  }
}

/**
 * What every query on the pool starts with: its statistics, its cancel flag (shared with the
 * workers, which drop its tasks at their next block once set), its timeout error and its
 * deadline, which sets the flag.
 */
export function pooledQueryStart(plan: QueryPlan, segments: readonly SegmentSnapshot[], deadlineMs: number): { stats: ExecutionStats; cancel: SharedArrayBuffer; flag: Int32Array; expired: () => QueryError; deadline: Deadline } {
  const stats = emptyStats();
  const cancel = new SharedArrayBuffer(4);
  const flag = new Int32Array(cancel);
  const expired = (): QueryError => new QueryError('EXECUTION_TIMEOUT', { timeoutMs: plan.options.timeoutMs, processed: stats.numSegmentsProcessed, total: segments.length });
  return { stats, cancel, flag, expired, deadline: new Deadline(deadlineMs, Date.now, expired, flag) };
}

/**
 * `work`, or the query's timeout error once `deadlineMs` passes: the cancel flag is set then, so
 * the workers drop the query's tasks at their next block while the main thread answers 250.
 */
export async function beforeDeadline<T>(work: Promise<T>, deadlineMs: number, flag: Int32Array, expired: () => QueryError): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      Atomics.store(flag, 0, 1);
      reject(expired());
    }, Math.max(0, deadlineMs - Date.now()) + 1);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `plan` with its sealed segments on the pool's workers, in parallel, while the main thread
 * reads the consuming segments (frozen in their snapshots) and any segment a worker could not
 * open. One task per lane (`planSegments`): each worker takes segments from a queue shared by the
 * query's tasks (work stealing: a worker that is done takes what a slower one has not started),
 * and answers a partial per run of segments; the main thread merges them in segment order as
 * they come in. A task a worker ended early (to give way to another query) is sent again while
 * segments are left. At the deadline the query's cancel flag is set (workers drop its tasks at
 * their next block) and it fails with 250; an error of any segment fails the query.
 */
export async function executeInParallel(plan: QueryPlan, segments: readonly SegmentSnapshot[], deadlineMs: number, parallel: Pick<ParallelExecution, 'pool'>, query: WorkerQuery): Promise<ExecutionResult> {
  const { pool } = parallel;
  const { stats, cancel, flag, expired, deadline } = pooledQueryStart(plan, segments, deadlineMs);
  return withDeadline(deadline, async () => {
    deadline.check();
    const views = segments.map((s) => withVirtualColumns(s));
    countSegments(plan, views, stats);
    const topBound = sharesTopBound(plan) ? SharedTopBound.create(plan.orderBy[0]!.desc) : null;
    const ctx: ScanContext = { plan, filterTree: buildFilter(plan.filter), scratch: new Scratch(), deadline, slice: { start: Date.now() }, liveSel: { buffer: new Int32Array(0) }, topBound };
    const merge = new OrderedMerge(plan, segments, stats);
    const { worker, breakBefore, local, claims } = planSegments(segments, pool.threads);
    // A failed segment does not stop the others: as a sequential scan would, the query fails
    // with the error of the first failed segment in segment order (a task stops at its own).
    const failures: { at: number; err: unknown }[] = [];
    // Main-thread segments run one after another, yielding between slices.
    let localChain: Promise<unknown> = Promise.resolve();
    const runLocal = (indices: readonly number[]): Promise<void> => {
      const run = localChain.then(async () => {
        for (const i of indices) {
          // After a failed segment, later ones need no reading.
          if (failures.some((f) => f.at < i)) return;
          try {
            merge.add(i, i, (await scanToPartial(ctx, views[i]!)).result);
          } catch (err) {
            if (err instanceof QueryError && err.kind === 'EXECUTION_TIMEOUT') throw err;
            failures.push({ at: i, err });
            const after = worker.findIndex((w) => w > i);
            if (after >= 0) claims.stopAt(after);
            return;
          }
        }
      });
      localChain = run.catch(() => undefined);
      return run;
    };
    // Segments no worker will take (the pool cannot run the task): claimed and read here.
    const drainLocally = async (): Promise<void> => {
      for (let p = claims.steal(); p >= 0; p = claims.steal()) await runLocal([worker[p]!]);
    };
    const refs = worker.map((i) => {
      const s = segments[i]!;
      return { segmentName: s.name, numDocs: s.numDocs, file: s.file!, liveDocs: s.liveDocs };
    });
    const runLane = async (lane: number): Promise<void> => {
      // Nothing is sent again for a query that is over.
      if (Atomics.load(flag, 0) !== 0) throw expired();
      let result: BatchResult;
      try {
        result = await pool.run(query.id, { query, segments: refs, breakBefore, claims: claims.buffer, lane, deadlineMs, cancel, ...(topBound === null ? {} : { topBound: { buffer: topBound.buffer, desc: topBound.desc } }) });
      } catch (err) {
        if (err instanceof WorkerUnavailableError && Atomics.load(flag, 0) === 0) return drainLocally();
        if (err instanceof QueryError && err.kind === 'EXECUTION_TIMEOUT') throw expired();
        const position = failedPosition(err);
        failures.push({ at: position < 0 ? Number.POSITIVE_INFINITY : worker[position]!, err });
        claims.stopAt(position < 0 ? 0 : position + 1);
        return;
      }
      for (const piece of result.pieces) merge.add(worker[piece.first]!, worker[piece.last]!, piece);
      const unread = result.unavailable.map((u) => runLocal([worker[u.position]!]));
      // A task that gave way is sent again (behind the waiting query) while segments are left.
      if (result.yielded && claims.remaining() > 0) unread.push(runLane(lane));
      await Promise.all(unread);
    };
    const work: Promise<void>[] = [];
    for (let lane = 0; lane < claims.laneCount && worker.length > 0; lane++) work.push(runLane(lane));
    work.push(runLocal(local));
    for (const w of work) w.catch(() => undefined);
    try {
      await beforeDeadline(Promise.all(work), deadlineMs, flag, expired);
      if (failures.length > 0) throw failures.reduce((a, b) => (b.at < a.at ? b : a)).err;
    } catch (err) {
      throw asQueryError(err);
    } finally {
      // Whatever is still queued or running for this query is of no use now.
      Atomics.store(flag, 0, 1);
      pool.cancelQuery(query.id);
    }
    return merge.finish();
  });
}
