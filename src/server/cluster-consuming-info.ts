import type { ClusterController, ShardHolder } from '../cluster/broker/index.js';
import type { PartitionStatus } from '../ingest/table-runtime.js';
import type { ConsumingSegmentsInfoResponse, PinotConsumingSegmentInfo } from './consuming-segments-info.js';
import { tableLag } from './consuming-segments-info.js';
import { instanceNames } from './instance-names.js';

/** The internal path a server answers its own `consumingSegmentsInfo` at (docs/cluster.md). */
export function localConsumingInfoPath(table: string): string {
  return `/internal/cluster/tables/${encodeURIComponent(table)}/consumingSegmentsInfo`;
}

/** A shard's lease holder as `consumingSegmentsInfo` shows it: the server id and its instance name. */
export interface ShardLeaseView extends ShardHolder {
  /** `Server_<host>_<port>` of the holder when it is live; null when free or its holder is gone. */
  readonly holderInstance: string | null;
}

/** `consumingSegmentsInfo` in cluster mode: every live server's consuming segments, and each shard's lease holder. */
export interface ClusterConsumingSegmentsInfo extends ConsumingSegmentsInfoResponse {
  readonly shardtableLeases: ShardLeaseView[];
  /** Each partition as its lease holder reports it (else as this server sees it), with `leaseHolder` (server id or null). */
  readonly shardtablePartitions: (PartitionStatus & { leaseHolder: string | null })[];
}

/**
 * Asks every live server for its own answer (this one in process, the others over
 * `/internal/cluster/`), and merges: each consuming segment under the server consuming it (named
 * `Server_<host>_<port>`, as `/instances`), each partition as its lease holder reports it, and
 * the holders read from `<prefix>-leases`. A server that does not answer counts in
 * `serversFailingToRespond`, one whose answer has no segment map in `serversUnparsableRespond`.
 */
export async function clusterConsumingSegmentsInfo(controller: ClusterController, table: string, local: () => ConsumingSegmentsInfoResponse): Promise<ClusterConsumingSegmentsInfo> {
  const own = local();
  const records = controller.liveServers();
  const [holders, answers] = await Promise.all([
    controller.shardHolders(table),
    Promise.all(
      records.map(async (record): Promise<{ serverId: string; answer: ConsumingSegmentsInfoResponse | 'failed' | 'unparsable' }> => {
        if (record.serverId === controller.serverId) return { serverId: record.serverId, answer: own };
        try {
          const { status, json } = await controller.peerJson(record.url, localConsumingInfoPath(table));
          if (status === 404) return { serverId: record.serverId, answer: 'unparsable' };
          if (status !== 200) return { serverId: record.serverId, answer: 'failed' };
          const body = json as Partial<ConsumingSegmentsInfoResponse>;
          if (typeof body._segmentToConsumingInfoMap !== 'object' || body._segmentToConsumingInfoMap === null || !Array.isArray(body.shardtablePartitions)) return { serverId: record.serverId, answer: 'unparsable' };
          return { serverId: record.serverId, answer: body as ConsumingSegmentsInfoResponse };
        } catch {
          return { serverId: record.serverId, answer: 'failed' };
        }
      }),
    ),
  ]);
  const instanceOf = (serverId: string | null): string | null => {
    const record = records.find((r) => r.serverId === serverId);
    return record === undefined ? null : instanceNames(record.url).server;
  };
  const map: Record<string, PinotConsumingSegmentInfo[]> = {};
  const reported = new Map<string, Map<number, PartitionStatus>>();
  let failing = 0;
  let unparsable = 0;
  for (const { serverId, answer } of answers) {
    if (answer === 'failed') failing++;
    else if (answer === 'unparsable') unparsable++;
    if (typeof answer === 'string') continue;
    const serverName = instanceOf(serverId) ?? serverId;
    for (const [segment, infos] of Object.entries(answer._segmentToConsumingInfoMap)) {
      (map[segment] ??= []).push(...infos.map((info) => ({ ...info, serverName })));
    }
    reported.set(serverId, new Map(answer.shardtablePartitions.map((p) => [p.partitionId, p])));
  }
  const holderOf = new Map(holders.map((h) => [h.shardId, h.holder]));
  const partitions = own.shardtablePartitions.map((p) => {
    const holder = holderOf.get(p.shardId) ?? null;
    const fromHolder = holder === null ? undefined : reported.get(holder)?.get(p.partitionId);
    return { ...(fromHolder ?? p), leaseHolder: holder };
  });
  return {
    ...own,
    _segmentToConsumingInfoMap: map,
    serversFailingToRespond: failing,
    serversUnparsableRespond: unparsable,
    shardtableLag: tableLag(partitions),
    shardtablePartitions: partitions,
    shardtableLeases: holders.map((h) => ({ ...h, holderInstance: instanceOf(h.holder) })),
  };
}
