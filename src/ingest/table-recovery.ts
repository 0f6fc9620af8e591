import { unlink } from 'node:fs/promises';
import type { Logger } from '../logger.js';
import { loadTableSegments, parseLlcSegmentName } from '../segment/index.js';
import type { QuarantinedFile, SealedSegment } from '../segment/index.js';
import type { StreamOffsetFactory } from '../spi/offset.js';
import { checkpointsFromSegments } from './checkpoints.js';
import type { CheckpointSource, ShardCheckpoint } from './checkpoints.js';
import { SealedLedger } from './sealed-ledger.js';
import type { LedgerEntry } from './sealed-ledger.js';
import { ledgerEntryOf } from './sealed-ledger.js';
export { ledgerEntryOf } from './sealed-ledger.js';
import { findGaps } from './segment-gaps.js';
import { settleCompactions } from './compaction.js';
import type { SegmentGap } from './segment-gaps.js';

/** What a table directory holds after a restart, and what recovery must still do. */
export interface RecoveredTable {
  /** Valid segments, in partition and sequence order. */
  readonly sealed: SealedSegment[];
  readonly quarantined: readonly QuarantinedFile[];
  /** Per shard: resume after the highest end any sealed segment (loaded or in the ledger) had. */
  readonly checkpoints: Map<string, ShardCheckpoint>;
  /** Gaps to re-read from the stream, each with the LLC sequence number of its repair segment. */
  readonly gaps: readonly { readonly gap: SegmentGap; readonly sequence: number }[];
  readonly ledger: SealedLedger;
}


/**
 * Recovers a table directory (docs/exactly-once.md, "Restart" and "Gaps"): loads the segment
 * files (refusing corrupt ones, ones whose footer names another segment or table, and ones whose
 * offsets overlap a segment already loaded), reads the sealed-range ledger, finds the gaps in each
 * shard's chain, and rebuilds the checkpoints from the loaded files and the ledger together — so a
 * deleted newest segment is a gap too, and the shard's consumer still resumes after it.
 *
 * LLC sequence numbers: each gap gets the partition's next free number for its repair segment,
 * and the checkpoint's `nextSequence` moves past them, so the consumer never reuses one.
 */
export async function recoverTable(tableDir: string, tableName: string, offsets: StreamOffsetFactory, logger: Logger): Promise<RecoveredTable> {
  const compare = (a: string, b: string): number => offsets.parse(a).compareTo(offsets.parse(b));
  // Footers only: a large table is queryable in seconds; whole-file checksums are verified in the
  // background afterwards (`SealedUpkeep`) and every section is checked when read.
  const ledger = await SealedLedger.load(tableDir, logger);
  // Compaction interrupted by a crash is rolled back or forward before any file is loaded.
  await settleCompactions(tableDir, ledger);
  const loaded = await loadTableSegments(tableDir, { tableName, compareOffsets: compare, verifyChecksum: false });
  const sealed = await finishDeletes(loaded.segments, ledger, logger);
  const sequenceOf = (name: string): number | null => parseLlcSegmentName(name)?.sequence ?? null;
  const found = findGaps(sealed.map((s) => s.metadata), ledger, compare, sequenceOf);

  const loadedNames = new Set(sealed.map((s) => s.metadata.segmentName));
  const sources: CheckpointSource[] = sealed.map((s) => s.metadata);
  for (const partitionId of ledger.partitionIds()) {
    for (const e of ledger.entries(partitionId)) if (!loadedNames.has(e.segmentName)) sources.push({ ...e, partitionId });
  }
  const checkpoints = checkpointsFromSegments(sources, offsets, (name) => sequenceOf(name) ?? 0);

  const next = new Map<number, number>();
  for (const c of checkpoints.values()) next.set(c.partitionId, Math.max(next.get(c.partitionId) ?? 0, c.nextSequence));
  const gaps = found.map((gap) => {
    const sequence = next.get(gap.partitionId) ?? 0;
    next.set(gap.partitionId, sequence + 1);
    return { gap, sequence };
  });
  for (const [shardId, c] of checkpoints) checkpoints.set(shardId, { ...c, nextSequence: next.get(c.partitionId) ?? c.nextSequence });

  // A partition whose gaps only sequence numbers show keeps no ledger until they are repaired, so
  // a crash meanwhile leaves the same evidence; every other partition's ledger takes in the files.
  const fallback = new Set(found.filter((g) => g.evidence === 'sequence').map((g) => g.partitionId));
  for (const partitionId of fallback) ledger.hold(partitionId);
  const byPartition = new Map<number, LedgerEntry[]>();
  for (const s of sealed) byPartition.set(s.metadata.partitionId, [...(byPartition.get(s.metadata.partitionId) ?? []), ledgerEntryOf(s)]);
  for (const [partitionId, entries] of byPartition) await ledger.record(partitionId, entries);
  return { sealed, quarantined: loaded.quarantined, checkpoints, gaps, ledger };
}

/**
 * Drops the files of segments the ledger lists as deleted on purpose: a delete whose file removal
 * did not happen (crash, error) is finished here, so a deleted segment is never served again.
 */
async function finishDeletes(segments: readonly SealedSegment[], ledger: SealedLedger, logger: Logger): Promise<SealedSegment[]> {
  const deleted = new Set(ledger.partitionIds().flatMap((p) => ledger.entries(p).filter((e) => e.deleted === true).map((e) => e.segmentName)));
  const kept: SealedSegment[] = [];
  for (const segment of segments) {
    if (!deleted.has(segment.metadata.segmentName)) {
      kept.push(segment);
      continue;
    }
    await unlink(segment.path).catch((err: unknown) => logger.warn({ segment: segment.metadata.segmentName, err: String(err) }, 'could not remove the file of a deleted segment'));
    logger.info({ segment: segment.metadata.segmentName }, 'deleted segment file removed at start');
  }
  return kept;
}
