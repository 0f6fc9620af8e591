import { describe, expect, it } from 'vitest';
import { placeSegments, shardHolders } from '../../../src/cluster/broker/index.js';
import type { ClusterController } from '../../../src/cluster/broker/index.js';
import type { LeaseItem } from '../../../src/cluster/lease-store.js';
import type { CommittedItem } from '../../../src/cluster/segment-store.js';
import type { PartitionStatus } from '../../../src/ingest/table-runtime.js';
import { partitionStatus } from '../../helpers/partition-status.js';
import { ShardtableError } from '../../../src/errors.js';
import { clusterConsumingSegmentsInfo } from '../../../src/server/cluster-consuming-info.js';
import { ClusterSegmentViews } from '../../../src/server/cluster-segment-views.js';
import type { TableManager } from '../../../src/table/table-manager.js';
import { consumingSegmentsInfo } from '../../../src/server/consuming-segments-info.js';

const item = (segmentName: string, numDocs = 5): CommittedItem => ({ segmentName, shardId: `s${segmentName.split('__')[1]}`, partitionId: Number(segmentName.split('__')[1]), startOffset: '1', endOffset: '2', endOfShard: false, numDocs, deleted: false, s3Key: `k/${segmentName}`, sizeBytes: 100 });
const lease = (partition: number, owner: string | null, table = 't'): LeaseItem => ({ leaseKey: `${table}#shard${partition}`, table, shardId: `shard${partition}`, partition, leaseOwner: owner, leaseCounter: 7, parentShardIds: [], finished: false, stealRequestedBy: null });

function partition(id: number, consuming: boolean): PartitionStatus {
  return partitionStatus(id, {
    shardId: `shard${id}`,
    state: consuming ? 'CONSUMING' : 'WAITING_FOR_PARENT',
    consumingSegmentName: consuming ? `t__${id}__3__20260101T0000Z` : null,
    rowsInConsumingSegment: consuming ? 4 : 0,
    currentOffset: consuming ? '42' : null,
    msBehindLatest: consuming ? 100 * (id + 1) : null,
  });
}

describe('placeSegments', () => {
  it('lists every committed segment with the servers listing it, then the consuming ones not committed; strays left out', () => {
    const placed = placeSegments({
      committed: [item('t__0__0__x'), item('t__1__0__x'), item('t__0__1__x')],
      servers: [
        { serverId: 'a', url: 'http://h:1', segments: [{ name: 't__0__0__x', consuming: false, numDocs: 5 }, { name: 't__0__1__x', consuming: false, numDocs: 5 }, { name: 't__0__2__x', consuming: true, numDocs: 3 }], error: null },
        // b still has a copy of a segment now committed (sealed there as consuming), and a stray deleted elsewhere.
        { serverId: 'b', url: 'http://h:2', segments: [{ name: 't__0__1__x', consuming: true, numDocs: 2 }, { name: 'gone', consuming: false, numDocs: 1 }], error: null },
        { serverId: 'c', url: 'http://h:3', segments: null, error: 'no answer within 2000 ms' },
      ],
    });
    expect(placed.map((p) => [p.name, p.consuming, p.servers, p.committed?.numDocs ?? null])).toEqual([
      ['t__0__0__x', false, ['a'], 5],
      ['t__1__0__x', false, [], 5],
      ['t__0__1__x', false, ['a', 'b'], 5],
      ['t__0__2__x', true, ['a'], null],
    ]);
  });

  it('shardHolders: one table\'s shards by partition, free ones with a null holder', () => {
    expect(shardHolders([lease(1, 'b'), lease(0, null), lease(0, 'x', 'other')], 't')).toEqual([
      { shardId: 'shard0', partition: 0, holder: null, leaseCounter: 7, finished: false },
      { shardId: 'shard1', partition: 1, holder: 'b', leaseCounter: 7, finished: false },
    ]);
  });
});

