/**
 * How a stream type turns its partitions' own ids into the integer partition ids that segment
 * names carry (Pinot's partition group ids). Owned by the table: ingestion loads it through the
 * stream plugin (`StreamPlugin.loadPartitionIds`) from `<tableDir>/partition-ids.json` and writes
 * `toJSON()` back whenever `changed` is true, before any segment of a newly numbered partition can
 * be sealed, so an id is never reassigned across restarts.
 *
 * Contract: `idFor` is a pure function of the stream id and the persisted state; ids are safe
 * integers, unique per table, never renumbered.
 *
 * @example
 *   const ids = plugin.loadPartitionIds(saved);
 *   const id = ids.idFor('shardId-000000000007'); // 7 for Kinesis
 *   if (ids.changed) { await save(ids.toJSON()); ids.markSaved(); }
 */
export interface PartitionIdScheme {
  /** The integer partition id of the stream's partition `streamPartitionId`. */
  idFor(streamPartitionId: string): number;
  /** True when an id was assigned since the last `markSaved()`. */
  readonly changed: boolean;
  markSaved(): void;
  /** The persisted form (JSON-serialisable); `loadPartitionIds(toJSON())` rebuilds the same scheme. */
  toJSON(): unknown;
}
