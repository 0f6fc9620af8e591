import { unlink } from 'node:fs/promises';
import type { SealedSegment } from '../segment/index.js';
import { describeError } from '../util/describe-error.js';
import type { Logger } from '../logger.js';
import type { SealedLedger } from './sealed-ledger.js';
import { ledgerEntryOf } from './sealed-ledger.js';

/** The table's list of served sealed segments, read and replaced in one tick. */
export interface SealedSegmentsHolder {
  get(): SealedSegment[];
  set(segments: SealedSegment[]): void;
  readonly ledger: SealedLedger | null;
  readonly consumingNames: () => readonly string[];
  readonly logger: Logger;
  /** Partitions whose segments a rewind is replacing now: compaction leaves them alone. */
  readonly replaying?: (partitionId: number) => boolean;
}

/** Why segments leave a table: shown in logs and status. */
export type RetirementReason = 'deleted' | 'retention' | 'quarantined' | 'replaced' | 'rewind';

/**
 * Retires sealed segments of a table for good, atomically with respect to queries and crashes —
 * the one primitive that deletes, retention (and later compaction and rewind) build on:
 *
 * 1. **durable first**: the ledger marks every segment `deleted` (one atomic write per partition,
 *    `SealedLedger.markDeleted`). From then on a restart neither serves the files (they are
 *    removed at start), nor repairs them as gaps, nor re-reads their records: the shard's
 *    checkpoint still counts their end offsets, so exactly-once survives the drop. A failed write
 *    throws and nothing else changes.
 * 2. **one tick**: the served list loses all of them at once (`holder.set`), optionally gaining
 *    `replacements` in the same step — readers see the old set or the new one, never both, never
 *    neither. Each retired segment is `retire()`d: its cache entries go, and its file stays
 *    readable through an open descriptor for queries that took it before the swap.
 * 3. **files last**: each file is unlinked; a removal that fails is finished at the next start.
 *
 * Segments no longer served (already retired by a concurrent call) are skipped. Returns the
 * segments actually retired.
 *
 * @example
 *   await retireSegments(holder, expired, 'retention');
 */
export async function retireSegments(
  holder: SealedSegmentsHolder,
  segments: readonly SealedSegment[],
  reason: RetirementReason,
  replacements: readonly SealedSegment[] = [],
): Promise<SealedSegment[]> {
  const served = new Set(holder.get());
  const going = segments.filter((s) => served.has(s));
  if (going.length === 0 && replacements.length === 0) return [];
  const byPartition = new Map<number, { going: SealedSegment[]; added: SealedSegment[] }>();
  const of = (s: SealedSegment): { going: SealedSegment[]; added: SealedSegment[] } => {
    const p = s.metadata.partitionId;
    if (!byPartition.has(p)) byPartition.set(p, { going: [], added: [] });
    return byPartition.get(p)!;
  };
  for (const s of going) of(s).going.push(s);
  for (const s of replacements) of(s).added.push(s);
  if (holder.ledger) {
    // One atomic write per partition: the retired segments marked deleted and the replacements listed.
    for (const [partitionId, p] of byPartition) await holder.ledger.markDeleted(partitionId, p.going.map(ledgerEntryOf), p.added.map(ledgerEntryOf));
  }
  // Between the ledger write and here another call may have retired some: swap what is still served.
  const gone = new Set(going);
  holder.set([...holder.get().filter((s) => !gone.has(s)), ...replacements]);
  for (const segment of going) segment.retire();
  holder.logger.info({ reason, segments: going.map((s) => s.name), replacements: replacements.map((s) => s.name) }, `sealed segments retired (${reason})`);
  for (const segment of going) {
    await unlink(segment.path).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') holder.logger.warn({ segment: segment.name, err: describeError(err) }, 'retired segment file could not be removed; removed at next start');
    });
  }
  return going;
}
