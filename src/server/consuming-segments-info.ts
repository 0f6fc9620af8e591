import { scrubSecrets } from '../config/redact.js';
import type { PartitionStatus } from '../table/table-runtime.js';

/** One entry of Pinot's `_segmentToConsumingInfoMap`. */
export interface PinotConsumingSegmentInfo {
  readonly serverName: string;
  readonly consumerState: 'CONSUMING' | 'NOT_CONSUMING';
  /** Epoch millis of the last consumed record; 0 = unknown (the runtime does not report it yet). */
  readonly lastConsumedTimestamp: number;
  readonly partitionToOffsetMap: Record<string, string>;
  readonly partitionOffsetInfo: {
    readonly currentOffsetsMap: Record<string, string>;
    readonly latestUpstreamOffsetMap: Record<string, string>;
    readonly recordsLagMap: Record<string, string>;
    readonly availabilityLagMsMap: Record<string, string>;
  };
}

/** `GET /tables/{name}/consumingSegmentsInfo`: Pinot's shape plus shardtable's per-partition status. */
export interface ConsumingSegmentsInfoResponse {
  readonly _segmentToConsumingInfoMap: Record<string, PinotConsumingSegmentInfo[]>;
  readonly serversFailingToRespond: number;
  readonly serversUnparsableRespond: number;
  /**
   * shardtable's richer view: every partition (one per Kinesis shard), including ones with no
   * consuming segment (ended, waiting for a parent, failed), with rows, sequence number,
   * `msBehindLatest`, counters and the last error.
   */
  readonly shardtablePartitions: PartitionStatus[];
}

/**
 * Builds the response from the runtime's partition statuses. Offsets are the persisted offset
 * strings (Kinesis sequence numbers); a partition that has read nothing yet shows where it
 * started. Secret values are scrubbed from error text.
 */
export function consumingSegmentsInfo(
  partitions: readonly PartitionStatus[],
  options: { serverName: string; secrets?: readonly string[] },
): ConsumingSegmentsInfoResponse {
  const map: Record<string, PinotConsumingSegmentInfo[]> = {};
  for (const p of partitions) {
    if (p.consumingSegmentName === null) continue;
    const id = String(p.partitionId);
    const offset = p.currentOffset ?? p.startedFrom;
    map[p.consumingSegmentName] = [
      {
        serverName: options.serverName,
        consumerState: p.state === 'CONSUMING' || p.state === 'CAUGHT_UP' ? 'CONSUMING' : 'NOT_CONSUMING',
        lastConsumedTimestamp: 0,
        partitionToOffsetMap: { [id]: offset },
        partitionOffsetInfo: {
          currentOffsetsMap: { [id]: offset },
          latestUpstreamOffsetMap: {},
          recordsLagMap: { [id]: 'UNKNOWN' },
          availabilityLagMsMap: { [id]: p.msBehindLatest === null ? 'UNKNOWN' : String(p.msBehindLatest) },
        },
      },
    ];
  }
  const secrets = options.secrets ?? [];
  return {
    _segmentToConsumingInfoMap: map,
    serversFailingToRespond: 0,
    serversUnparsableRespond: 0,
    shardtablePartitions: partitions.map((p) => (p.lastError === null ? p : { ...p, lastError: scrubSecrets(p.lastError, secrets) })),
  };
}
