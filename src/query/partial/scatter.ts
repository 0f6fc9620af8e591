import type { ExecutionResult } from '../exec/executor.js';
import type { QueryPlan } from '../plan/query-plan.js';
import type { QueryException } from '../response/broker-response.js';

/** A query the engine hands to a scatter (a cluster broker), planned and checked. */
export interface ScatterRequest {
  readonly sql: string;
  readonly queryOptions: string | undefined;
  /** The table's raw name. */
  readonly table: string;
  readonly plan: QueryPlan;
  readonly startedMs: number;
  readonly deadlineMs: number;
}

/** A scattered query's merged answer and what the servers did. */
export interface ScatterResult {
  readonly result: ExecutionResult;
  readonly numServersQueried: number;
  readonly numServersResponded: number;
  /** True when part of the table was not read (a server did not answer, a segment had no server). */
  readonly partial: boolean;
  /** Why the result is partial: one entry per server that failed and per group of unserved segments. */
  readonly exceptions: readonly QueryException[];
  /** A query error a server answered (bad SQL, a function failing on a value): the query fails with it, as it would on one server. */
  readonly failure?: QueryException;
}

/**
 * Runs single-table queries across servers (the cluster broker, `src/cluster/broker/`): the
 * engine parses and plans, the scatter routes the table's segments, collects the servers'
 * partials and merges them with `PartialMerge`. A query that reads a dimension table (a join,
 * `lookUp`), a query on a dimension table itself (replicated: every server holds all its rows) or
 * an EXPLAIN is never scattered: the engine answers it alone.
 */
export interface QueryScatter {
  execute(request: ScatterRequest): Promise<ScatterResult>;
}
