import { BroadcastChannel } from 'node:worker_threads';
import { withDeadline } from '../exec/deadline.js';
import { countSegments, executePlan, finishExecution } from '../exec/executor.js';
import type { ExecutionResult } from '../exec/executor.js';
import { buildFilter } from '../exec/filter-tree.js';
import { GroupByAggregator, countsInRun } from '../exec/group-by.js';
import type { AggregationPartial, ResultRow } from '../exec/group-by.js';
import { finishAggregation } from '../exec/post-aggregation.js';
import { Scratch } from '../exec/scratch.js';
import { asQueryError, countOutcome, scanSegment } from '../exec/segment-scan.js';
import type { ScanContext, ScanOutcome } from '../exec/segment-scan.js';
import type { SegmentSnapshot } from '../exec/segment-snapshot.js';
import { withVirtualColumns } from '../exec/virtual-columns.js';
import type { AggregationPlan } from '../plan/query-plan.js';
import { QueryError } from '../query-error.js';
import type { PartitionChannelMessage, PartitionResult, WorkerQuery } from './messages.js';
import { beforeDeadline, onWorker, pooledQueryStart } from './parallel-executor.js';
import { splitByKey } from './local-split.js';
import { PartitionAggregator } from './partition-aggregator.js';
import type { KeyPartition } from './partition-aggregator.js';
import type { QueryPool } from './query-pool.js';
import { WorkerUnavailableError, failedPosition } from './query-pool.js';

/** Why the workers' answer cannot be used: a segment no worker could open, or no worker to run on. */
class RunOnMainThread extends Error {}

/**
 * Runs an aggregation split by key (`parallelRoute`'s `partitioned`): worker `w` reads every
 * sealed segment and aggregates only the rows whose key lies in partition `w`; the partitions are
 * disjoint, so each answers its own best `offset + limit` groups (or, for distinct counts, the
 * count of its values) and the main thread merges a few rows instead of every group. The main
 * thread first reads the segments no worker can (consuming ones), once and cut by key where the
 * partial allows (`splitByKey`), else once per partition, and sends each worker its partition of
 * them to merge before it answers. The statistics are the workers'
 * (every partition sees the same scan outcomes: the filter is not narrowed). If a worker cannot
 * open a segment, or no worker can run, the main thread runs the whole query itself.
 */
export async function executePartitioned(plan: AggregationPlan, segments: readonly SegmentSnapshot[], deadlineMs: number, pool: QueryPool, query: WorkerQuery, partitions: readonly KeyPartition[]): Promise<ExecutionResult> {
  try {
    return await runPartitioned(plan, segments, deadlineMs, pool, query, partitions);
  } catch (err) {
    if (err instanceof RunOnMainThread) return executePlan(plan, segments, deadlineMs);
    throw err;
  }
}