describe('clusterConsumingSegmentsInfo', () => {
  // In-process double of a cluster member: a serves partition 0, b (answering over "HTTP") partition 1, c does not answer.
  const controller = (peers: Record<string, { status: number; json: unknown } | Error>): ClusterController => ({
    serverId: 'a',
    liveServers: () => [
      { serverId: 'a', url: 'http://10.0.0.1:9000', heartbeatCounter: 1, startedAtMs: 0 },
      { serverId: 'b', url: 'http://10.0.0.2:9000', heartbeatCounter: 1, startedAtMs: 0 },
      { serverId: 'c', url: 'http://10.0.0.3:9000', heartbeatCounter: 1, startedAtMs: 0 },
    ],
    tableView: async () => ({ committed: [], servers: [] }),
    shardHolders: async (table) => shardHolders([lease(0, 'a'), lease(1, 'b'), lease(2, null)], table),
    peerJson: async (url, path) => {
      expect(path).toBe('/internal/cluster/tables/t/consumingSegmentsInfo');
      const answer = peers[url];
      if (answer === undefined || answer instanceof Error) throw answer ?? new Error('unreachable');
      return answer;
    },
  });
  const local = (parts: PartitionStatus[]) => consumingSegmentsInfo(parts, { serverName: 'Server_host' });

  it('merges every server\'s consuming segments under its instance name, each partition as its holder reports it, the holders named', async () => {
    const fromB = local([partition(0, false), partition(1, true), partition(2, false)]);
    const info = await clusterConsumingSegmentsInfo(
      controller({ 'http://10.0.0.2:9000': { status: 200, json: JSON.parse(JSON.stringify(fromB)) }, 'http://10.0.0.3:9000': new Error('ECONNREFUSED') }),
      't',
      () => local([partition(0, true), partition(1, false), partition(2, false)]),
    );
    expect(Object.fromEntries(Object.entries(info._segmentToConsumingInfoMap).map(([name, infos]) => [name, infos.map((i) => i.serverName)]))).toEqual({
      't__0__3__20260101T0000Z': ['Server_10.0.0.1_9000'],
      't__1__3__20260101T0000Z': ['Server_10.0.0.2_9000'],
    });
    expect(info.shardtablePartitions.map((p) => [p.partitionId, p.state, p.leaseHolder])).toEqual([[0, 'CONSUMING', 'a'], [1, 'CONSUMING', 'b'], [2, 'WAITING_FOR_PARENT', null]]);
    expect(info.shardtableLeases.map((l) => [l.shardId, l.holder, l.holderInstance])).toEqual([['shard0', 'a', 'Server_10.0.0.1_9000'], ['shard1', 'b', 'Server_10.0.0.2_9000'], ['shard2', null, null]]);
    expect([info.serversFailingToRespond, info.serversUnparsableRespond]).toEqual([1, 0]);
    expect(info.shardtableLag).toMatchObject({ minMsBehindLatest: 100, maxMsBehindLatest: 200, partitionsReporting: 2 });
  });

  it('counts an answer without the segment map as unparsable, an error status as failing; this server\'s view stands in', async () => {
    const info = await clusterConsumingSegmentsInfo(
      controller({ 'http://10.0.0.2:9000': { status: 200, json: { hello: 1 } }, 'http://10.0.0.3:9000': { status: 503, json: { code: 503, error: 'x' } } }),
      't',
      () => local([partition(0, true), partition(1, false)]),
    );
    expect([info.serversFailingToRespond, info.serversUnparsableRespond]).toEqual([1, 1]);
    expect(info.shardtablePartitions.map((p) => [p.partitionId, p.state, p.leaseHolder])).toEqual([[0, 'CONSUMING', 'a'], [1, 'WAITING_FOR_PARENT', 'b']]);
  });
});

describe('ClusterSegmentViews', () => {
  // In-process doubles: a cluster member whose servers a (this one) and b list segments and c fails, and this server's table manager.
  const view = {
    committed: [item('t__0__0__x', 7), item('t__1__0__x', 9)],
    servers: [
      { serverId: 'a', url: 'http://10.0.0.1:9000', segments: [{ name: 't__0__0__x', consuming: false, numDocs: 7 }, { name: 't__0__1__x', consuming: true, numDocs: 2 }], error: null },
      { serverId: 'b', url: 'http://10.0.0.2:9000', segments: [{ name: 't__1__0__x', consuming: false, numDocs: 9 }], error: null },
      { serverId: 'c', url: 'http://10.0.0.3:9000', segments: null, error: 'no answer within 2000 ms' },
    ],
  };
  const controller: ClusterController = {
    serverId: 'a',
    liveServers: () => view.servers.map((s) => ({ serverId: s.serverId, url: s.url, heartbeatCounter: 1, startedAtMs: 0 })),
    tableView: async () => view,
    shardHolders: async () => [],
    peerJson: async () => ({ status: 500, json: null }),
  };
  const manager = {
    getTableConfig: (name: string) => {
      if (name !== 't') throw new ShardtableError('TABLE_NOT_FOUND', { name });
      return { isDimTable: undefined };
    },
    segmentMetadata: (_t: string, segment: string) => ({ segmentName: segment, numDocs: 7, footer: 'local' }),
  } as unknown as TableManager;
  const views = new ClusterSegmentViews(controller, manager);

  it('lists committed then consuming names, each server\'s segments (a failing one named with why), metadata from here or from the committed item', async () => {
    expect(await views.names('t')).toEqual([{ REALTIME: ['t__0__0__x', 't__1__0__x', 't__0__1__x'] }]);
    expect(await views.servers('t')).toEqual([{
      tableName: 't_REALTIME',
      serverToSegmentsMap: { 'Server_10.0.0.1_9000': ['t__0__0__x', 't__0__1__x'], 'Server_10.0.0.2_9000': ['t__1__0__x'], 'Server_10.0.0.3_9000': [] },
      serverToSegmentsCountMap: { 'Server_10.0.0.1_9000': 2, 'Server_10.0.0.2_9000': 1, 'Server_10.0.0.3_9000': 0 },
      shardtableServersNotResponding: { 'Server_10.0.0.3_9000': 'no answer within 2000 ms' },
    }]);
    expect(await views.metadata('t', 't__0__0__x')).toEqual({ segmentName: 't__0__0__x', numDocs: 7, footer: 'local', servers: ['Server_10.0.0.1_9000'] });
    expect(await views.metadata('t', 't__1__0__x')).toMatchObject({ segmentName: 't__1__0__x', numDocs: 9, sizeBytes: 100, status: 'DONE', servers: ['Server_10.0.0.2_9000'] });
    expect(Object.keys(await views.metadataByName('t'))).toEqual(['t__0__0__x', 't__1__0__x']);
    await expect(views.metadata('t', 'nope')).rejects.toThrow(/segment nope of table t_REALTIME/);
    await expect(views.names('other')).rejects.toThrow(/other/);
  });
});
