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
       * An `Int32Array` flag over this buffer, set by the pool while a query waits with no batch
       * running: a worker then stops its batch at the next segment and answers what it has.
       */
      readonly yieldFlag: SharedArrayBuffer;
      /** An `Int32Array` over this buffer: the index, in its batch, of the segment this worker reads. */
      readonly progress: SharedArrayBuffer;
    }
  | {
      readonly kind: 'batch';
      readonly task: number;
      readonly query: WorkerQuery;
      /** Contiguous sealed segments of the query, in segment order, scanned into one partial result. */
      readonly segments: readonly SegmentRef[];
      readonly deadlineMs: number;
      /** An `Int32Array` flag over this buffer: non-zero = the query is over, drop the task. */
      readonly cancel: SharedArrayBuffer;
    };

/**
 * A worker's answer to a batch: the partial result of its first `outcomes.length` segments. It
 * covers fewer than the batch when the worker gave way to a waiting query (`unavailable` null:
 * the rest is sent again) or could not open the next segment (`unavailable` says why: the main
 * thread reads that one, and the rest is sent again).
 */
export interface BatchResult extends PartialResult {
  readonly unavailable: string | null;
}

/** A query worker's replies. */
export type PoolReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'done'; readonly task: number; readonly result: BatchResult }
  | { readonly kind: 'error'; readonly task: number; readonly errorKind: QueryErrorName; readonly message: string };

/** A batch task as the pool's caller gives it (the pool numbers it). */
export type BatchTask = Omit<Extract<PoolRequest, { kind: 'batch' }>, 'kind' | 'task'>;
