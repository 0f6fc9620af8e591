import type { StreamOffset } from '../../../spi/offset.js';
import { dynamoDbOffsetFactory, ExportOffset, ScanOffset } from './dynamodb-offset.js';
import { SCAN_PARTITION_PREFIX } from './dynamodb-partition-id.js';

/** What the initial load has loaded: items, their bytes, the capacity units charged for them. */
export interface LoadCounts {
  readonly items: number;
  readonly bytes: number;
  readonly capacityUnits: number;
}

/**
 * The load's counters summed over its snapshot partitions (scan segments, or an export's share of files), from each segment's position: the offset of
 * its last item ingested (or its checkpoint when it has no reader: not started, or read to its
 * end). A scan offset carries its segment's counters up to that item (`ScanOffset`), so after a
 * restart, kill -9 included, the counters continue from what was sealed: the items re-read after
 * the checkpoint are counted once, and a load that finished before the restart still shows its
 * totals. Capacity spent on reads whose items were lost in the crash, and on a segment's last
 * empty page, is not counted. A position that is not a scan offset counts as nothing.
 *
 * @example
 *   loadCounts(3, (id) => ({ 'scan-0': 'scan:10,4096,2:{"pk":{"S":"k9"}}' })[id] ?? null); // { items: 10, bytes: 4096, capacityUnits: 2 }
 */
export function loadCounts(segments: number, positionOf: (shardId: string) => string | StreamOffset | null): LoadCounts {
  let items = 0;
  let bytes = 0;
  let capacityUnits = 0;
  for (let i = 0; i < segments; i++) {
    const offset = scanOffsetOf(positionOf(`${SCAN_PARTITION_PREFIX}${i}`));
    if (offset === null) continue;
    items += offset.ordinal;
    bytes += offset.bytes;
    capacityUnits += offset.units;
  }
  return { items, bytes, capacityUnits };
}

function scanOffsetOf(position: string | StreamOffset | null): ScanOffset | ExportOffset | null {
  if (position === null) return null;
  if (position instanceof ScanOffset || position instanceof ExportOffset) return position;
  try {
    const parsed = dynamoDbOffsetFactory.parse(position.toString());
    return parsed instanceof ScanOffset || parsed instanceof ExportOffset ? parsed : null;
  } catch {
    return null;
  }
}

/** Percent of `itemCount` loaded (DynamoDB's approximate count; capped at 100, null when unknown). */
export function percentOf(items: number, itemCount: number): number | null {
  if (itemCount <= 0) return null;
  return Math.min(100, Math.round((items / itemCount) * 1000) / 10);
}
