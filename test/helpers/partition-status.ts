import type { PartitionStatus } from '../../src/ingest/table-runtime.js';
import { idlePartitionStatus } from '../../src/ingest/partition-status.js';

/**
 * TEST ONLY. A partition's status as `TableRuntime.partitions()` reports it: a partition reading
 * from TRIM_HORIZON that has read nothing yet (the idle status's zero counters, no offset, no
 * error), with the fields a test cares about given in `fields`.
 */
export function partitionStatus(partitionId: number, fields: Partial<PartitionStatus> = {}): PartitionStatus {
  const shardId = `shardId-${String(partitionId).padStart(12, '0')}`;
  const idle = idlePartitionStatus({ partitionId, shardId, parentShardIds: [] }, false, null);
  return { ...idle, state: 'CONSUMING', startedFrom: 'TRIM_HORIZON', ...fields };
}
