import type { QueryPlan } from '../plan/query-plan.js';
import type { ExecutionStats } from './execution-stats.js';
import { finishExecution } from './executor.js';
import type { ExecutionResult } from './executor.js';
import { GroupByAggregator } from './group-by.js';
import type { AggregationPartial } from './group-by.js';
import { finishAggregation } from './post-aggregation.js';
import { countOutcome, scanSegment } from './segment-scan.js';
import type { ScanContext, ScanOutcome, ScanSink } from './segment-scan.js';
import type { SegmentSnapshot } from './segment-snapshot.js';
import { SelectionCollector } from './selection.js';
import type { Candidate } from './selection.js';

/**
 * The answer of a contiguous run of segments to a query, on its own: each segment's scan outcome
 * (in segment order) and, when any was processed, their groups and aggregation states
 * (`aggregation`) or their best rows with their sort keys (an ORDER BY selection). A worker
 * thread computes one for its batch of sealed segments; the main thread merges them in segment
 * order (`PartialMerger`, `mergePartials`). Plain data (typed arrays, arrays, objects, strings,
 * numbers, bigints): it survives a structured clone and `v8.serialize` / `v8.deserialize`.
 */
export interface PartialResult {
  readonly outcomes: ScanOutcome[];
  /** Whether these segments are consuming ones (a partial never mixes them with sealed ones; for the statistics). */
  readonly consuming: boolean;
  readonly partial: { readonly kind: 'aggregation'; readonly value: AggregationPartial } | { readonly kind: 'selection'; readonly candidates: Candidate[] } | null;
}

/**
 * A fresh aggregator or collector of `plan` for a run of segments whose result is exported
 * (`exportPartialResult`). A selection without ORDER BY has no partial form (its scan stops at
 * the LIMIT): the caller runs those sequentially.
 */
export function partialSink(plan: QueryPlan): ScanSink {
  if (plan.kind === 'selection' && plan.orderBy.length === 0) throw new Error('internal: a selection without ORDER BY is not split by segment');
  return { aggregator: plan.kind === 'aggregation' ? new GroupByAggregator(plan, { partial: true }) : null, collector: plan.kind === 'selection' ? new SelectionCollector(plan) : null };
}

/** What `sink` (from `partialSink`) collected over segments with `outcomes`, with the buffers to transfer. */
export function exportPartialResult(sink: ScanSink, outcomes: ScanOutcome[], consuming: boolean): { result: PartialResult; transfer: ArrayBuffer[] } {
  if (!outcomes.some((o) => o.kind === 'processed')) return { result: { outcomes, consuming, partial: null }, transfer: [] };
  if (sink.aggregator !== null) {
    const { partial, transfer } = sink.aggregator.exportPartial();
    return { result: { outcomes, consuming, partial: { kind: 'aggregation', value: partial } }, transfer };
  }
  return { result: { outcomes, consuming, partial: { kind: 'selection', candidates: sink.collector!.candidates() } }, transfer: [] };
}

/** Scans one segment into a fresh sink of `ctx.plan` and exports what it found. */
export async function scanToPartial(ctx: ScanContext, segment: SegmentSnapshot): Promise<{ result: PartialResult; transfer: ArrayBuffer[] }> {
  const sink = partialSink(ctx.plan);
  const outcome = await scanSegment(ctx, segment, sink);
  return exportPartialResult(sink, [outcome], segment.consuming);
}

/**
 * Merges partial results of one plan, in segment order, into one answer: groups keep the
 * first-seen order of a sequential scan, ties in an ORDER BY selection go to the row seen first,
 * and the cut at `offset + limit` groups of a GROUP BY without ORDER BY keeps the same groups.
 * Each partial's groups go into the query's table once (a partial's groups are distinct), with
 * its typed-array states added by group id; `numGroupsLimit` was applied per segment where the
 * partial was made, so it does not bind again here.
 */
export class PartialMerger {
  private readonly sink: ScanSink;

  constructor(private readonly plan: QueryPlan) {
    this.sink = { aggregator: plan.kind === 'aggregation' ? new GroupByAggregator(plan) : null, collector: plan.kind === 'selection' ? new SelectionCollector(plan) : null };
  }

  /** Adds the next partial; its outcomes are counted into `stats`. */
  add(result: PartialResult, stats: ExecutionStats): void {
    for (const outcome of result.outcomes) countOutcome(stats, outcome, result.consuming);
    const partial = result.partial;
    if (partial === null) return;
    if (partial.kind === 'aggregation') this.sink.aggregator!.mergePartial(partial.value);
    else this.sink.collector!.offerCandidates(partial.candidates);
  }

  /** The query's answer from everything added (`stats` as counted, plus the segments queried). */
  finish(stats: ExecutionStats): ExecutionResult {
    const { aggregator, collector } = this.sink;
    const plan = this.plan;
    return finishExecution(plan, stats, () => (aggregator ? finishAggregation(plan as Extract<QueryPlan, { kind: 'aggregation' }>, aggregator.results()) : collector!.results()), aggregator?.limitReached ?? false);
  }
}

/**
 * The single entry point to merge partial results (from worker threads, or from other servers)
 * of `plan`, given in segment order, into the query's answer; `stats` holds the segments queried
 * (`countSegments`) and receives the scan counts.
 */
export function mergePartials(plan: QueryPlan, partials: Iterable<PartialResult>, stats: ExecutionStats): ExecutionResult {
  const merger = new PartialMerger(plan);
  for (const p of partials) merger.add(p, stats);
  return merger.finish(stats);
}
