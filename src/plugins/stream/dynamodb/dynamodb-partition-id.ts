import { AssignedIds } from '../../../spi/assigned-ids.js';
import type { PartitionIdScheme } from '../../../spi/partition-id-scheme.js';

/** The stream-id prefix of the initial load's partitions, one per parallel scan segment: `scan-0`, `scan-1`… */
export const SCAN_PARTITION_PREFIX = 'scan-';

/** DynamoDB's cap on `TotalSegments`; stream shards are numbered from here up, after every scan segment. */
export const FIRST_SHARD_PARTITION_ID = 1_000_000;

/**
 * Partition ids of a DynamoDB-fed table:
 * - `scan-<i>` (scan segment i of the initial load) → i, with no state;
 * - a DynamoDB Streams shard id (`shardId-00000001700000000000-1a2b3c4d`, whose numeric part does
 *   not fit a safe integer) → an id assigned in the order shards are first seen, from
 *   {@link FIRST_SHARD_PARTITION_ID} up, persisted with the table and never reassigned.
 *
 * @example
 *   const ids = DynamoDbPartitionIds.fromJSON(null);
 *   ids.idFor('scan-3');                                // 3
 *   ids.idFor('shardId-00000001700000000000-1a2b3c4d'); // 1000000
 */
export class DynamoDbPartitionIds implements PartitionIdScheme {
  private readonly assigned = new AssignedIds(FIRST_SHARD_PARTITION_ID, 1);

  idFor(streamPartitionId: string): number {
    const scan = scanSegmentOf(streamPartitionId);
    return scan ?? this.assigned.idFor(streamPartitionId);
  }

  get changed(): boolean {
    return this.assigned.changed;
  }

  markSaved(): void {
    this.assigned.markSaved();
  }

  /** `{ version: 1, shards: { "<shardId>": <id> } }`. */
  toJSON(): { version: 1; shards: Record<string, number> } {
    return { version: 1, shards: this.assigned.entries() };
  }

  /** Reloads a persisted scheme; null/undefined gives an empty one. Throws on a corrupt one. */
  static fromJSON(json: unknown): DynamoDbPartitionIds {
    const ids = new DynamoDbPartitionIds();
    if (json === undefined || json === null) return ids;
    const obj = json as { version?: unknown; shards?: unknown };
    if (typeof json !== 'object' || obj.version !== 1 || typeof obj.shards !== 'object' || obj.shards === null) {
      throw new Error('dynamodb partition ids: expected {"version":1,"shards":{...}}');
    }
    const seen = new Set<number>();
    for (const [shardId, id] of Object.entries(obj.shards as Record<string, unknown>)) {
      if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < FIRST_SHARD_PARTITION_ID || seen.has(id)) {
        throw new Error(`dynamodb partition ids: shard ${shardId} has an invalid or duplicate id ${String(id)}`);
      }
      seen.add(id);
      ids.assigned.restore(shardId, id);
    }
    return ids;
  }
}

/** The scan segment number of `scan-<i>`, else undefined. */
export function scanSegmentOf(streamPartitionId: string): number | undefined {
  if (!streamPartitionId.startsWith(SCAN_PARTITION_PREFIX)) return undefined;
  const text = streamPartitionId.slice(SCAN_PARTITION_PREFIX.length);
  if (!/^(0|[1-9]\d{0,5})$/.test(text)) return undefined;
  const n = Number(text);
  return n < FIRST_SHARD_PARTITION_ID ? n : undefined;
}
