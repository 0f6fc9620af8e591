import type { TableSchema } from '../../config/schema.js';
import type { FrozenLiveDocs } from '../../segment/live-docs.js';
import type { PartialResult } from '../exec/segment-partial.js';
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
    };

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
  | { readonly kind: 'done'; readonly task: number; readonly result: BatchResult }
  /** `position`: the segment (in the task's `segments`) whose read failed; -1 when none was being read. */
  | { readonly kind: 'error'; readonly task: number; readonly errorKind: QueryErrorName; readonly message: string; readonly position: number };

/** A task as the pool's caller gives it (the pool numbers it). */
export type BatchTask = Omit<Extract<PoolRequest, { kind: 'batch' }>, 'kind' | 'task'>;
