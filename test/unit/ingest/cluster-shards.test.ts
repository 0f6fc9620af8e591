import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTableSchema } from '../../../src/config/schema.js';
import type { CommittedSegment, ClusterShardHooks } from '../../../src/ingest/cluster-hooks.js';
import { ClusterShards } from '../../../src/ingest/cluster-shards.js';
import type { ClusterShardsHost } from '../../../src/ingest/cluster-shards.js';
import type { ShardCheckpoint } from '../../../src/ingest/checkpoints.js';
import { silentLogger } from '../../../src/logger.js';
import { kinesisOffsetFactory } from '../../../src/plugins/stream/kinesis/index.js';
import { ConsumingSegment, SEGMENT_FILE_SUFFIX, sealSegment } from '../../../src/segment/index.js';
import type { SealedSegment } from '../../../src/segment/index.js';
import { indexing, tempDir } from '../segment/fixtures.js';

const SHARD = 'shardId-000000000000';
const schema = buildTableSchema({ schemaName: 'events', dimensionFieldSpecs: [{ name: 'id', dataType: 'LONG' }] });

/** Seals a segment of shard 0 with ids `from`..`from + 9` at offsets `100 * (from + i + 1)`. */
async function sealed(dir: string, sequence: number, from: number): Promise<SealedSegment> {
  const seg = new ConsumingSegment({ identity: { tableName: 'events', segmentName: `events__0__${sequence}__20260101T0000Z`, partitionId: 0, shardId: SHARD }, schema, indexing: indexing() });
  for (let i = 0; i < 10; i++) seg.index([BigInt(from + i)], String(100 * (from + i + 1)), 0);
  return sealSegment(seg, { tableDir: dir, endOfShard: false, builder: 'inline' });
}

function committedOf(s: SealedSegment): CommittedSegment {
  const m = s.metadata;
  return { segmentName: m.segmentName, shardId: m.shardId, partitionId: m.partitionId, startOffset: m.startOffset, endOffset: m.endOffset, endOfShard: m.endOfShard, numDocs: m.numDocs, deleted: false };
}

/**
 * Cluster mode's shards of one table runtime (`ClusterShards`), with the deep store a directory
 * and downloads held at a gate: a taken shard is ready to be consumed (checkpoint set from the
 * committed items) before its committed files are fetched, and those are served once all are open.
 */
describe('ClusterShards: a taken shard is consumed at once, its committed files fetched in the background', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let deep: string;
  let tableDir: string;
  let committed: CommittedSegment[];
  let downloads: string[];
  let gate: { open: () => void; wait: Promise<void> };
  let failNext: number;
  let served: SealedSegment[];
  let checkpoints: Map<string, ShardCheckpoint>;

  const newGate = (): typeof gate => {
    let open!: () => void;
    const wait = new Promise<void>((resolve) => (open = resolve));
    return { open, wait };
  };
  const hooks = {
    committedSegments: async (shardId: string) => committed.filter((c) => c.shardId === shardId),
    download: async (c: CommittedSegment, into: string) => {
      await gate.wait;
      if (failNext > 0) {
        failNext--;
        throw new Error('deep store unreachable');
      }
      downloads.push(c.segmentName);
      await copyFile(join(deep, c.segmentName + SEGMENT_FILE_SUFFIX), join(into, c.segmentName + SEGMENT_FILE_SUFFIX));
    },
  } as unknown as ClusterShardHooks;
  const host = (): ClusterShardsHost => ({
    tableDir, hooks, offsets: kinesisOffsetFactory, logger: silentLogger(), ingesters: new Map(), checkpoints, ended: new Set(),
    sealed: () => served,
    setSealed: (segments) => (served = segments),
  });

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    deep = join(dir, 'deep');
    tableDir = join(dir, 'table');
    await mkdir(deep);
    await mkdir(tableDir);
    const inDeepStore = [await sealed(deep, 0, 0), await sealed(deep, 1, 10), await sealed(deep, 2, 20)];
    committed = inDeepStore.map(committedOf);
    for (const s of inDeepStore) s.close();
    downloads = [];
    gate = newGate();
    failNext = 0;
    served = [];
    checkpoints = new Map();
  });
  afterEach(async () => {
    for (const s of served) s.close();
    await cleanup();
  });

  it('sets the checkpoint and removes a never-committed local file before any file is fetched, then serves the committed ones (failed fetches retried)', async () => {
    failNext = 2;
    // This server's own seal of sequence 3 that was never committed: the shard's next seal takes that name.
    const stale = await sealed(tableDir, 3, 30);
    const shards = new ClusterShards(host(), [stale]);
    const { loaded } = await shards.acquire(SHARD);
    expect(shards.isReady(SHARD)).toBe(true);
    expect(checkpoints.get(SHARD)).toMatchObject({ nextSequence: 3, ended: false });
    expect(checkpoints.get(SHARD)!.after!.toString()).toBe('3000');
    expect(await readdir(tableDir)).toEqual([]);
    expect(served).toEqual([]);
    gate.open();
    await loaded;
    expect(served.map((s) => s.metadata.segmentName)).toEqual(committed.map((c) => c.segmentName));
    expect(downloads.sort()).toEqual(committed.map((c) => c.segmentName));
    await shards.close();
  });

  it('a deleted segment kept for its checkpoint counts for where the shard resumes but is neither fetched nor served', async () => {
    committed[2] = { ...committed[2]!, deleted: true };
    const shards = new ClusterShards(host(), []);
    const { loaded } = await shards.acquire(SHARD);
    expect(checkpoints.get(SHARD)).toMatchObject({ nextSequence: 3, ended: false });
    gate.open();
    await loaded;
    expect(served.map((s) => s.metadata.segmentName)).toEqual(committed.slice(0, 2).map((c) => c.segmentName));
    expect(downloads.sort()).toEqual(committed.slice(0, 2).map((c) => c.segmentName));
    await shards.close();
  });

  it('a release while the files are fetched leaves them unserved, as cache for the next take', async () => {
    const shards = new ClusterShards(host(), []);
    const first = await shards.acquire(SHARD);
    // Handed over before its files arrived: the fetches in flight finish, nothing is served.
    await shards.release(SHARD, false);
    gate.open();
    await first.loaded;
    expect(shards.isReady(SHARD)).toBe(false);
    expect(served).toEqual([]);
    expect(downloads.sort()).toEqual(committed.map((c) => c.segmentName));
    // Taken again: served from the cached files, none fetched twice.
    const second = await shards.acquire(SHARD);
    await second.loaded;
    expect(served.map((s) => s.metadata.segmentName)).toEqual(committed.map((c) => c.segmentName));
    expect(downloads).toHaveLength(3);
    await shards.close();
  });
});
