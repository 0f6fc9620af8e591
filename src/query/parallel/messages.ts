import type { TableSchema } from '../../config/schema.js';
import type { FrozenLiveDocs } from '../../segment/live-docs.js';
import type { AggregationPartial, ResultRow } from '../exec/group-by.js';
import type { PartialResult } from '../exec/segment-partial.js';
import type { ScanOutcome } from '../exec/segment-scan.js';
import type { KeyPartition } from './partition-aggregator.js';
import type { QueryErrorName } from '../query-error.js';

/**
 * What a worker thread needs to plan a query itself: plans hold compiled closures and are not
 * sent; the SQL, options and table schema are, and the worker plans them with the same planner
 * (with the query's start time, so `now()` agrees across threads).
 */
export interface WorkerQuery {
  /** Unique per query in this process (a worker caches the plan under it). */
  readonly id: number;
  readonly sql: string;
  /** The request's `queryOptions` text, as the broker received it. */
  readonly options: string | undefined;
  readonly startedMs: number;
  /** The table's raw name (as `resolveJoin` resolved it) and schema. */
  readonly tableName: string;
  readonly schema: TableSchema;
}

/** A sealed segment as a worker opens it: its file, and its valid-doc bitmap when frozen for an upsert table. */
export interface SegmentRef {
  readonly segmentName: string;
  readonly numDocs: number;
  readonly file: string;
  readonly liveDocs: FrozenLiveDocs | null;
}

/** The main thread's messages to a query worker. */
export type PoolRequest =
  | {
      readonly kind: 'init';
      readonly memoryBudgetBytes: number;
      /** The compressed tier's share of that budget (the main thread's). */
      readonly compressedTierShare: number;
      /**
       * An `Int32Array` flag over this buffer, set by the pool while a query waits with no task
       * running: a worker then stops its task at the next segment and answers what it has.
       */
      readonly yieldFlag: SharedArrayBuffer;
      /** An `Int32Array` over this buffer: the position, in its task's segments, of the segment this worker reads. */
      readonly progress: SharedArrayBuffer;
    }
  | {
      readonly kind: 'batch';
      readonly task: number;
      readonly query: WorkerQuery;
      /** The query's sealed segments for the workers, in segment order (positions in `claims`). */
      readonly segments: readonly SegmentRef[];
      /**
       * Positions before which a partial must end: a segment the main thread reads (consuming)
       * lies between, so one partial spanning both would merge out of segment order.
       */
      readonly breakBefore: readonly number[];
      /** The shared work queue of `segments` (`SegmentClaims`): this task takes from `lane`, then steals. */
      readonly claims: SharedArrayBuffer;
      readonly lane: number;
      readonly deadlineMs: number;
      /** An `Int32Array` flag over this buffer: non-zero = the query is over, drop the task. */
      readonly cancel: SharedArrayBuffer;
      /** An ORDER BY selection: the buffer of the cut-off every thread shares (`SharedTopBound`), and whether its first key is descending. */
      readonly topBound?: { readonly buffer: SharedArrayBuffer; readonly desc: boolean };
    }
  | PartitionRequest;

/**
 * One partition of a query split by key (`partitioned-executor.ts`): the worker reads every
 * sealed segment in `segments`, in order, aggregating the rows whose `partition.column` value is
 * in `partition`, then merges the same partition of the segments the main thread reads
 * (consuming ones), which it receives on `BroadcastChannel` `channel` while it scans (null: none),
 * and answers its best groups. It does not give way to other queries midway.
 */
export interface PartitionRequest {
  readonly kind: 'partition';
  readonly task: number;
  readonly query: WorkerQuery;
  readonly segments: readonly SegmentRef[];
  readonly partition: KeyPartition;
  /** This task's partition among the query's (`LocalPartials.partition`). */
  readonly index: number;
  readonly channel: string | null;
  readonly deadlineMs: number;
  /** An `Int32Array` flag over this buffer: non-zero = the query is over, drop the task. */
  readonly cancel: SharedArrayBuffer;
}

/**
 * A partition's answer: with GROUP BY its groups that pass HAVING, best first, at most `offset +
 * limit` (`orderedGroups`); without, its one row (distinct counts of its values). `outcomes`: each
 * segment's scan (the same in every partition: the filter is not narrowed), `unavailable`: the
 * positions of segments it could not open (the main thread then runs the query itself).
 */
export interface PartitionResult {
  readonly rows: ResultRow[];
  readonly outcomes: ScanOutcome[];
  readonly unavailable: number[];
  readonly limitReached: boolean;
}

/** The partial result of a contiguous run of a task's segments: positions first..last (in `segments`). */
export interface BatchPiece extends PartialResult {
  readonly first: number;
  readonly last: number;
}

/**
 * A worker's answer to a task: a partial per run of segments it read (its own lane's, in order,
 * then each segment it took from another lane), the segments it claimed but could not open (a
 * file unlinked after the main thread's snapshot: the main thread reads them), and whether it
 * stopped early to give way to a waiting query (unclaimed segments are then left in the queue:
 * the caller sends the task again).
 */
export interface BatchResult {
  /** The worker's `threadId` (which thread read the pieces: cache affinity, tests). */
  readonly thread: number;
  readonly pieces: BatchPiece[];
  readonly unavailable: { readonly position: number; readonly reason: string }[];
  readonly yielded: boolean;
}

/** A query worker's replies. */
export type PoolReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'done'; readonly task: number; readonly result: BatchResult | PartitionResult }
  /** `position`: the segment (in the task's `segments`) whose read failed; -1 when none was being read. */
  | { readonly kind: 'error'; readonly task: number; readonly errorKind: QueryErrorName; readonly message: string; readonly position: number };

/** A task as the pool's caller gives it (the pool numbers it). */
export type BatchTask = Omit<Extract<PoolRequest, { kind: 'batch' }>, 'kind' | 'task'>;

/**
 * On a partition task's `channel`: a worker asks for its partition of the main thread's segments
 * (`ask`: its index) once it listens, and the main thread answers each ask once they are read.
 */
export type PartitionChannelMessage = { readonly ask: number } | { readonly partition: number; readonly local: readonly AggregationPartial[] };

/** A partition task as the pool's caller gives it. */
export type PartitionTask = Omit<PartitionRequest, 'task'>;
