import type { TableSchema } from '../../config/schema.js';
import type { AggregationSpec } from './binder.js';
import type { BoundExpr } from './bound-expr.js';
import type { QueryOptions } from './query-options.js';

export interface OrderKey {
  readonly expr: BoundExpr;
  readonly desc: boolean;
}

interface PlanBase {
  readonly tableName: string;
  readonly schema: TableSchema;
  readonly filter: BoundExpr | null;
  readonly options: QueryOptions;
  readonly limit: number;
  readonly offset: number;
  readonly columnNames: readonly string[];
  /** Pinot column data types (`INT`, `LONG_ARRAY`, …). */
  readonly columnTypes: readonly string[];
  /** Columns read after filtering (for `numEntriesScannedPostFilter`). */
  readonly postFilterColumns: readonly string[];
}

/** Rows of the table: projections, optional ORDER BY (top-k), LIMIT/OFFSET. */
export interface SelectionPlan extends PlanBase {
  readonly kind: 'selection';
  readonly select: readonly BoundExpr[];
  readonly orderBy: readonly OrderKey[];
}

/**
 * Aggregation with or without GROUP BY (DISTINCT is a GROUP BY over the selected expressions).
 * `select`, `having` and `orderBy` are bound over result rows (`groupKey` / `aggregate` refs).
 */
export interface AggregationPlan extends PlanBase {
  readonly kind: 'aggregation';
  /** `SELECT DISTINCT …`: the group keys are the select list (EXPLAIN names it DISTINCT). */
  readonly distinct: boolean;
  readonly groupBy: readonly BoundExpr[];
  readonly aggregations: readonly AggregationSpec[];
  readonly select: readonly BoundExpr[];
  readonly having: BoundExpr | null;
  readonly orderBy: readonly OrderKey[];
}

export type QueryPlan = SelectionPlan | AggregationPlan;
