import { describe, expect, it } from 'vitest';
import { checkpointsFromSegments } from '../../../src/ingest/checkpoints.js';
import type { CheckpointSource } from '../../../src/ingest/checkpoints.js';
import { kinesisOffsetFactory } from '../../../src/plugins/stream/kinesis/kinesis-offset.js';
import { parseLlcSegmentName } from '../../../src/segment/index.js';

const sequenceOf = (name: string): number => parseLlcSegmentName(name)?.sequence ?? 0;

function seg(partitionId: number, sequence: number, endOffset: string | null, endOfShard = false): CheckpointSource {
  return {
    shardId: `shardId-${String(partitionId).padStart(12, '0')}`,
    partitionId,
    segmentName: `events__${partitionId}__${sequence}__20240101T0000Z`,
    endOffset,
    endOfShard,
  };
}

const SEQ_56 = '4959033827149025660855969253836157109592157598913658880'.padEnd(56, '1');
const SEQ_57 = '1' + '0'.repeat(56);

describe('checkpointsFromSegments', () => {
  it('resumes after the highest end offset compared as numbers, not text ("9" < "10")', () => {
    const result = checkpointsFromSegments([seg(0, 1, '10'), seg(0, 0, '9')], kinesisOffsetFactory, sequenceOf);
    expect(result.get('shardId-000000000000')?.after?.toString()).toBe('10');
    const reversed = checkpointsFromSegments([seg(0, 0, '9'), seg(0, 1, '10')], kinesisOffsetFactory, sequenceOf);
    expect(reversed.get('shardId-000000000000')?.after?.toString()).toBe('10');
  });

  it('orders a 57-digit sequence number after a 56-digit one that sorts later as text', () => {
    expect(SEQ_56 > SEQ_57).toBe(true); // text order is wrong here
    expect(SEQ_56).toHaveLength(56);
    expect(SEQ_57).toHaveLength(57);
    const result = checkpointsFromSegments([seg(3, 0, SEQ_56), seg(3, 1, SEQ_57), seg(3, 2, SEQ_56)], kinesisOffsetFactory, sequenceOf);
    expect(result.get('shardId-000000000003')?.after?.toString()).toBe(SEQ_57);
  });

  it('keeps shards apart and gives each its next LLC sequence number', () => {
    const result = checkpointsFromSegments(
      [seg(0, 0, '100'), seg(1, 0, '5'), seg(0, 2, '300'), seg(0, 1, '200'), seg(1, 1, '7')],
      kinesisOffsetFactory,
      sequenceOf,
    );
    expect(result.get('shardId-000000000000')).toMatchObject({ partitionId: 0, nextSequence: 3, ended: false });
    expect(result.get('shardId-000000000000')?.after?.toString()).toBe('300');
    expect(result.get('shardId-000000000001')).toMatchObject({ partitionId: 1, nextSequence: 2, ended: false });
    expect(result.get('shardId-000000000001')?.after?.toString()).toBe('7');
  });

  it('marks a shard ended when any of its segments is the end of the shard, in any order', () => {
    const result = checkpointsFromSegments([seg(0, 1, '20', true), seg(0, 0, '10')], kinesisOffsetFactory, sequenceOf);
    expect(result.get('shardId-000000000000')).toMatchObject({ ended: true, nextSequence: 2 });
    expect(result.get('shardId-000000000000')?.after?.toString()).toBe('20');
  });

  it('keeps the earlier offset when a later segment recorded none (an empty end-of-shard segment)', () => {
    const result = checkpointsFromSegments([seg(0, 0, '42'), seg(0, 1, null, true)], kinesisOffsetFactory, sequenceOf);
    expect(result.get('shardId-000000000000')?.after?.toString()).toBe('42');
    expect(result.get('shardId-000000000000')).toMatchObject({ ended: true, nextSequence: 2 });
  });

  it('has no checkpoint offset for a shard whose only segment is empty, and nothing for unknown shards', () => {
    const result = checkpointsFromSegments([seg(5, 0, null, true)], kinesisOffsetFactory, sequenceOf);
    expect(result.get('shardId-000000000005')).toMatchObject({ after: null, ended: true, nextSequence: 1 });
    expect(result.has('shardId-000000000000')).toBe(false);
    expect(checkpointsFromSegments([], kinesisOffsetFactory, sequenceOf).size).toBe(0);
  });

  it('orders sub-sequence numbers of aggregated records inside one sequence number', () => {
    const base = '49590338271490256608559692538361571095921575989136588898';
    const result = checkpointsFromSegments([seg(0, 0, `${base}:3`), seg(0, 1, `${base}:12`), seg(0, 2, base)], kinesisOffsetFactory, sequenceOf);
    expect(result.get('shardId-000000000000')?.after?.toString()).toBe(`${base}:12`);
  });
});
