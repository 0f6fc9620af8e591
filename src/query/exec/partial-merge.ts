import type { AggregationPlan, QueryPlan } from '../plan/query-plan.js';
import type { ExecutionStats } from './execution-stats.js';
import { finishExecution } from './executor.js';
import type { ExecutionResult } from './executor.js';
import { GroupByAggregator } from './group-by.js';
import { finishAggregation } from './post-aggregation.js';
import { mergePartial } from './segment-partial.js';
import type { PartialResult } from './segment-partial.js';
import type { ScanSink } from './segment-scan.js';
import { SelectionCollector } from './selection.js';

/**
 * What a part of a query answers before the merge: an aggregation's groups and states, an ORDER
 * BY selection's best rows with their sort keys (both as the worker pool's `PartialResult`), or,
 * for a selection without ORDER BY, its first `offset + limit` rows (`rows`; a cluster server
 * answers those, the pool runs such selections on the main thread). Null: nothing was processed.
 */
export type QueryPartial = PartialResult['partial'] | { readonly kind: 'rows'; readonly rows: unknown[][] };

/**
 * The one merge of partial answers: the worker pool merges its segments' partials with it and a
 * cluster broker its servers' partials. Add partials in a fixed order (segment order, server
 * order): groups keep their first-seen order and ties go to the partial added first, so the answer
 * is the one a sequential scan in that order gives. `finish` runs post-aggregation (HAVING, ORDER
 * BY, LIMIT) or cuts the selection.
 */
export class PartialMerge {
  readonly sink: ScanSink;
  /** Rows of selections without ORDER BY, in the order their partials came. */
  private readonly rows: unknown[][] = [];

  constructor(private readonly plan: QueryPlan) {
    this.sink = {
      aggregator: plan.kind === 'aggregation' ? new GroupByAggregator(plan) : null,
      collector: plan.kind === 'selection' && plan.orderBy.length > 0 ? new SelectionCollector(plan) : null,
    };
  }

  add(partial: QueryPartial): void {
    if (partial === null) return;
    if (partial.kind !== 'rows') {
      mergePartial(this.sink, partial);
      return;
    }
    if (this.plan.kind !== 'selection' || this.plan.orderBy.length > 0) throw new Error('internal: a row partial answers only a selection without ORDER BY');
    const wanted = this.plan.offset + this.plan.limit;
    for (const row of partial.rows) {
      if (this.rows.length >= wanted) break;
      this.rows.push(row);
    }
  }

  /** The merged answer, with `stats` (already summed by the caller) completed. */
  finish(stats: ExecutionStats): ExecutionResult {
    const { plan } = this;
    const { aggregator, collector } = this.sink;
    const rowsOf = (): unknown[][] => {
      if (aggregator !== null) return finishAggregation(plan as AggregationPlan, aggregator.results());
      if (collector !== null) return collector.results();
      return plan.kind === 'selection' ? this.rows.slice(plan.offset, plan.offset + plan.limit) : [];
    };
    return finishExecution(plan, stats, rowsOf, aggregator?.limitReached ?? false);
  }
}
