import { describe, expect, it } from 'vitest';
import { RewindCursor } from '../../../src/ingest/rewind-cursor.js';
import type { RewindPartition } from '../../../src/ingest/rewind-store.js';
import { kinesisOffsetFactory } from '../../../src/plugins/stream/kinesis/kinesis-offset.js';
import type { SealedSegment } from '../../../src/segment/index.js';
import type { StreamMessage } from '../../../src/spi/message-batch.js';

const offset = (n: number) => kinesisOffsetFactory.parse(String(n));
const message = (seq: number, arrivalTimeMs = 0): StreamMessage => ({ key: 'k', value: new Uint8Array(), offset: offset(seq), arrivalTimeMs, serializedSize: 0 });
const segment = (start: number, end: number): SealedSegment =>
  ({ name: `s-${start}`, metadata: { segmentName: `s-${start}`, shardId: 'shardId-0', partitionId: 0, startOffset: String(start), endOffset: String(end) } }) as unknown as SealedSegment;
const plan = (over: Partial<RewindPartition> = {}): RewindPartition => ({ shardId: 'shardId-0', partitionId: 0, firstSequence: 5, start: { oldest: true }, replaces: [], skipBelow: null, keepFromMs: null, ...over });

/** A cursor over old segments, recording each swap and whether the partition finished. */
function cursor(old: SealedSegment[], over: Partial<RewindPartition> = {}) {
  const swaps: { retired: string[]; served: string[] }[] = [];
  let finished = 0;
  const c = new RewindCursor({
    plan: plan(over),
    offsets: kinesisOffsetFactory,
    remaining: old,
    swap: async (retire, replacements) => void swaps.push({ retired: retire.map((s) => s.name), served: replacements.map((s) => s.name) }),
    finished: async () => void finished++,
  });
  return { c, swaps, finished: () => finished };
}

describe('RewindCursor', () => {
  it('swaps at each old segment end: after the record at it, or before a record past it', async () => {
    const { c, swaps, finished } = cursor([segment(10, 19), segment(20, 29), segment(30, 39)]);
    expect(c.active).toBe(true);
    expect(c.decide(message(10))).toBe('index');
    expect(c.mustSwapAfter(offset(18))).toBe(false);
    expect(c.mustSwapAfter(offset(19))).toBe(true);
    c.sealed(segment(10, 19));
    await c.swapThrough(offset(19), true);
    expect(swaps).toEqual([{ retired: ['s-10'], served: ['s-10'] }]);
    // The record at 29 is missing from the stream: the next one, 31, is past the end of 20-29.
    expect(c.mustSwapBefore(offset(31))).toBe(true);
    await c.swapThrough(offset(31), false);
    expect(swaps[1]).toEqual({ retired: ['s-20'], served: [] });
    expect(c.active).toBe(true);
    await c.swapThrough(null, true); // end of shard
    expect(c.active).toBe(false);
    expect(finished()).toBe(1);
    await c.committed();
    expect(finished()).toBe(1);
  });

  it('keeps an old segment whose start the stream no longer holds, skipping its records', () => {
    const { c, finished } = cursor([segment(10, 19), segment(20, 29)]);
    // The oldest record still in the stream is 15: segment 10-19 is kept whole.
    expect(c.decide(message(15))).toBe('skip');
    expect(c.decide(message(19))).toBe('skip');
    expect(c.decide(message(20))).toBe('index');
    expect(c.progress()).toMatchObject({ remaining: 1 });
    expect(finished()).toBe(0);
  });

  it('below skipBelow, indexes only records that arrived at or after keepFromMs', () => {
    const { c } = cursor([segment(50, 59)], { skipBelow: '50', keepFromMs: 1000 });
    expect(c.decide(message(40, 999))).toBe('skip');
    expect(c.decide(message(41, 1000))).toBe('index');
    expect(c.decide(message(50, 10))).toBe('index'); // a replaced segment's own record is always kept
    expect(c.decide(message(60, 10))).toBe('index'); // and so is every record after it
  });

  it('with nothing to replace, finishes at the first committed seal', async () => {
    const { c, finished } = cursor([], { start: { atTimestampMs: 5 } });
    expect(c.active).toBe(false);
    expect(c.decide(message(1))).toBe('index');
    expect(finished()).toBe(0);
    await c.committed();
    expect(finished()).toBe(1);
  });
});