async function runPartitioned(plan: AggregationPlan, segments: readonly SegmentSnapshot[], deadlineMs: number, pool: QueryPool, query: WorkerQuery, partitions: readonly KeyPartition[]): Promise<ExecutionResult> {
  const { stats, cancel, flag, expired, deadline } = pooledQueryStart(plan, segments, deadlineMs);
  return withDeadline(deadline, async () => {
    deadline.check();
    const views = segments.map((s) => withVirtualColumns(s));
    countSegments(plan, views, stats);
    const worker: number[] = [];
    const local: number[] = [];
    for (let i = 0; i < segments.length; i++) {
      if (onWorker(segments[i]!)) worker.push(i);
      else if (segments[i]!.numDocs > 0) local.push(i);
    }
    const ctx: ScanContext = { plan, filterTree: buildFilter(plan.filter), scratch: new Scratch(), deadline, slice: { start: Date.now() }, liveSel: { buffer: new Int32Array(0) } };
    const refs = worker.map((i) => {
      const s = segments[i]!;
      return { segmentName: s.name, numDocs: s.numDocs, file: s.file!, liveDocs: s.liveDocs };
    });
    // The workers start at once; the main thread's segments go to them when read (`LocalSender`).
    const sender = local.length === 0 ? null : new LocalSender(`shardtable-partitions-${process.pid}-${query.id}`);
    const work = partitions.map((partition, index) => pool.run(query.id, { kind: 'partition', query, segments: refs, partition, index, channel: sender?.name ?? null, deadlineMs, cancel }));
    for (const w of work) w.catch(() => undefined);
    let localRead: LocalRead;
    try {
      localRead = await readLocally(ctx, views, local, partitions);
    } catch (err) {
      Atomics.store(flag, 0, 1);
      pool.cancelQuery(query.id);
      sender?.close();
      throw err;
    }
    const { partials, outcomes: localOutcomes, failure } = localRead;
    sender?.send(partials);
    let results: PartitionResult[];
    try {
      results = await beforeDeadline(settleAll(work, worker, failure), deadlineMs, flag, expired);
    } catch (err) {
      if (err instanceof RunOnMainThread) throw err;
      if (err instanceof QueryError && err.kind === 'EXECUTION_TIMEOUT') throw expired();
      throw asQueryError(err);
    } finally {
      Atomics.store(flag, 0, 1);
      pool.cancelQuery(query.id);
      sender?.close();
    }
    if (results.some((r) => r.unavailable.length > 0)) throw new RunOnMainThread();
    for (const o of results[0]!.outcomes) countOutcome(stats, o, false);
    for (const o of localOutcomes) countOutcome(stats, o.outcome, segments[o.index]!.consuming);
    const limitReached = results.some((r) => r.limitReached);
    return finishExecution(plan, stats, () => finishAggregation(plan, mergedRows(plan, results)), limitReached);
  });
}

/**
 * The segments the main thread reads (consuming, or not from a file), as one partial per
 * partition for its worker to merge: read once and cut by key (`splitByKey`) where the plan's
 * partial can be (a COUNT-only GROUP BY kept in a run of counts, distinct counts), else read once
 * per partition; the scan outcomes of the first read.
 */
async function readLocally(ctx: ScanContext, views: readonly SegmentSnapshot[], local: readonly number[], partitions: readonly KeyPartition[]): Promise<LocalRead> {
  if (local.length === 0) return { partials: partitions.map(() => null), outcomes: [], failure: null };
  const plan = ctx.plan as AggregationPlan;
  const none = (): null[] => partitions.map(() => null);
  // Once, cut by key, where the partial will likely have a shape that can be (`splitByKey`).
  let outcomes: { index: number; outcome: ScanOutcome }[] | null = null;
  if (plan.groupBy.length === 0 || countsInRun(plan)) {
    const whole = await readInto(ctx, views, local, new GroupByAggregator(plan, { partial: true }));
    if (whole.failure !== null || whole.partial === null) return { partials: none(), outcomes: whole.outcomes, failure: whole.failure };
    const split = splitByKey(plan, whole.partial, partitions);
    if (split !== null) return { partials: split, outcomes: whole.outcomes, failure: null };
    outcomes = whole.outcomes;
  }
  // Else once per partition, each narrowed to its keys.
  const partials: (AggregationPartial | null)[] = [];
  for (const partition of partitions) {
    const read = await readInto(ctx, views, local, new PartitionAggregator(plan, partition));
    outcomes ??= read.outcomes;
    if (read.failure !== null) return { partials: none(), outcomes, failure: read.failure };
    partials.push(read.partial);
  }
  return { partials, outcomes: outcomes ?? [], failure: null };
}

interface LocalRead {
  readonly partials: (AggregationPartial | null)[];
  readonly outcomes: { index: number; outcome: ScanOutcome }[];
  readonly failure: Failure | null;
}

