import type { PartitionStatus } from '../../src/ingest/table-runtime.js';

/**
 * TEST ONLY. A partition's status as `TableRuntime.partitions()` reports it: a partition that has
 * read nothing yet (every counter 0, no offset, no error), with the fields a test cares about
 * given in `fields`.
 */
export function partitionStatus(partitionId: number, fields: Partial<PartitionStatus> = {}): PartitionStatus {
  return {
    partitionId,
    shardId: `shardId-${String(partitionId).padStart(12, '0')}`,
    state: 'CONSUMING',
    consumingSegmentName: null,
    rowsInConsumingSegment: 0,
    currentOffset: null,
    startedFrom: 'TRIM_HORIZON',
    msBehindLatest: null,
    recordsConsumed: 0,
    bytesConsumed: 0,
    recordsDropped: 0,
    lastConsumedTimestampMs: null,
    throttleCount: 0,
    errorCount: 0,
    lastError: null,
    ...fields,
  };
}
