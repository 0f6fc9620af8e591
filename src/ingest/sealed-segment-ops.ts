import { indexChanges, openSegment, parseLlcSegmentName, toDisplayJson } from '../segment/index.js';
import type { SealedSegment } from '../segment/index.js';
import { describeError } from '../util/describe-error.js';
import { reindexSegment } from './segment-reindex.js';
import type { ReindexOptions } from './segment-reindex.js';
import { retireSegments } from './segment-retirement.js';
import type { SealedSegmentsHolder } from './segment-retirement.js';

/** What `DELETE /segments/{t}/{segment}` found: deleted, a consuming segment, its partition repairing gaps, or nothing by that name. */
export type SegmentDeleteResult = 'deleted' | 'consuming' | 'repairing' | 'missing';

/** What a reload did: the segments re-read from disk, and those that could not be (still served from memory). */
export interface SegmentReloadReport {
  readonly reloaded: readonly string[];
  /** Of those, the segments built again because their indexes differed from the table config's. */
  readonly reindexed: readonly string[];
  readonly failed: readonly { readonly segment: string; readonly error: string }[];
}

export type { SealedSegmentsHolder } from './segment-retirement.js';
export { reindexOptions } from './segment-reindex.js';

/**
 * Deletes a sealed segment for good: the ledger records it as deleted on purpose first (so a
 * restart neither repairs it as a gap nor re-reads its rows: the shard still resumes after it),
 * then queries stop seeing it (same tick), then its file is removed (a failed removal is finished
 * at the next start). A consuming segment is refused (seal it first); so is one whose partition
 * is still repairing gaps, whose ledger cannot be written until the repair ends.
 */
export async function deleteSealedSegment(holder: SealedSegmentsHolder, segmentName: string): Promise<SegmentDeleteResult> {
  const segment = holder.get().find((s) => s.metadata.segmentName === segmentName);
  if (!segment) return holder.consumingNames().includes(segmentName) ? 'consuming' : 'missing';
  const { partitionId } = segment.metadata;
  if (holder.ledger?.isHeld(partitionId)) return 'repairing';
  await retireSegments(holder, [segment], 'deleted');
  holder.logger.info({ segment: segmentName }, 'segment deleted');
  return 'deleted';
}

/**
 * Re-reads every sealed segment from its file (checksums verified, as at start) and serves the
 * fresh copy; a file that cannot be read is reported and its in-memory copy kept serving (a
 * damaged file is quarantined by the next start, docs/operations.md).
 *
 * With `reindex`, a segment whose indexes differ from the table config's (`indexChanges`) is
 * first built again with them (`reindexSegment`), so indexes added to a live table's config reach
 * the segments sealed before.
 */
export async function reloadSealedSegments(holder: SealedSegmentsHolder, reindex?: ReindexOptions): Promise<SegmentReloadReport> {
  const fresh = new Map<string, SealedSegment>();
  const reindexed: string[] = [];
  const failed: { segment: string; error: string }[] = [];
  for (const segment of holder.get()) {
    const name = segment.metadata.segmentName;
    try {
      const changes = reindex !== undefined && segment.numDocs > 0 ? indexChanges(segment, reindex.indexing) : [];
      if (changes.length > 0) {
        const rebuilt = await reindexSegment(holder, segment, reindex!);
        if (rebuilt !== null) {
          holder.logger.info({ segment: name, indexes: changes }, 'segment rebuilt with the table config\'s indexes');
          reindexed.push(name);
        }
        continue;
      }
      fresh.set(name, await openSegment(segment.path));
    } catch (err) {
      failed.push({ segment: name, error: describeError(err) });
      holder.logger.error({ segment: name, err: describeError(err) }, 'segment reload failed; the loaded copy keeps serving');
    }
  }
  // Swapped in one tick; a segment deleted meanwhile stays deleted.
  const before = holder.get();
  holder.set(before.map((s) => fresh.get(s.metadata.segmentName) ?? s));
  for (const s of before) if (fresh.has(s.metadata.segmentName)) s.retire();
  return { reloaded: [...reindexed, ...fresh.keys()], reindexed, failed };
}

/** Sealed segments in partition, then LLC sequence order. */
export function compareSegments(a: SealedSegment, b: SealedSegment): number {
  const pa = a.metadata.partitionId;
  const pb = b.metadata.partitionId;
  if (pa !== pb) return pa - pb;
  return (parseLlcSegmentName(a.metadata.segmentName)?.sequence ?? 0) - (parseLlcSegmentName(b.metadata.segmentName)?.sequence ?? 0);
}

/**
 * A sealed segment's metadata as the API shows it (`GET /segments/{t}/{s}/metadata`): column
 * min/max as plain JSON (they are typed values, bigint for LONG), and for upsert tables the rows
 * that are their key's latest (`valid`) and of those not deleted (`queryable`).
 */
export function segmentMetadataJson(segment: SealedSegment, liveRows: unknown): Record<string, unknown> {
  const { metadata } = segment;
  return {
    ...metadata,
    ...(liveRows !== null ? { upsertLiveRows: liveRows } : {}),
    columns: metadata.columns.map((c) => ({ ...c, min: toDisplayJson(c.min, c.dataType), max: toDisplayJson(c.max, c.dataType) })),
  };
}

/**
 * The served list without the segments `gone` picks, each of those retired (cache entries
 * dropped; the file stays readable for queries that took it): for callers that retire segments
 * whose files they remove themselves (a stream reset).
 */
export function withoutRetired(sealed: readonly SealedSegment[], gone: (s: SealedSegment) => boolean): SealedSegment[] {
  const kept: SealedSegment[] = [];
  for (const s of sealed) {
    if (gone(s)) s.retire();
    else kept.push(s);
  }
  return kept;
}