/** Segments `local` into `aggregator`: its partial (null when no segment was processed), the outcomes, or the first failure. */
async function readInto(ctx: ScanContext, views: readonly SegmentSnapshot[], local: readonly number[], aggregator: GroupByAggregator): Promise<{ partial: AggregationPartial | null; outcomes: { index: number; outcome: ScanOutcome }[]; failure: Failure | null }> {
  const outcomes: { index: number; outcome: ScanOutcome }[] = [];
  let processed = false;
  for (const i of local) {
    let outcome: ScanOutcome;
    try {
      outcome = await scanSegment(ctx, views[i]!, { aggregator, collector: null });
    } catch (err) {
      const e = asQueryError(err);
      if (e.kind === 'EXECUTION_TIMEOUT') throw e;
      // The workers may fail at an earlier segment: the query fails with the first in order.
      return { partial: null, outcomes, failure: { at: i, err: e } };
    }
    processed ||= outcome.kind === 'processed';
    outcomes.push({ index: i, outcome });
  }
  return { partial: processed ? aggregator.exportPartial().partial : null, outcomes, failure: null };
}

/** A segment whose read failed (its index in the query's segments) and the error. */
interface Failure {
  readonly at: number;
  readonly err: unknown;
}

/**
 * Sends each worker its partition of the main thread's segments on a `BroadcastChannel` (the
 * pool's messages carry only whole tasks): a worker asks once it listens, and is answered as soon
 * as both its ask and the partials are in.
 */
class LocalSender {
  private readonly channel: BroadcastChannel;
  private readonly asked: number[] = [];
  private partials: readonly (AggregationPartial | null)[] | null = null;

  constructor(readonly name: string) {
    this.channel = new BroadcastChannel(name);
    this.channel.onmessage = (event: unknown) => {
      const m = (event as { data: PartitionChannelMessage }).data;
      if (!('ask' in m)) return;
      if (this.partials === null) this.asked.push(m.ask);
      else this.answer(m.ask);
    };
  }

  send(partials: readonly (AggregationPartial | null)[]): void {
    this.partials = partials;
    for (const w of this.asked.splice(0)) this.answer(w);
  }

  close(): void {
    this.channel.close();
  }

  private answer(w: number): void {
    const p = this.partials![w] ?? null;
    this.channel.postMessage({ partition: w, local: p === null ? [] : [p] } satisfies PartitionChannelMessage);
  }
}

/**
 * Every partition's answer once all are in. A segment error fails the query with the error of
 * the first failed segment in segment order (partitions read different rows, so each may fail at
 * its own segment); a task the pool could not run sends the query to the main thread.
 */
async function settleAll(work: readonly Promise<PartitionResult>[], worker: readonly number[], local: Failure | null): Promise<PartitionResult[]> {
  const settled = await Promise.allSettled(work);
  const failures: Failure[] = local === null ? [] : [local];
  for (const s of settled) {
    if (s.status === 'fulfilled') continue;
    const err: unknown = s.reason;
    if (err instanceof WorkerUnavailableError) throw new RunOnMainThread();
    if (err instanceof QueryError && err.kind === 'EXECUTION_TIMEOUT') throw err;
    const position = failedPosition(err);
    failures.push({ at: position < 0 ? Number.POSITIVE_INFINITY : worker[position]!, err });
  }
  if (failures.length > 0) throw failures.reduce((a, b) => (b.at < a.at ? b : a)).err;
  return settled.map((s) => (s as PromiseFulfilledResult<PartitionResult>).value);
}

/**
 * The partitions' rows as one list for `finishAggregation`: with GROUP BY, their groups (disjoint,
 * and the order total, so the best of them are the answer's); without, one row whose distinct
 * counts are the sums of the partitions' (their values are disjoint).
 */
function mergedRows(plan: AggregationPlan, results: readonly PartitionResult[]): ResultRow[] {
  if (plan.groupBy.length > 0) return results.flatMap((r) => r.rows);
  const aggs = plan.aggregations.map((_, j) => {
    let sum: number | bigint = 0;
    for (const r of results) {
      const v = r.rows[0]!.aggs[j] as number | bigint;
      sum = typeof sum === 'bigint' || typeof v === 'bigint' ? BigInt(sum) + BigInt(v) : sum + v;
    }
    return sum;
  });
  return [{ keys: [], aggs }];
}
