import { describe, expect, it } from 'vitest';
import { consumingSegmentsInfo, tableLag } from '../../../src/server/consuming-segments-info.js';
import type { PartitionState, PartitionStatus } from '../../../src/ingest/table-runtime.js';
import { partitionStatus } from '../../helpers/partition-status.js';

function partition(id: number, state: PartitionState, msBehindLatest: number | null, extra: Partial<PartitionStatus> = {}): PartitionStatus {
  const consumingSegmentName = state === 'ENDED' ? null : `events__${id}__0__20240101T0000Z`;
  return partitionStatus(id, { state, consumingSegmentName, msBehindLatest, ...extra });
}

describe('consumingSegmentsInfo', () => {
  it('reports table-level min/avg/max msBehindLatest over partitions that are reading', () => {
    const lag = tableLag([
      partition(0, 'CONSUMING', 1000),
      partition(1, 'CAUGHT_UP', 0),
      partition(2, 'PAUSED', 2000),
      partition(3, 'ENDED', 99_999),
      partition(4, 'WAITING_FOR_PARENT', 99_999),
      partition(5, 'CONSUMING', null),
    ]);
    expect(lag).toEqual({ minMsBehindLatest: 0, avgMsBehindLatest: 1000, maxMsBehindLatest: 2000, partitionsReporting: 3 });
  });

  it('reports null lag when no partition has said', () => {
    expect(tableLag([partition(0, 'CONSUMING', null)])).toEqual({ minMsBehindLatest: null, avgMsBehindLatest: null, maxMsBehindLatest: null, partitionsReporting: 0 });
  });

  it("fills Pinot's lastConsumedTimestamp and keeps the counters per partition", () => {
    const info = consumingSegmentsInfo(
      [
        partition(0, 'CONSUMING', 5, { lastConsumedTimestampMs: 1_704_067_200_000, throttleCount: 3, errorCount: 1, bytesConsumed: 512, recordsConsumed: 4 }),
        partition(1, 'ERROR', null, { lastError: 'secretvalue leaked' }),
      ],
      { serverName: 'Server_test', secrets: ['secretvalue'] },
    );
    expect(info._segmentToConsumingInfoMap['events__0__0__20240101T0000Z']?.[0]).toMatchObject({ lastConsumedTimestamp: 1_704_067_200_000, consumerState: 'CONSUMING' });
    expect(info._segmentToConsumingInfoMap['events__1__0__20240101T0000Z']?.[0]).toMatchObject({ lastConsumedTimestamp: 0, consumerState: 'NOT_CONSUMING' });
    expect(info.shardtablePartitions[0]).toMatchObject({ throttleCount: 3, errorCount: 1, bytesConsumed: 512, recordsConsumed: 4 });
    expect(info.shardtablePartitions[1]?.lastError).not.toContain('secretvalue');
    expect(info.shardtableLag).toMatchObject({ minMsBehindLatest: 5, avgMsBehindLatest: 5, maxMsBehindLatest: 5 });
  });
});
