import { describe, expect, it } from 'vitest';
import { findGaps } from '../../../src/ingest/segment-gaps.js';
import type { ChainSegment } from '../../../src/ingest/segment-gaps.js';
import type { LedgerEntry } from '../../../src/ingest/sealed-ledger.js';

const SHARD = 'shardId-000000000000';
const compare = (a: string, b: string): number => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);
const seq = (name: string): number => Number(name.split('__')[2]);
/** Segment `n` of partition 0 covers offsets 100n+1 .. 100n+100 (as strings wider than 2^53 to prove BigInt order). */
const BIG = 10n ** 30n;
const seg = (n: number): ChainSegment & LedgerEntry => ({
  segmentName: `t__0__${n}__20240101T0000Z`, shardId: SHARD, partitionId: 0,
  startOffset: String(BIG + BigInt(100 * n + 1)), endOffset: String(BIG + BigInt(100 * n + 100)), numDocs: 100, endOfShard: false,
});
const ledgerOf = (entries: readonly LedgerEntry[] | null) => ({
  has: () => entries !== null,
  entries: () => entries ?? [],
  partitionIds: () => (entries === null ? [] : [0]),
});

describe('findGaps', () => {
  it('finds a deleted first, a middle and a newest segment from the ledger, with exact bounds', () => {
    const all = [0, 1, 2, 3, 4, 5].map(seg);
    const loaded = [all[1]!, all[3]!, all[4]!];
    const gaps = findGaps(loaded, ledgerOf(all), compare, seq);
    expect(gaps.map((g) => ({ after: g.after, skipBefore: g.skipBefore, until: g.until, inclusive: g.untilInclusive, missing: g.missing.map((m) => seq(m.segmentName)) }))).toEqual([
      { after: null, skipBefore: all[0]!.startOffset, until: all[1]!.startOffset, inclusive: false, missing: [0] },
      { after: all[1]!.endOffset, skipBefore: null, until: all[3]!.startOffset, inclusive: false, missing: [2] },
      { after: all[4]!.endOffset, skipBefore: null, until: all[5]!.endOffset, inclusive: true, missing: [5] },
    ]);
  });

  it('sees no gap where a segment was deleted on purpose (DELETE /segments), first, middle or newest', () => {
    const all = [0, 1, 2, 3].map(seg);
    const ledger = all.map((e, i) => (i === 1 ? e : { ...e, deleted: true as const }));
    expect(findGaps([all[1]!], ledgerOf(ledger), compare, seq)).toEqual([]);
    // A deleted neighbour does not hide a real gap next to it.
    const withLoss = all.map((e, i) => (i === 2 ? { ...e, deleted: true as const } : e));
    expect(findGaps([all[0]!, all[1]!], ledgerOf(withLoss), compare, seq).map((g) => g.missing.map((m) => seq(m.segmentName)))).toEqual([[3]]);
  });

  it('sees no gap once a repair segment fills the hole, and none for an intact chain', () => {
    const all = [0, 1, 2, 3].map(seg);
    const repair = { ...seg(1), segmentName: 't__0__9__20240101T0100Z', startOffset: all[1]!.startOffset, endOffset: all[2]!.endOffset };
    expect(findGaps([all[0]!, repair, all[3]!], ledgerOf([...all, repair]), compare, seq)).toEqual([]);
    expect(findGaps(all, ledgerOf(all), compare, seq)).toEqual([]);
  });

  it('falls back to LLC sequence numbers without a ledger (a missing first segment too)', () => {
    const all = [0, 1, 2, 3].map(seg);
    const gaps = findGaps([all[1]!, all[3]!], ledgerOf(null), compare, seq);
    expect(gaps.map((g) => [g.after, g.until, g.evidence])).toEqual([
      [null, all[1]!.startOffset, 'sequence'],
      [all[1]!.endOffset, all[3]!.startOffset, 'sequence'],
    ]);
  });
});
