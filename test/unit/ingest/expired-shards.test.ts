import { describe, expect, it } from 'vitest';
import { expiredShards } from '../../../src/ingest/expired-shards.js';
import type { ExpiryView } from '../../../src/ingest/expired-shards.js';
import type { ShardCheckpoint } from '../../../src/ingest/checkpoints.js';
import type { PartitionInfo } from '../../../src/spi/metadata-provider.js';

const shard = (n: number, parents: string[] = []): PartitionInfo => ({ partitionId: n, shardId: `shardId-${String(n).padStart(12, '0')}`, parentShardIds: parents, closed: parents.length === 0 });
const offset = (text: string) => ({ compareTo: () => 0, toString: () => text });
const checkpoint = (partitionId: number, after: string): ShardCheckpoint => ({ shardId: shard(partitionId).shardId, partitionId, after: offset(after), ended: false, nextSequence: 1 }) as unknown as ShardCheckpoint;

function view(overrides: Partial<ExpiryView> = {}): ExpiryView {
  return { known: new Map(), checkpoints: new Map(), ended: new Set(), reported: new Map(), currentOffset: () => undefined, ...overrides };
}

describe('shards that expire unread are data loss', () => {
  it('reports a known shard gone from the listing, at the offset its reader reached', () => {
    const s0 = shard(0);
    const lost = expiredShards([shard(1)], view({ known: new Map([[s0.shardId, s0]]), currentOffset: () => '42' }), 7);
    expect(lost).toEqual([{ shardId: s0.shardId, partitionId: 0, lastSequenceNumber: '42', detectedAtMs: 7, reason: expect.stringContaining('records after 42 are lost') }]);
  });

  it('reports a missing parent this table has sealed segments of, at its checkpoint', () => {
    const parent = shard(0).shardId;
    const lost = expiredShards([shard(1, [parent])], view({ checkpoints: new Map([[parent, checkpoint(0, '9')]]) }), 1);
    expect(lost.map((e) => [e.shardId, e.lastSequenceNumber])).toEqual([[parent, '9']]);
  });

  it('does not report a parent the table never saw, a shard read to its end, or one already reported', () => {
    const s0 = shard(0);
    const s2 = shard(2);
    expect(expiredShards([shard(1, ['shardId-000000000099'])], view(), 1)).toEqual([]);
    expect(expiredShards([], view({ known: new Map([[s0.shardId, s0]]), ended: new Set([s0.shardId]) }), 1)).toEqual([]);
    const reported = expiredShards([], view({ known: new Map([[s2.shardId, s2]]) }), 1)[0]!;
    expect(reported.reason).toMatch(/before any of it was read/);
    expect(expiredShards([], view({ known: new Map([[s2.shardId, s2]]), reported: new Map([[s2.shardId, reported]]) }), 1)).toEqual([]);
  });
});
