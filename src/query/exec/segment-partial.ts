import { GroupByAggregator } from './group-by.js';
import type { AggregationPartial } from './group-by.js';
import { scanSegment } from './segment-scan.js';
import type { ScanContext, ScanOutcome, ScanSink } from './segment-scan.js';
import type { SegmentSnapshot } from './segment-snapshot.js';
import { SelectionCollector } from './selection.js';
import type { Candidate } from './selection.js';
import type { SharedTopBound } from './shared-top-bound.js';

/**
 * The answer of a contiguous run of segments to a query, on its own: each segment's scan outcome
 * (in segment order) and, when any was processed, their groups and aggregation states
 * (`aggregation`) or their best rows with their sort keys (an ORDER BY selection). A worker
 * thread computes one for its batch of sealed segments; the main thread merges them in segment
 * order (`PartialMerge`, `partial-merge.ts`). Plain data (typed arrays, arrays, objects, strings,
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
export function partialSink(plan: ScanContext['plan'], topBound: SharedTopBound | null = null): ScanSink {
  if (plan.kind === 'selection' && plan.orderBy.length === 0) throw new Error('internal: a selection without ORDER BY is not split by segment');
  return { aggregator: plan.kind === 'aggregation' ? new GroupByAggregator(plan, { partial: true }) : null, collector: plan.kind === 'selection' ? new SelectionCollector(plan, topBound) : null };
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
  const sink = partialSink(ctx.plan, ctx.topBound ?? null);
  const outcome = await scanSegment(ctx, segment, sink);
  return exportPartialResult(sink, [outcome], segment.consuming);
}

/**
 * Merges a partial (of one segment, of a worker's batch, or of a cluster server's segments) into
 * the query's aggregator or collector; `PartialMerge` (`partial-merge.ts`) is the one merge that
 * calls it, in segment order.
 */
export function mergePartial(sink: ScanSink, partial: PartialResult['partial']): void {
  if (partial === null) return;
  if (partial.kind === 'aggregation') sink.aggregator!.mergePartial(partial.value);
  else sink.collector!.offerCandidates(partial.candidates);
}
