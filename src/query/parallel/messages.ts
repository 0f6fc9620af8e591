import type { TableSchema } from '../../config/schema.js';
import type { FrozenLiveDocs } from '../../segment/live-docs.js';
import type { SegmentResult } from '../exec/segment-partial.js';
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

/** The main thread's messages to a query worker. */
export type PoolRequest =
  | { readonly kind: 'init'; readonly memoryBudgetBytes: number; readonly compressedTierShare: number }
  | {
      readonly kind: 'segment';
      readonly task: number;
      readonly query: WorkerQuery;
      readonly segmentName: string;
      readonly numDocs: number;
      readonly file: string;
      readonly liveDocs: FrozenLiveDocs | null;
      readonly deadlineMs: number;
      /** An `Int32Array` flag over this buffer: non-zero = the query is over, drop the task. */
      readonly cancel: SharedArrayBuffer;
    };

/** A query worker's replies. */
export type PoolReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'done'; readonly task: number; readonly result: SegmentResult }
  | { readonly kind: 'error'; readonly task: number; readonly errorKind: QueryErrorName; readonly message: string }
  /** The worker could not open the segment's file (gone, or never a file): the main thread reads it. */
  | { readonly kind: 'unavailable'; readonly task: number; readonly reason: string };

/** A segment task as the pool's caller gives it (the pool numbers it). */
export type SegmentTask = Omit<Extract<PoolRequest, { kind: 'segment' }>, 'kind' | 'task'>;
