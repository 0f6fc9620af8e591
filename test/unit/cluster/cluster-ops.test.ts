import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { refuseUnsupportedInCluster } from '../../../src/cluster/cluster-unsupported.js';
import { latestOfShards } from '../../../src/cluster/segment-store.js';
import { ShardtableError } from '../../../src/errors.js';
import type { ClusterShardHooks, CommittedSegment } from '../../../src/ingest/cluster-hooks.js';
import { ClusterShards } from '../../../src/ingest/cluster-shards.js';
import type { ClusterShardsHost } from '../../../src/ingest/cluster-shards.js';
import { silentLogger } from '../../../src/logger.js';
import type { SealedSegment } from '../../../src/segment/index.js';

const committed = (segmentName: string, shardId: string, deleted = false): CommittedSegment => ({ segmentName, shardId, partitionId: Number(segmentName.split('__')[1]), startOffset: '1', endOffset: '2', endOfShard: false, numDocs: 10, deleted });

describe('latestOfShards', () => {
  it('names each shard\'s segment of the highest LLC sequence, deleted marks included', () => {
    const latest = latestOfShards([
      committed('t__0__0__20260101T0000Z', 's0'),
      committed('t__0__2__20260101T0002Z', 's0', true),
      committed('t__0__1__20260101T0001Z', 's0'),
      committed('t__1__0__20260101T0000Z', 's1'),
    ]);
    expect(latest).toEqual(new Map([['s0', 't__0__2__20260101T0002Z'], ['s1', 't__1__0__20260101T0000Z']]));
  });
});

describe('refuseUnsupportedInCluster', () => {
  const code = (json: unknown): string | null => {
    try {
      refuseUnsupportedInCluster(json);
      return null;
    } catch (err) {
      return err instanceof ShardtableError ? `${err.code} ${err.message}` : String(err);
    }
  };

  it('refuses upsert (FULL, PARTIAL, no mode) and dedup tables, naming the field', () => {
    expect(code({ tableName: 't', upsertConfig: { mode: 'FULL' } })).toMatch(/^ST087 upsertConfig is not supported with --cluster: .*mode FULL/);
    expect(code({ tableName: 't', upsertConfig: { mode: 'partial' } })).toMatch(/^ST087 upsertConfig .*mode PARTIAL/);
    expect(code({ tableName: 't', upsertConfig: {} })).toMatch(/^ST087 upsertConfig/);
    expect(code({ tableName: 't', dedupConfig: { dedupEnabled: true } })).toMatch(/^ST087 dedupConfig.dedupEnabled is not supported with --cluster/);
  });

  it('lets append tables through: no block, upsert mode NONE, dedup disabled', () => {
    expect(code({ tableName: 't' })).toBeNull();
    expect(code({ tableName: 't', upsertConfig: { mode: 'NONE' } })).toBeNull();
    expect(code({ tableName: 't', dedupConfig: { dedupEnabled: false } })).toBeNull();
    expect(code(null)).toBeNull();
  });
});

/** A stand-in for a sealed segment: `ClusterShards.sync` reads its name and path and closes it. */
function fakeSegment(name: string, path: string): SealedSegment & { closed: boolean } {
  const segment = { metadata: { segmentName: name, shardId: 's0' }, path, closed: false, close() { segment.closed = true; } };
  return segment as unknown as SealedSegment & { closed: boolean };
}

describe('ClusterShards.sync: drop what is no longer committed', () => {
  async function setup(list: (host: { sealed: SealedSegment[] }) => Promise<CommittedSegment[]>, cached: SealedSegment[] = []) {
    const state = { sealed: [] as SealedSegment[] };
    const hooks = { listCommitted: () => list(state) } as unknown as ClusterShardHooks;
    const host: ClusterShardsHost = {
      tableDir: '/nonexistent', hooks, offsets: null as never, logger: silentLogger(),
      ingesters: new Map(), checkpoints: new Map(), ended: new Set(),
      sealed: () => state.sealed,
      setSealed: (s) => (state.sealed = s),
    };
    return { state, shards: new ClusterShards(host, cached) };
  }

  it('retires served segments deleted from the cluster or marked deleted, keeps the committed ones', async () => {
    const [x, y, z] = ['t__0__0__a', 't__0__1__b', 't__0__2__c'].map((n) => fakeSegment(n, `/nonexistent/${n}`));
    const { state, shards } = await setup(async () => [committed(y!.metadata.segmentName, 's0'), committed(z!.metadata.segmentName, 's0', true)]);
    state.sealed = [x!, y!, z!];
    const retired: string[][] = [];
    await shards.sync(async (gone) => {
      retired.push(gone.map((s) => s.metadata.segmentName));
      state.sealed = state.sealed.filter((s) => !gone.includes(s));
    });
    expect(retired).toEqual([['t__0__0__a', 't__0__2__c']]);
    expect(state.sealed.map((s) => s.metadata.segmentName)).toEqual(['t__0__1__b']);
  });

  it('never drops a segment published while the committed list was read', async () => {
    const late = fakeSegment('t__0__5__late', '/nonexistent/late');
    // The read answers what was committed when it ran; the seal commits and publishes meanwhile.
    const { state, shards } = await setup(async (host) => {
      host.sealed.push(late);
      return [];
    });
    const retired: string[] = [];
    await shards.sync(async (gone) => void retired.push(...gone.map((s) => s.metadata.segmentName)));
    expect(retired).toEqual([]);
    expect(state.sealed).toEqual([late]);
  });

  it('removes cached files (shards held elsewhere) whose segments are no longer committed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shardtable-sync-'));
    try {
      const keep = fakeSegment('t__1__0__keep', join(dir, 'keep.seg'));
      const drop = fakeSegment('t__1__1__drop', join(dir, 'drop.seg'));
      for (const s of [keep, drop]) await writeFile(s.path, 'x');
      const { shards } = await setup(async () => [committed('t__1__0__keep', 's1')], [keep, drop]);
      await shards.sync(async () => undefined);
      expect([keep.closed, drop.closed]).toEqual([false, true]);
      await expect(stat(drop.path)).rejects.toThrow();
      await expect(stat(keep.path)).resolves.toBeDefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
