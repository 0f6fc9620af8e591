import { describe, expect, it } from 'vitest';
import { lineageOf } from '../../../src/ingest/keyed-table.js';
import type { PartitionInfo } from '../../../src/spi/metadata-provider.js';

const shard = (partitionId: number, parents: string[] = []): [string, PartitionInfo] => {
  const shardId = `shardId-${String(partitionId).padStart(12, '0')}`;
  return [shardId, { partitionId, shardId, parentShardIds: parents, closed: false }];
};

describe('lineageOf: which shards a key may move from without a warning', () => {
  it('parents and their parents are ancestors; siblings, children and unknown shards are not', () => {
    const known = new Map([shard(0), shard(1), shard(2, ['shardId-000000000000']), shard(3, ['shardId-000000000002', 'shardId-000000000001']), shard(4, ['shardId-000000000009'])]);
    const isAncestor = lineageOf(known);
    expect(isAncestor(0, 2)).toBe(true);
    expect(isAncestor(0, 3)).toBe(true);
    expect(isAncestor(1, 3)).toBe(true);
    expect(isAncestor(2, 0)).toBe(false);
    expect(isAncestor(1, 2)).toBe(false);
    expect(isAncestor(9, 4)).toBe(false);
  });
});
