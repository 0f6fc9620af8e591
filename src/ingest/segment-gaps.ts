import type { LedgerEntry } from './sealed-ledger.js';

/** What gap finding reads of a loaded (valid) segment: its footer's identity and range. */
export interface ChainSegment {
  readonly segmentName: string;
  readonly shardId: string;
  readonly partitionId: number;
  readonly startOffset: string | null;
  readonly endOffset: string | null;
}

/**
 * A stretch of one shard whose rows the table sealed once but no loaded file holds any more
 * (deleted, truncated, damaged). A repair reads strictly after `after` (null: from the partition's
 * start) and keeps records before `until` (or up to and including it, `untilInclusive`: a gap at
 * the tail, after the last loaded segment).
 */
export interface SegmentGap {
  readonly shardId: string;
  readonly partitionId: number;
  /** The predecessor's end offset; null when there is no loaded segment before the gap. */
  readonly after: string | null;
  /** With `after === null` and a ledger: records before this offset were never the table's. */
  readonly skipBefore: string | null;
  readonly until: string;
  readonly untilInclusive: boolean;
  /** The missing segments the ledger names (empty when only sequence numbers show the gap). */
  readonly missing: readonly LedgerEntry[];
  /** How the gap is known: the sealed-range ledger, or missing LLC sequence numbers. */
  readonly evidence: 'ledger' | 'sequence';
}

type Compare = (a: string, b: string) => number;
type Ranged = { readonly startOffset: string; readonly endOffset: string };

const ranged = <T extends { startOffset: string | null; endOffset: string | null }>(s: T): s is T & Ranged =>
  s.startOffset !== null && s.endOffset !== null;

/**
 * Finds the gaps of every shard (docs/exactly-once.md, "Gaps"). The loaded segments of a shard,
 * ordered by offset, leave holes: before the first, between neighbours, after the last. A hole is
 * a gap when a segment the ledger lists (and not as deleted on purpose) has offsets inside it. A partition without a ledger
 * falls back to its LLC sequence numbers: a number missing between two loaded segments makes
 * every hole between them a gap (a missing first or last segment cannot be seen that way).
 *
 * @example
 *   findGaps(loaded.map((s) => s.metadata), ledger, compare, (name) => parseLlcSegmentName(name)?.sequence ?? null)
 */
export function findGaps(
  loaded: readonly ChainSegment[],
  ledger: { has(partitionId: number): boolean; entries(partitionId: number): readonly LedgerEntry[]; partitionIds(): number[] },
  compare: Compare,
  sequenceOf: (segmentName: string) => number | null,
): SegmentGap[] {
  const partitions = new Set<number>([...loaded.map((s) => s.partitionId), ...ledger.partitionIds()]);
  const gaps: SegmentGap[] = [];
  for (const partitionId of [...partitions].sort((a, b) => a - b)) {
    const mine = loaded.filter((s) => s.partitionId === partitionId);
    if (ledger.has(partitionId)) {
      // A segment deleted on purpose is no gap: its rows were dropped by the user, not lost.
      const entries = ledger.entries(partitionId).filter(ranged).filter((e) => e.deleted !== true);
      for (const shardId of new Set([...mine.map((s) => s.shardId), ...entries.map((e) => e.shardId)])) {
        const chain = mine.filter((s) => s.shardId === shardId).filter(ranged).sort((a, b) => compare(a.startOffset, b.startOffset));
        const expected = entries.filter((e) => e.shardId === shardId);
        gaps.push(...ledgerGaps(shardId, partitionId, chain, expected, compare));
      }
    } else {
      gaps.push(...sequenceGaps(partitionId, mine, compare, sequenceOf));
    }
  }
  return gaps;
}

function ledgerGaps(shardId: string, partitionId: number, chain: readonly Ranged[], expected: readonly (LedgerEntry & Ranged)[], compare: Compare): SegmentGap[] {
  const gaps: SegmentGap[] = [];
  for (let i = 0; i <= chain.length; i++) {
    const lo = i === 0 ? null : chain[i - 1]!.endOffset;
    const hi = i === chain.length ? null : chain[i]!.startOffset;
    // An entry is in the open hole (lo, hi) when it ends after lo and starts before hi.
    const missing = expected
      .filter((e) => (lo === null || compare(e.endOffset, lo) > 0) && (hi === null || compare(e.startOffset, hi) < 0))
      .sort((a, b) => compare(a.startOffset, b.startOffset));
    if (missing.length === 0) continue;
    const lastEnd = missing.reduce((max, e) => (compare(e.endOffset, max) > 0 ? e.endOffset : max), missing[0]!.endOffset);
    gaps.push({
      shardId,
      partitionId,
      after: lo,
      skipBefore: lo === null ? missing[0]!.startOffset : null,
      until: hi ?? lastEnd,
      untilInclusive: hi === null,
      missing,
      evidence: 'ledger',
    });
  }
  return gaps;
}

function sequenceGaps(partitionId: number, mine: readonly ChainSegment[], compare: Compare, sequenceOf: (name: string) => number | null): SegmentGap[] {
  // Every loaded segment counts as present; only ranged ones bound a gap (an empty segment is
  // only ever a shard's last, marking its end).
  const bySeq = mine
    .map((s) => ({ s, seq: sequenceOf(s.segmentName) }))
    .filter((x): x is { s: ChainSegment; seq: number } => x.seq !== null)
    .sort((a, b) => a.seq - b.seq);
  const seen = new Map<string, SegmentGap>();
  for (let i = 0; i < bySeq.length; i++) {
    const { s: next, seq } = bySeq[i]!;
    const prev = i === 0 ? null : bySeq[i - 1]!;
    if ((prev === null && seq === 0) || (prev !== null && seq === prev.seq + 1)) continue;
    // Sequence numbers prev.seq+1 .. seq-1 are missing: their rows lie between prev's end and next's start.
    if (!ranged(next) || (prev !== null && !ranged(prev.s))) continue;
    const lo = prev?.s.endOffset ?? null;
    const hi = next.startOffset;
    const chain = mine.filter((s) => s.shardId === next.shardId).filter(ranged).sort((a, b) => compare(a.startOffset, b.startOffset));
    for (let j = 0; j <= chain.length; j++) {
      const holeLo = j === 0 ? null : chain[j - 1]!.endOffset;
      const holeHi = j === chain.length ? null : chain[j]!.startOffset;
      if (holeHi === null) continue;
      const inside = (lo === null || (holeLo !== null && compare(holeLo, lo) >= 0)) && compare(holeHi, hi) <= 0;
      if (!inside) continue;
      const key = `${next.shardId}\u0000${holeLo}`;
      if (!seen.has(key)) {
        seen.set(key, { shardId: next.shardId, partitionId, after: holeLo, skipBefore: null, until: holeHi, untilInclusive: false, missing: [], evidence: 'sequence' });
      }
    }
  }
  return [...seen.values()];
}
