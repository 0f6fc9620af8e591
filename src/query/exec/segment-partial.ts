import { GroupByAggregator } from './group-by.js';
import type { AggregationPartial } from './group-by.js';
import { scanSegment } from './segment-scan.js';
import type { ScanContext, ScanOutcome, ScanSink } from './segment-scan.js';
import type { SegmentSnapshot } from './segment-snapshot.js';
import { SelectionCollector } from './selection.js';
import type { Candidate } from './selection.js';

/**
 * One segment's answer to a query, on its own: its scan outcome and, when it was processed, its
 * groups and aggregation states (`aggregation`) or its best rows with their sort keys (an ORDER
 * BY selection). A worker thread computes it for a sealed segment; the main thread merges the
 * answers in segment order (`mergeSegmentResult`).
 */
export interface SegmentResult {
  readonly outcome: ScanOutcome;
  readonly partial: { readonly kind: 'aggregation'; readonly value: AggregationPartial } | { readonly kind: 'selection'; readonly candidates: Candidate[] } | null;
}

/**
 * Scans one segment into a fresh aggregator or collector of `ctx.plan` and exports what it
 * found, with the buffers to transfer. A selection without ORDER BY has no partial form (its
 * scan stops at the LIMIT): the caller runs those sequentially.
 */
export async function scanToPartial(ctx: ScanContext, segment: SegmentSnapshot): Promise<{ result: SegmentResult; transfer: ArrayBuffer[] }> {
  const { plan } = ctx;
  if (plan.kind === 'selection' && plan.orderBy.length === 0) throw new Error('internal: a selection without ORDER BY is not split by segment');
  const aggregator = plan.kind === 'aggregation' ? new GroupByAggregator(plan, { partial: true }) : null;
  const collector = plan.kind === 'selection' ? new SelectionCollector(plan) : null;
  const outcome = await scanSegment(ctx, segment, { aggregator, collector });
  if (outcome.kind !== 'processed') return { result: { outcome, partial: null }, transfer: [] };
  if (aggregator !== null) {
    const { partial, transfer } = aggregator.exportPartial();
    return { result: { outcome, partial: { kind: 'aggregation', value: partial } }, transfer };
  }
  return { result: { outcome, partial: { kind: 'selection', candidates: collector!.candidates() } }, transfer: [] };
}

/** Merges one segment's result into the query's aggregator or collector (call in segment order). */
export function mergeSegmentResult(sink: ScanSink, result: SegmentResult): void {
  mergePartial(sink, result.partial);
}

/**
 * Merges a partial (one segment's, or several segments' already merged, as a cluster server
 * answers) into the query's aggregator or collector.
 */
export function mergePartial(sink: ScanSink, partial: SegmentResult['partial']): void {
  if (partial === null) return;
  if (partial.kind === 'aggregation') sink.aggregator!.mergePartial(partial.value);
  else sink.collector!.offerCandidates(partial.candidates);
}
