import { AssignedIds } from '../../../spi/assigned-ids.js';

/**
 * Maps Kinesis shard ids to the integer partition ids segments are named by.
 *
 * Scheme:
 * - `shardId-<digits>` whose number is a safe integer (≤ 2^53 - 1) maps to that number:
 *   `shardId-000000000123` → 123. This needs no state and is what every AWS shard id looks like.
 * - Anything else (another pattern, or digits that overflow a safe integer) gets an assigned id
 *   from the negative integers: -1, -2, -3, … in the order the shards are first seen. Numeric ids
 *   are never negative, so an assigned id can never collide with one, whatever shards appear
 *   later. Assignments are never reused or renumbered; the table persists them (`toJSON()`) and
 *   reloads them (`fromJSON()`) so a shard keeps its id across restarts. `changed` says when
 *   there is something new to persist.
 *
 * @example
 *   const ids = PartitionIdMap.fromJSON(saved);
 *   const id = ids.idFor('shardId-000000000007'); // 7
 *   if (ids.changed) { await save(ids.toJSON()); ids.markSaved(); }
 */
export class PartitionIdMap {
  private readonly assigned = new AssignedIds(-1, -1);

  /** The partition id of `shardId`, assigning one when the shard id is not numeric. */
  idFor(shardId: string): number {
    const numeric = numericPartitionId(shardId);
    return numeric ?? this.assigned.idFor(shardId);
  }

  /** True when an id was assigned since the last `markSaved()` (or since creation). */
  get changed(): boolean {
    return this.assigned.changed;
  }

  markSaved(): void {
    this.assigned.markSaved();
  }

  /** The persisted form: `{ version: 1, assigned: { "<shardId>": <id>, ... } }`. */
  toJSON(): PartitionIdMapJson {
    return { version: 1, assigned: this.assigned.entries() };
  }

  /** Reloads a persisted map; `undefined` / `null` gives an empty map. Throws on a corrupt one. */
  static fromJSON(json: unknown): PartitionIdMap {
    const map = new PartitionIdMap();
    if (json === undefined || json === null) return map;
    const obj = json as Partial<PartitionIdMapJson>;
    if (typeof json !== 'object' || obj.version !== 1 || typeof obj.assigned !== 'object' || obj.assigned === null) {
      throw new Error('partition id map: expected {"version":1,"assigned":{...}}');
    }
    const seen = new Set<number>();
    for (const [shardId, id] of Object.entries(obj.assigned)) {
      if (!Number.isSafeInteger(id) || id >= 0 || seen.has(id)) {
        throw new Error(`partition id map: shard ${shardId} has invalid or duplicate assigned id ${String(id)}`);
      }
      if (numericPartitionId(shardId) !== undefined) {
        throw new Error(`partition id map: shard ${shardId} is numeric and cannot have an assigned id`);
      }
      seen.add(id);
      map.assigned.restore(shardId, id);
    }
    return map;
  }
}

export interface PartitionIdMapJson {
  version: 1;
  assigned: Record<string, number>;
}

const SHARD_ID = /^shardId-([0-9]+)$/;

/** The numeric part of `shardId-000000000123` when it is a safe integer, else undefined. */
export function numericPartitionId(shardId: string): number | undefined {
  const match = SHARD_ID.exec(shardId);
  if (match === null) return undefined;
  const value = BigInt(match[1]!);
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
}
