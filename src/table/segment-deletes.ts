import { REALTIME_SUFFIX } from '../config/table-config-validation.js';
import { ShardtableError } from '../errors.js';
import type { TableRuntime } from '../ingest/table-runtime.js';

/**
 * Deletes several sealed segments of a running table, or with `null` every sealed one, one by one
 * through the runtime's `deleteSegment` (docs/exactly-once.md, "Deleting a segment on purpose").
 * Every name is checked first — an unknown one is 404 `SEGMENT_NOT_FOUND`, a consuming one 409
 * `SEGMENT_CONSUMING` — so a bad request deletes nothing. Returns the names deleted.
 */
export async function deleteSegmentsOf(runtime: TableRuntime, tableName: string, segmentNames: readonly string[] | null): Promise<string[]> {
  const table = `${tableName}${REALTIME_SUFFIX}`;
  const sealed = new Set((await runtime.sealedSegmentNames?.()) ?? runtime.segments().map((s) => s.segmentName));
  const consuming = new Set(runtime.partitions().flatMap((p) => (p.consumingSegmentName === null ? [] : [p.consumingSegmentName])));
  const names = [...new Set(segmentNames ?? sealed)];
  for (const segment of names) {
    if (consuming.has(segment) && !sealed.has(segment)) throw new ShardtableError('SEGMENT_CONSUMING', { segment, table: tableName });
    if (!sealed.has(segment)) throw new ShardtableError('SEGMENT_NOT_FOUND', { segment, table });
  }
  // Cluster mode: the committed items go in one pass (one read of the table's items, not one per name).
  const inCluster = await runtime.deleteSegmentsInCluster?.(names);
  if (inCluster !== undefined) return inCluster;
  const deleted: string[] = [];
  for (const segment of names) {
    const result = (await runtime.deleteSegment?.(segment)) ?? 'missing';
    if (result === 'repairing') throw new ShardtableError('SEGMENT_REPAIRING', { segment, table, partitionId: segment.split('__')[1] ?? '?' });
    if (result === 'deleted') deleted.push(segment);
  }
  return deleted;
}

/** Deletes one sealed segment: 409 for a consuming one or one whose partition repairs gaps, 404 for an unknown one. */
export async function deleteOneSegment(runtime: TableRuntime, tableName: string, segmentName: string): Promise<void> {
  const result = (await runtime.deleteSegment?.(segmentName)) ?? 'missing';
  const params = { segment: segmentName, table: `${tableName}${REALTIME_SUFFIX}` };
  if (result === 'consuming') throw new ShardtableError('SEGMENT_CONSUMING', { ...params, table: tableName });
  if (result === 'repairing') throw new ShardtableError('SEGMENT_REPAIRING', { ...params, partitionId: segmentName.split('__')[1] ?? '?' });
  if (result === 'missing') throw new ShardtableError('SEGMENT_NOT_FOUND', params);
}
