import { scrubSecrets } from '../config/redact.js';
import type { PartitionStatus, TableIngestionStatus } from '../ingest/table-runtime.js';

/** One entry of Pinot's `_segmentToConsumingInfoMap`. */
export interface PinotConsumingSegmentInfo {
  readonly serverName: string;
  readonly consumerState: 'CONSUMING' | 'NOT_CONSUMING';
  /** Epoch millis when the partition last consumed a record (as Pinot: wall clock); 0 = none since start. */
  readonly lastConsumedTimestamp: number;
  readonly partitionToOffsetMap: Record<string, string>;
  readonly partitionOffsetInfo: {
    readonly currentOffsetsMap: Record<string, string>;
    readonly latestUpstreamOffsetMap: Record<string, string>;
    readonly recordsLagMap: Record<string, string>;
    readonly availabilityLagMsMap: Record<string, string>;
  };
}

/**
 * Table-level lag over the partitions still reading (not ended, not waiting for a parent) that
 * have reported `msBehindLatest`, like Spark's Kinesis source metrics; null when none has.
 */
export interface TableLag {
  readonly minMsBehindLatest: number | null;
  readonly avgMsBehindLatest: number | null;
  readonly maxMsBehindLatest: number | null;
  /** How many partitions the figures are over. */
  readonly partitionsReporting: number;
}

/** `GET /tables/{name}/consumingSegmentsInfo`: Pinot's shape plus shardtable's per-partition status. */
export interface ConsumingSegmentsInfoResponse {
  readonly _segmentToConsumingInfoMap: Record<string, PinotConsumingSegmentInfo[]>;
  readonly serversFailingToRespond: number;
  readonly serversUnparsableRespond: number;
  /**
   * Table-level ingestion status: `ingestion` (whether the stream is reached at all: `DOWN` while
   * the table serves only its sealed segments and retries the stream), `dataLoss` (shards that
   * expired before they were read to their end), shard `discovery`, and `fetchConcurrency`; null
   * when the runtime reports none.
   */
  readonly shardtableTable: TableIngestionStatus | null;
  /** Table-level `msBehindLatest` (min / avg / max over reading partitions). */
  readonly shardtableLag: TableLag;
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
  options: { serverName: string; secrets?: readonly string[]; table?: TableIngestionStatus | null },
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
        lastConsumedTimestamp: p.lastConsumedTimestampMs ?? 0,
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
    shardtableTable: scrubTableStatus(options.table ?? null, secrets),
    shardtableLag: tableLag(partitions),
    shardtablePartitions: partitions.map((p) => ({
      ...p,
      lastError: p.lastError === null ? null : scrubSecrets(p.lastError, secrets),
      ...(p.readMode !== undefined ? { readMode: scrubSecrets(p.readMode, secrets) } : {}),
    })),
  };
}

function scrubTableStatus(status: TableIngestionStatus | null, secrets: readonly string[]): TableIngestionStatus | null {
  if (status === null || status.ingestion.lastError === null) return status;
  return { ...status, ingestion: { ...status.ingestion, lastError: scrubSecrets(status.ingestion.lastError, secrets) } };
}

/** Min / avg / max `msBehindLatest` over partitions that are reading and have reported it. */
export function tableLag(partitions: readonly PartitionStatus[]): TableLag {
  const lags: number[] = [];
  for (const p of partitions) {
    if (p.msBehindLatest === null || p.state === 'ENDED' || p.state === 'WAITING_FOR_PARENT' || p.state === 'STOPPED') continue;
    lags.push(p.msBehindLatest);
  }
  if (lags.length === 0) return { minMsBehindLatest: null, avgMsBehindLatest: null, maxMsBehindLatest: null, partitionsReporting: 0 };
  return {
    minMsBehindLatest: Math.min(...lags),
    avgMsBehindLatest: Math.round(lags.reduce((sum, lag) => sum + lag, 0) / lags.length),
    maxMsBehindLatest: Math.max(...lags),
    partitionsReporting: lags.length,
  };
}
