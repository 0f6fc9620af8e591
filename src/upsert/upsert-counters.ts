/** Counters of an upsert table, shown in status and metrics. */
export interface UpsertCounters {
  /** Keys in the key map (keys removed by a TTL are not). */
  keys: number;
  /** Keys in the map whose live row is not deleted. */
  liveRows: number;
  deletedKeys: number;
  outOfOrderKept: number;
  outOfOrderDropped: number;
  /** Records whose key's live row came from another shard that is not an ancestor (a warning). */
  keysSeenInUnrelatedShards: number;
  /** Keys removed from the map by `metadataTTL` (their live rows stay live) since start. */
  metadataTTLKeysRemoved: number;
  /** Deleted keys removed by `deletedKeysTTL` (their rows no longer valid) since start. */
  deletedKeysTTLKeysRemoved: number;
  /** Keys removed because the segment of their live row was deleted or dropped by retention, since start. */
  keysRemovedWithSegments: number;
}
