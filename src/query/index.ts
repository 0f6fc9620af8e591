/**
 * The query engine: Pinot SQL over sealed and consuming segments, answering with Pinot's
 * broker response. Folders follow the pipeline: `parser/` (SQL → AST), `plan/` (AST → typed plan
 * against a schema), `exec/` (plan → rows over segment snapshots), `functions/` (scalar and
 * aggregation function registries), `response/` (Pinot's JSON).
 */
export { QueryEngine, matchTableName } from './query-engine.js';
export type { QueryTable, TableResolver } from './query-engine.js';
export { snapshotRuntime } from './queryable-table.js';
export { liveDimRef } from './dim/dim-tables.js';
export type { DimTableRef, DimTableResolver } from './dim/dim-tables.js';
export type { QueryableSegments, QueryableTable } from './queryable-table.js';
export { QueryError, QUERY_ERROR_CODES } from './query-error.js';
export type { QueryErrorName } from './query-error.js';
export { parseSql } from './parser/index.js';
export { planQuery, MAX_RESPONSE_ROWS, DEFAULT_NUM_GROUPS_LIMIT, DEFAULT_TIMEOUT_MS } from './plan/index.js';
export type { QueryPlan } from './plan/index.js';
export { writeBrokerResponse, errorResult } from './response/broker-response.js';
export type { BrokerRequestContext, BrokerResult, QueryException } from './response/broker-response.js';
export { executePlan } from './exec/executor.js';
export { sealedSnapshot, consumingSnapshot } from './exec/segment-snapshot.js';
export type { SegmentSnapshot } from './exec/segment-snapshot.js';
export type { PartialResult } from './exec/segment-partial.js';
export { SCALAR_FUNCTIONS, scalarFunction } from './functions/index.js';
export { QueryPool, WorkerUnavailableError } from './parallel/query-pool.js';
export type { QueryPoolStats } from './parallel/query-pool.js';
export type { ParallelExecution } from './parallel/parallel-executor.js';
export { configureQueryThreads, sharedParallelExecution, closeSharedQueryPool, parseThreadCount, QUERY_THREADS_ENV, PARALLEL_MIN_ROWS_ENV, SPLIT_BY_KEY_ENV, DEFAULT_PARALLEL_MIN_ROWS } from './parallel/pool-config.js';
export { PartialMerge } from './exec/partial-merge.js';
export type { QueryPartial } from './exec/partial-merge.js';
export { executeToPartial, addStats } from './partial/partial-execution.js';
export type { ServerPartial } from './partial/partial-execution.js';
export { runPartialQuery, listServedSegments, parsePartialQueryRequest } from './partial/partial-query.js';
export type { PartialQueryRequest, ServedSegment } from './partial/partial-query.js';
export type { QueryScatter, ScatterRequest, ScatterResult } from './partial/scatter.js';
export { emptyStats } from './exec/execution-stats.js';
export type { ExecutionStats } from './exec/execution-stats.js';
