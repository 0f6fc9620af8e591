import { unlink } from 'node:fs/promises';
import type { Logger } from '../logger.js';
import { openSegment, parseLlcSegmentName, toDisplayJson } from '../segment/index.js';
import type { SealedSegment } from '../segment/index.js';
import { describeError } from '../util/describe-error.js';
import type { SealedLedger } from './sealed-ledger.js';
import { ledgerEntryOf } from './table-recovery.js';

/** What `DELETE /segments/{t}/{segment}` found: deleted, a consuming segment, its partition repairing gaps, or nothing by that name. */
export type SegmentDeleteResult = 'deleted' | 'consuming' | 'repairing' | 'missing';

/** What a reload did: the segments re-read from disk, and those that could not be (still served from memory). */
export interface SegmentReloadReport {
  readonly reloaded: readonly string[];
  readonly failed: readonly { readonly segment: string; readonly error: string }[];
}

/** The table's list of served sealed segments, read and replaced in one tick. */
export interface SealedSegmentsHolder {
  get(): SealedSegment[];
  set(segments: SealedSegment[]): void;
  readonly ledger: SealedLedger | null;
  readonly consumingNames: () => readonly string[];
  readonly logger: Logger;
}

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
  await holder.ledger?.markDeleted(partitionId, ledgerEntryOf(segment));
  holder.set(holder.get().filter((s) => s !== segment));
  await unlink(segment.path).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') holder.logger.warn({ segment: segmentName, err: describeError(err) }, 'deleted segment file could not be removed; removed at next start');
  });
  holder.logger.info({ segment: segmentName }, 'segment deleted');
  return 'deleted';
}

/**
 * Re-reads every sealed segment from its file (checksums verified, as at start) and serves the
 * fresh copy; a file that cannot be read is reported and its in-memory copy kept serving (a
 * damaged file is quarantined by the next start, docs/operations.md).
 */
export async function reloadSealedSegments(holder: SealedSegmentsHolder): Promise<SegmentReloadReport> {
  const fresh = new Map<string, SealedSegment>();
  const failed: { segment: string; error: string }[] = [];
  for (const segment of holder.get()) {
    try {
      fresh.set(segment.metadata.segmentName, await openSegment(segment.path));
    } catch (err) {
      failed.push({ segment: segment.metadata.segmentName, error: describeError(err) });
      holder.logger.error({ segment: segment.metadata.segmentName, err: describeError(err) }, 'segment reload failed; the loaded copy keeps serving');
    }
  }
  // Swapped in one tick; a segment deleted meanwhile stays deleted.
  holder.set(holder.get().map((s) => fresh.get(s.metadata.segmentName) ?? s));
  return { reloaded: [...fresh.keys()], failed };
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
