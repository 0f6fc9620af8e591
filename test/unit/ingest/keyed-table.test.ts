import { describe, expect, it } from 'vitest';
import type { TableConfig } from '../../../src/config/table-config.js';
import { KeyedTable, lineageOf } from '../../../src/ingest/keyed-table.js';
import { retireSegments } from '../../../src/ingest/segment-retirement.js';
import { silentLogger } from '../../../src/logger.js';
import { ConsumingSegment, sealSegment } from '../../../src/segment/index.js';
import type { SealedSegment } from '../../../src/segment/index.js';
import type { PartitionInfo } from '../../../src/spi/metadata-provider.js';
import { tempDir } from '../segment/fixtures.js';
import { fullSettings, rowOf, upsertSchema } from '../upsert/upsert-harness.js';

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

describe('KeyedTable.followRetirements: segments retired by retention or DELETE leave the key map', () => {
  it('an upsert table removes the keys whose live row was in a retired segment, in the same swap', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const keyed = new KeyedTable(upsertSchema, { upsert: fullSettings() } as unknown as TableConfig);
      const map = keyed.partitionOptions.keyed!.upsert!;
      const sealed: SealedSegment[] = [];
      for (const [seq, keys] of [[0, ['a', 'b', 'c']], [1, ['c', 'd']]] as const) {
        const seg = new ConsumingSegment({ identity: { tableName: 'kv', segmentName: `kv__0__${seq}__20240101T0000Z`, partitionId: 0, shardId: 'shardId-000000000000' }, schema: upsertSchema, indexing: { invertedIndexColumns: [], noDictionaryColumns: [], nullHandlingEnabled: true } });
        for (const k of keys) {
          const row = map.admit(rowOf({ k, ts: BigInt(seq) }), seg)!;
          seg.index(row, String(seg.numDocs), 0);
          map.commit(seg.numDocs - 1);
        }
        const file = await sealSegment(seg, { tableDir: dir, endOfShard: false, builder: 'inline', upsert: map.footerFor(seg, null) });
        map.sealed(seg, file, null);
        sealed.push(file);
      }
      let served = [...sealed];
      const holder = keyed.followRetirements({ get: () => served, set: (s) => (served = s), ledger: null, consumingNames: () => [], logger: silentLogger() });
      expect(await retireSegments(holder, [sealed[1]!], 'retention')).toEqual([sealed[1]]);
      expect(served).toEqual([sealed[0]]);
      // c and d lived in the retired segment: gone (c's older row in the first one is not brought back).
      expect(keyed.status().upsert).toMatchObject({ keys: 2, liveRows: 2, keysRemovedWithSegments: 2 });
      expect(keyed.liveRowsOf(sealed[0]!.name)).toEqual({ valid: 2, queryable: 2 });
    } finally {
      await cleanup();
    }
  });
});
