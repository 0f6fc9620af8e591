export { planQuery, DEFAULT_LIMIT } from './planner.js';
export type { QueryPlan, SelectionPlan, AggregationPlan, OrderKey } from './query-plan.js';
export type { BoundExpr, BoundKind } from './bound-expr.js';
export { columnsOf } from './bound-expr.js';
export type { AggregationSpec } from './binder.js';
export { MAX_RESPONSE_ROWS, DEFAULT_NUM_GROUPS_LIMIT, DEFAULT_TIMEOUT_MS, parseQueryOptionsString, resolveQueryOptions } from './query-options.js';
export type { QueryOptions } from './query-options.js';
